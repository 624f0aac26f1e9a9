// <dlfcn.h> for native programs: the same answers as the emulator's (GuestProcess+PosixLib);
// the program name err.h prints; the stack-protector canary variable.
#define _GNU_SOURCE
#include "CNativeSupport.h"
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static const struct crossrun_dynamic_symbol *dl_table;
static size_t dl_count;
static __thread char dl_message[512];   /* per thread, as glibc's */
static __thread int dl_pending;
static char dl_main_program;   /* its address is dlopen(NULL)'s handle */

void crossrun_native_set_dynamic_symbols(const struct crossrun_dynamic_symbol *table, size_t count) {
    dl_table = table;
    dl_count = count;
}

static void dl_failed(const char *prefix, const char *detail) {
    snprintf(dl_message, sizeof dl_message, "%s%s", prefix, detail);
    dl_pending = 1;
}

void *crossrun_native_dlopen(const char *path, int flags) {
    (void)flags;
    if (path == NULL) return &dl_main_program;
    dl_failed(path, ": cannot open shared object file: a CrossRun program is one linked image and cannot load shared objects");
    return NULL;
}

void *crossrun_native_dlsym(void *handle, const char *name) {
    int next = handle == (void *)-1L;
    if (handle != NULL && !next && handle != &dl_main_program) {
        dl_failed("invalid handle", "");
        return NULL;
    }
    /* The image's own symbols come first in the table, then its imports. */
    for (size_t i = 0; i < dl_count; i++) {
        if ((!next || dl_table[i].library) && strcmp(dl_table[i].name, name) == 0) return dl_table[i].address;
    }
    dl_failed("undefined symbol: ", name);
    return NULL;
}

int crossrun_native_dlclose(void *handle) {
    if (handle == &dl_main_program) return 0;
    dl_failed("invalid handle", "");
    return -1;
}

char *crossrun_native_dlerror(void) {
    if (!dl_pending) return NULL;
    dl_pending = 0;
    return dl_message;
}

uintptr_t crossrun_native_stack_chk_guard = 0x2f8d3a1c5b7e9100u;

uintptr_t *crossrun_native_stack_chk_guard_address(void) { return &crossrun_native_stack_chk_guard; }

void crossrun_native_set_program_name(const char *name) {
    char *copy = strdup(name);
    if (copy == NULL) return;
    const char *slash = strrchr(copy, '/');
    program_invocation_name = copy;
    program_invocation_short_name = (char *)(slash ? slash + 1 : copy);
}
