// <execinfo.h> for native programs: the same walk and format as the emulator's
// (GuestProcess+Execinfo). glibc's own backtrace unwinds with the DWARF tables the linker
// drops from the image, and its backtrace_symbols knows only dynamic symbols.
#define _GNU_SOURCE
#include "CNativeSupport.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { MAX_FRAMES = 4096 };

/* The calling thread's stack, or an empty range if the host cannot say. */
static void stack_range(uintptr_t *low, uintptr_t *high) {
    *low = *high = 0;
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) != 0) return;
    void *address = NULL;
    size_t size = 0;
    if (pthread_attr_getstack(&attr, &address, &size) == 0) {
        *low = (uintptr_t)address;
        *high = (uintptr_t)address + size;
    }
    pthread_attr_destroy(&attr);
}

__attribute__((noinline)) int crossrun_native_execinfo_backtrace(void **buffer, int size) {
    if (size <= 0 || buffer == NULL) return 0;
    if (size > MAX_FRAMES) size = MAX_FRAMES;
    uintptr_t low, high;
    stack_range(&low, &high);
    /* This function's own record: the saved frame pointer of the caller and the return address
       into it (the image calls library functions through a jump stub, which pushes nothing). */
    uintptr_t fp = (uintptr_t)__builtin_frame_address(0);
    int count = 0;
    while (count < size && fp >= low && fp < high && high - fp >= 16 && fp % sizeof(uintptr_t) == 0) {
        uintptr_t next = ((uintptr_t *)fp)[0], ret = ((uintptr_t *)fp)[1];
        uintptr_t start;
        int in_image;
        (void)crossrun_native_image_symbol(ret, &start, &in_image);
        if (!in_image) break;   /* the host's start code: no frame records to trust */
        buffer[count++] = (void *)ret;
        if (next <= fp) break;
        fp = next;
    }
    return count;
}

/* glibc's "prog(func+0x1c) [0x...]", "prog(+0x...) [0x...]" when no symbol covers an image
   address, "[0x...]" outside the image. */
static int format_line(char *out, size_t room, void *address) {
    uintptr_t pc = (uintptr_t)address, start;
    int in_image;
    const char *name = crossrun_native_image_symbol(pc, &start, &in_image);
    if (!in_image) return snprintf(out, room, "[%#lx]", (unsigned long)pc);
    return snprintf(out, room, "%s(%s+0x%lx) [%#lx]", crossrun_native_program(), name ? name : "",
                    (unsigned long)(pc - start), (unsigned long)pc);
}

char **crossrun_native_execinfo_symbols(void *const *buffer, int size) {
    if (size < 0) size = 0;
    if (size > MAX_FRAMES) size = MAX_FRAMES;
    size_t table = (size_t)size * sizeof(char *), total = table;
    for (int i = 0; i < size; i++) total += (size_t)format_line(NULL, 0, buffer[i]) + 1;
    char **result = malloc(total ? total : 1);
    if (result == NULL) return NULL;
    char *at = (char *)result + table, *end = (char *)result + total;
    for (int i = 0; i < size; i++) {
        result[i] = at;
        at += format_line(at, (size_t)(end - at), buffer[i]) + 1;
    }
    return result;
}

void crossrun_native_execinfo_symbols_fd(void *const *buffer, int size, int fd) {
    if (size > MAX_FRAMES) size = MAX_FRAMES;
    for (int i = 0; i < size; i++) {
        char line[1024];
        int n = format_line(line, sizeof line - 1, buffer[i]);
        if (n < 0) return;
        if ((size_t)n > sizeof line - 2) n = (int)sizeof line - 2;
        line[n] = '\n';
        if (write(fd, line, (size_t)n + 1) != n + 1) return;
    }
}
