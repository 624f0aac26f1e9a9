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

/* --- the thread primitives (runtime/crossrun_thread.h) ---------------------------------- */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <semaphore.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

long __crossrun_thread_spawn(void (*entry)(void *), void *arg, unsigned long stack_size, int *tid_word);
_Noreturn void __crossrun_thread_exit(void);
int __crossrun_futex_wait(volatile int *addr, int expected, const struct timespec *abstime, int clockid);
int __crossrun_futex_wake(volatile int *addr, int count);
int __crossrun_shared_cas(volatile int *addr, int expected, int desired);
int __crossrun_gettid(void);
int __crossrun_tgsigqueue(int process, int thread, int sig, void *value);
int crossrun_tgsigqueue(int process, int thread, int sig, void *value);

static struct { const void *initialized; size_t initialized_size, size, alignment; } g_tls_template;
/* Guest threads still running, the main thread included: the last one to end exits(0). */
static int g_live_threads = 1;

/* In the child of a fork only the forking thread exists. */
static void after_fork_in_child(void) { g_live_threads = 1; }
__attribute__((constructor)) static void register_fork_handler(void) { pthread_atfork(NULL, NULL, after_fork_in_child); }

void crossrun_native_set_tls_template(const void *initialized, size_t initialized_size, size_t size, size_t alignment) {
    g_tls_template.initialized = initialized;
    g_tls_template.initialized_size = initialized_size;
    g_tls_template.size = size;
    g_tls_template.alignment = alignment;
}

/* Where a guest thread ends: __crossrun_thread_exit jumps back to its host start routine
   (NULL in the main thread). */
static __thread jmp_buf *g_exit_point;

struct spawn {
    void (*entry)(void *);
    void *arg;
    int *tid_word;
    void *tls_block;
    sem_t started;
    int tid;
};

static void *guest_thread(void *p) {
    struct spawn *s = p;
    void (*entry)(void *) = s->entry;
    void *arg = s->arg;
    int *tid_word = s->tid_word;
    crossrun_tls_block = s->tls_block;
    /* The crash reporter runs on an alternate stack (a guest stack overflow is reported). */
    stack_t ss = {.ss_sp = malloc(1 << 16), .ss_size = 1 << 16, .ss_flags = 0};
    if (ss.ss_sp) sigaltstack(&ss, NULL);
    int tid = (int)syscall(SYS_gettid);
    __atomic_store_n(tid_word, tid, __ATOMIC_SEQ_CST);
    s->tid = tid;
    sem_post(&s->started);   /* s belongs to the spawner from here on */

    jmp_buf exit_point;
    g_exit_point = &exit_point;
    if (!setjmp(exit_point)) entry(arg);
    /* The thread has ended (the runtime has run its cleanup handlers and destructors), and
       no guest code runs on this stack any more: nor may a handler, since its TLS block and
       alternate stack go now. Signals are blocked first, as glibc blocks them at a thread's
       end; one sent to this thread from here on is lost with it, as on Linux. */
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    if (ss.ss_sp) {
        stack_t off = {.ss_flags = SS_DISABLE};
        sigaltstack(&off, NULL);
        free(ss.ss_sp);
    }
    free(crossrun_tls_block);
    crossrun_tls_block = NULL;
    __atomic_store_n(tid_word, 0, __ATOMIC_SEQ_CST);
    syscall(SYS_futex, tid_word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
    return NULL;
}

/* What a native guest thread's host stack has beyond the size the program asked for. */
#define HOST_STACK_EXTRA (128ul << 10)

long __crossrun_thread_spawn(void (*entry)(void *), void *arg, unsigned long stack_size, int *tid_word) {
    int saved = errno;
    if (!entry || !tid_word || ((uintptr_t)tid_word & 3)) return -EINVAL;
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0) page = 4096;
    if (stack_size == 0) stack_size = 8ul << 20;
    if (stack_size > (1ul << 40)) return -EINVAL;
    stack_size = (stack_size + (unsigned long)page - 1) & ~((unsigned long)page - 1);
    if (stack_size < (64ul << 10)) stack_size = 64ul << 10;

    void *block = NULL;
    if (g_tls_template.size) {
        size_t alignment = g_tls_template.alignment < 16 ? 16 : g_tls_template.alignment;
        if (posix_memalign(&block, alignment, g_tls_template.size) != 0) { errno = saved; return -ENOMEM; }
        memcpy(block, g_tls_template.initialized, g_tls_template.initialized_size);
        memset((char *)block + g_tls_template.initialized_size, 0, g_tls_template.size - g_tls_template.initialized_size);
    }
    struct spawn s = {.entry = entry, .arg = arg, .tid_word = tid_word, .tls_block = block};
    sem_init(&s.started, 0, 0);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    /* The host's pthread_create carves CrossRun's own static TLS (the Swift runtime's, the
       engine's: ~20 KiB) and its thread descriptor out of the size asked for, so a program
       that sizes its stack and checks its depth against that size (MicroPython: 64 KiB, a
       recursion limit 8 KiB below it) overflowed first. The host thread gets that much more;
       the pages are only committed when touched. */
    int r = pthread_attr_setstacksize(&attr, stack_size + HOST_STACK_EXTRA);
    pthread_t thread;
    __atomic_add_fetch(&g_live_threads, 1, __ATOMIC_SEQ_CST);
    if (r == 0) r = pthread_create(&thread, &attr, guest_thread, &s);
    pthread_attr_destroy(&attr);
    if (r != 0) {
        __atomic_sub_fetch(&g_live_threads, 1, __ATOMIC_SEQ_CST);
        free(block);
        sem_destroy(&s.started);
        errno = saved;
        return r == EAGAIN || r == ENOMEM ? -EAGAIN : -EINVAL;
    }
    while (sem_wait(&s.started) != 0 && errno == EINTR) { }
    sem_destroy(&s.started);
    errno = saved;
    return s.tid;
}

_Noreturn void __crossrun_thread_exit(void) {
    if (__atomic_sub_fetch(&g_live_threads, 1, __ATOMIC_SEQ_CST) == 0) exit(0);   /* the last thread */
    if (g_exit_point) longjmp(*g_exit_point, 1);   /* guest_thread blocks signals before its cleanup */
    /* The main thread (pthread_exit from main): the process goes on until the last thread
       ends. It only waits, interruptible by the deadline watchdog's signal. */
    for (;;) pause();
}

/* The futexes are the host's shared ones (no FUTEX_PRIVATE_FLAG): a word in a MAP_SHARED
   mapping (a process-shared mutex, condition or semaphore) is woken from other processes too.
   Waits and wakes must agree on the flag, so every one of them goes without it. */
int __crossrun_futex_wait(volatile int *addr, int expected, const struct timespec *abstime, int clockid) {
    if (!addr) return EFAULT;
    if ((uintptr_t)addr & 3) return EINVAL;
    int op = FUTEX_WAIT_BITSET;
    if (abstime) {
        if (clockid == CLOCK_REALTIME) op |= FUTEX_CLOCK_REALTIME;
        else if (clockid != CLOCK_MONOTONIC) return EINVAL;
        if (abstime->tv_nsec < 0 || abstime->tv_nsec >= 1000000000L) return EINVAL;
        if (abstime->tv_sec < 0) return ETIMEDOUT;
    }
    int saved = errno;
    long r = syscall(SYS_futex, addr, op, expected, abstime, NULL, FUTEX_BITSET_MATCH_ANY);
    int e = r == 0 ? 0 : errno;
    errno = saved;
    switch (e) {
    case EAGAIN: case ETIMEDOUT: case EFAULT: case EINVAL: return e;
    default: return 0;   /* woken, or interrupted: a spurious wake-up */
    }
}

int __crossrun_futex_wake(volatile int *addr, int count) {
    if (!addr || count <= 0) return 0;
    int saved = errno;
    long r = syscall(SYS_futex, addr, FUTEX_WAKE, count, NULL, NULL, 0);
    errno = saved;
    return r < 0 ? 0 : (int)r;
}

int __crossrun_shared_cas(volatile int *addr, int expected, int desired) {
    __atomic_compare_exchange_n(addr, &expected, desired, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return expected;
}

int __crossrun_gettid(void) { return (int)syscall(SYS_gettid); }

int __crossrun_tgsigqueue(int process, int thread, int sig, void *value) { return crossrun_tgsigqueue(process, thread, sig, value); }

void *crossrun_native_thread_primitive(const char *name) {
    static const struct { const char *name; void *function; } table[] = {
        {"__crossrun_thread_spawn", (void *)__crossrun_thread_spawn},
        {"__crossrun_thread_exit", (void *)__crossrun_thread_exit},
        {"__crossrun_futex_wait", (void *)__crossrun_futex_wait},
        {"__crossrun_futex_wake", (void *)__crossrun_futex_wake},
        {"__crossrun_shared_cas", (void *)__crossrun_shared_cas},
        {"__crossrun_gettid", (void *)__crossrun_gettid},
        {"__crossrun_tgsigqueue", (void *)__crossrun_tgsigqueue},
        {"__crossrun_fork", (void *)fork},   /* runtime/fork.c runs the atfork handlers around it */
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(table[i].name, name) == 0) return table[i].function;
    return NULL;
}
