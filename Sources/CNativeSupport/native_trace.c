// Native `--trace=libc`: each traced import slot is bound to a 16-byte stub that loads the
// import's index into r11 and jumps to a common entry. The entry saves the argument
// registers (and %al, the vector-register count of variadic calls), lets Swift format the
// arguments, swaps the return address for the return trampoline (remembering the real one on
// a per-thread shadow stack), restores every argument register and tail-jumps to the real
// function, so its stack arguments are exactly where the caller put them. The return
// trampoline saves the results (rax, rdx, xmm0/xmm1, up to two x87 registers), lets Swift
// print the line and jumps back to the caller. errno is preserved around the tracer's work.
#define _GNU_SOURCE
#include "native_trace.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

size_t crossrun_native_readable(uint64_t address, size_t limit) {
    const uint64_t page = 4096;
    size_t readable = 0;
    char sink[64];
    while (readable < limit) {
        uint64_t at = address + readable;
        if (at < address) break;   /* wrapped around */
        struct iovec local = { sink, 0 }, remote[64];
        size_t pages = 0;
        for (uint64_t p = at; pages < 64 && (p == at || p - address < limit); pages++) {
            remote[pages].iov_base = (void *)(uintptr_t)p;
            remote[pages].iov_len = 1;
            uint64_t next = (p & ~(page - 1)) + page;
            if (next < p) { pages++; break; }
            p = next;
        }
        local.iov_len = pages;
        ssize_t got = process_vm_readv(getpid(), &local, 1, remote, pages, 0);
        if (got <= 0) break;
        for (ssize_t i = 0; i < got; i++) {
            uint64_t end = ((uint64_t)(uintptr_t)remote[i].iov_base & ~(page - 1)) + page;
            readable = end - address;
        }
        if ((size_t)got < pages) break;
    }
    return readable < limit ? readable : limit;
}

#if defined(__x86_64__)

enum { SHADOW_DEPTH = 512 };

struct shadow_entry {
    uint64_t return_address;   /* where the call returns to */
    uint64_t slot;             /* the stack slot that held it (the caller's rsp after `call`) */
    char *arguments;
    uint32_t index;
};

static __thread struct { struct shadow_entry entries[SHADOW_DEPTH]; size_t depth; } shadow;

static uint64_t *trace_real;
static uint8_t *trace_flags;
static size_t trace_count;
static crossrun_trace_format_fn trace_format;
static crossrun_trace_report_fn trace_report;

void crossrun_native_trace_entry(void);
void crossrun_native_trace_return(void);

/* A call that will not return (left by a longjmp): its line, `= ?`, as the emulator prints it. */
static void abandon(struct shadow_entry *entry) {
    trace_report(entry->index, entry->arguments, NULL, 0);
    free(entry->arguments);
}

__attribute__((visibility("hidden"), used))
uint64_t crossrun_native_trace_enter(uint64_t *registers, uint64_t *slot) {
    int saved = errno;
    uint32_t index = (uint32_t)registers[7];
    char *arguments = trace_format(index, registers, (uint64_t)(uintptr_t)(slot + 1));
    /* Entries for this frame or deeper ones than this call's were left by a longjmp out of a traced
       call (a live call's return-address slot lies above every call made while it runs). */
    while (shadow.depth > 0 && shadow.entries[shadow.depth - 1].slot <= (uint64_t)(uintptr_t)slot) {
        abandon(&shadow.entries[--shadow.depth]);
    }
    if ((trace_flags[index] & CROSSRUN_TRACE_NORETURN) || shadow.depth == SHADOW_DEPTH) {
        trace_report(index, arguments, NULL, 0);
        free(arguments);
    } else {
        shadow.entries[shadow.depth++] = (struct shadow_entry){ *slot, (uint64_t)(uintptr_t)slot, arguments, index };
        *slot = (uint64_t)(uintptr_t)&crossrun_native_trace_return;
    }
    errno = saved;
    return trace_real[index];
}

__attribute__((visibility("hidden"), used))
uint64_t crossrun_native_trace_leave(const uint64_t *result, uint64_t after) {
    int error = errno;
    size_t i = shadow.depth;
    while (i > 0 && shadow.entries[i - 1].slot != after - 8) i--;
    if (i == 0) {
        static const char message[] = "crossrun: --trace=libc: a traced call returned to an unknown frame\n";
        (void)!write(2, message, sizeof message - 1);
        abort();
    }
    struct shadow_entry entry = shadow.entries[i - 1];
    while (shadow.depth > i) abandon(&shadow.entries[--shadow.depth]);
    shadow.depth = i - 1;
    trace_report(entry.index, entry.arguments, result, error);
    free(entry.arguments);
    errno = error;
    return entry.return_address;
}

/* Entry: r11 = index, [rsp] = return address, rsp = 8 mod 16. Block (rsp-relative after the
   frame is set up): 0..47 rdi rsi rdx rcx r8 r9, 48 rax, 56 index, 64..191 xmm0..xmm7. */
__asm__(
    ".text\n"
    ".p2align 4\n"
    ".globl crossrun_native_trace_entry\n"
    ".hidden crossrun_native_trace_entry\n"
    ".type crossrun_native_trace_entry,@function\n"
    "crossrun_native_trace_entry:\n"
    "    push %rbp\n"
    "    mov %rsp, %rbp\n"
    "    sub $192, %rsp\n"
    "    mov %rdi, 0(%rsp)\n"
    "    mov %rsi, 8(%rsp)\n"
    "    mov %rdx, 16(%rsp)\n"
    "    mov %rcx, 24(%rsp)\n"
    "    mov %r8, 32(%rsp)\n"
    "    mov %r9, 40(%rsp)\n"
    "    mov %rax, 48(%rsp)\n"
    "    mov %r11, 56(%rsp)\n"
    "    movdqu %xmm0, 64(%rsp)\n"
    "    movdqu %xmm1, 80(%rsp)\n"
    "    movdqu %xmm2, 96(%rsp)\n"
    "    movdqu %xmm3, 112(%rsp)\n"
    "    movdqu %xmm4, 128(%rsp)\n"
    "    movdqu %xmm5, 144(%rsp)\n"
    "    movdqu %xmm6, 160(%rsp)\n"
    "    movdqu %xmm7, 176(%rsp)\n"
    "    mov %rsp, %rdi\n"
    "    lea 8(%rbp), %rsi\n"
    "    call crossrun_native_trace_enter@PLT\n"
    "    mov %rax, %r11\n"
    "    mov 0(%rsp), %rdi\n"
    "    mov 8(%rsp), %rsi\n"
    "    mov 16(%rsp), %rdx\n"
    "    mov 24(%rsp), %rcx\n"
    "    mov 32(%rsp), %r8\n"
    "    mov 40(%rsp), %r9\n"
    "    mov 48(%rsp), %rax\n"
    "    movdqu 64(%rsp), %xmm0\n"
    "    movdqu 80(%rsp), %xmm1\n"
    "    movdqu 96(%rsp), %xmm2\n"
    "    movdqu 112(%rsp), %xmm3\n"
    "    movdqu 128(%rsp), %xmm4\n"
    "    movdqu 144(%rsp), %xmm5\n"
    "    movdqu 160(%rsp), %xmm6\n"
    "    movdqu 176(%rsp), %xmm7\n"
    "    leave\n"
    "    jmp *%r11\n"
    ".size crossrun_native_trace_entry, .-crossrun_native_trace_entry\n"
    /* Return: rsp = 0 mod 16. Block: 0 rax, 8 rdx, 16 xmm0, 32 xmm1, 48 st0, 64 st1, 80 how
       many x87 registers were saved. A long double result leaves st0 (st1 for a complex one)
       loaded, which the tracer's own code must not see. */
    ".p2align 4\n"
    ".globl crossrun_native_trace_return\n"
    ".hidden crossrun_native_trace_return\n"
    ".type crossrun_native_trace_return,@function\n"
    "crossrun_native_trace_return:\n"
    "    sub $96, %rsp\n"
    "    mov %rax, 0(%rsp)\n"
    "    mov %rdx, 8(%rsp)\n"
    "    movdqu %xmm0, 16(%rsp)\n"
    "    movdqu %xmm1, 32(%rsp)\n"
    "    movq $0, 80(%rsp)\n"
    "    fxam\n"
    "    fnstsw %ax\n"
    "    and $0x4500, %ax\n"
    "    cmp $0x4100, %ax\n"          /* C3=1, C0=1: st0 empty */
    "    je 1f\n"
    "    fstpt 48(%rsp)\n"
    "    movq $1, 80(%rsp)\n"
    "    fxam\n"
    "    fnstsw %ax\n"
    "    and $0x4500, %ax\n"
    "    cmp $0x4100, %ax\n"
    "    je 1f\n"
    "    fstpt 64(%rsp)\n"
    "    movq $2, 80(%rsp)\n"
    "1:\n"
    "    mov %rsp, %rdi\n"
    "    lea 96(%rsp), %rsi\n"
    "    call crossrun_native_trace_leave@PLT\n"
    "    mov %rax, %r11\n"
    "    cmpq $2, 80(%rsp)\n"
    "    jne 2f\n"
    "    fldt 64(%rsp)\n"
    "2:\n"
    "    cmpq $0, 80(%rsp)\n"
    "    je 3f\n"
    "    fldt 48(%rsp)\n"
    "3:\n"
    "    mov 0(%rsp), %rax\n"
    "    mov 8(%rsp), %rdx\n"
    "    movdqu 16(%rsp), %xmm0\n"
    "    movdqu 32(%rsp), %xmm1\n"
    "    add $96, %rsp\n"
    "    jmp *%r11\n"
    ".size crossrun_native_trace_return, .-crossrun_native_trace_return\n"
);

int crossrun_native_trace_install(const uint64_t *real, const uint8_t *flags, size_t count,
                                  crossrun_trace_format_fn format, crossrun_trace_report_fn report, uint64_t *stubs) {
    if (count > UINT32_MAX || count > (SIZE_MAX - 16) / 16) { errno = EINVAL; return -1; }
    size_t size = 16 + count * 16;
    uint64_t *copy = malloc(count * sizeof *copy + 1);
    uint8_t *flagCopy = malloc(count + 1);
    unsigned char *page = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!copy || !flagCopy || page == MAP_FAILED) {
        free(copy);
        free(flagCopy);
        if (page != MAP_FAILED) munmap(page, size);
        errno = ENOMEM;
        return -1;
    }
    memcpy(copy, real, count * sizeof *copy);
    memcpy(flagCopy, flags, count);
    uint64_t entry = (uint64_t)(uintptr_t)&crossrun_native_trace_entry;
    memcpy(page, &entry, 8);
    memset(page + 8, 0xcc, size - 8);
    for (size_t i = 0; i < count; i++) {
        stubs[i] = 0;
        if (!(flags[i] & CROSSRUN_TRACE_WRAP)) continue;
        unsigned char *stub = page + 16 + 16 * i;
        uint32_t index = (uint32_t)i;
        int32_t displacement = (int32_t)((intptr_t)page - (intptr_t)(stub + 12));
        stub[0] = 0x41; stub[1] = 0xbb;             /* mov $index, %r11d */
        memcpy(stub + 2, &index, 4);
        stub[6] = 0xff; stub[7] = 0x25;             /* jmp *entry(%rip) */
        memcpy(stub + 8, &displacement, 4);
        stubs[i] = (uint64_t)(uintptr_t)stub;
    }
    if (mprotect(page, size, PROT_READ | PROT_EXEC) != 0) {
        int error = errno;
        munmap(page, size);
        free(copy);
        free(flagCopy);
        errno = error;
        return -1;
    }
    trace_real = copy;
    trace_flags = flagCopy;
    trace_count = count;
    trace_format = format;
    trace_report = report;
    return 0;
}

#else

int crossrun_native_trace_install(const uint64_t *real, const uint8_t *flags, size_t count,
                                  crossrun_trace_format_fn format, crossrun_trace_report_fn report, uint64_t *stubs) {
    (void)real; (void)flags; (void)count; (void)format; (void)report; (void)stubs;
    errno = ENOTSUP;
    return -1;
}

#endif
