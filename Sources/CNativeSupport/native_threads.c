// Native runs: per-thread TLS blocks for the image (the TLS resolver contract) and the
// thread primitives the guest thread library (runtime/pthread*.c) is built on.
#define _GNU_SOURCE
#include "CNativeSupport.h"
#include <stdlib.h>
#include <string.h>

/* The TLS block of the image running on this host thread. Initial-exec, in the executable:
   its distance from the thread pointer is the same in every thread, so the image's resolver
   finds it at (thread pointer + crossrun_native_tls_offset()). */
static __thread void *crossrun_tls_block __attribute__((tls_model("initial-exec")));

static void *thread_pointer(void) {
#if defined(__x86_64__)
    void *tp;
    __asm__("mov %%fs:0, %0" : "=r"(tp));   /* glibc's TCB self pointer: FS_BASE */
    return tp;
#elif defined(__aarch64__)
    void *tp;
    __asm__("mrs %0, tpidr_el0" : "=r"(tp));
    return tp;
#else
    return __builtin_thread_pointer();
#endif
}

int64_t crossrun_native_tls_offset(void) {
    return (int64_t)((char *)&crossrun_tls_block - (char *)thread_pointer());
}

void crossrun_native_set_tls_block(void *block) { crossrun_tls_block = block; }
