/* GDB's JIT interface (gdb manual, "JIT Compilation Interface"): a debugger that finds
 * `__jit_debug_register_code` and `__jit_debug_descriptor` in this process breaks on the
 * former and reads in-memory ELF symbol files from the list the latter heads. */
#include "CNativeSupport.h"
#include <stdint.h>
#include <stdlib.h>

enum { JIT_NOACTION = 0, JIT_REGISTER_FN = 1, JIT_UNREGISTER_FN = 2 };

struct jit_code_entry {
    struct jit_code_entry *next_entry;
    struct jit_code_entry *prev_entry;
    const char *symfile_addr;
    uint64_t symfile_size;
};

struct jit_descriptor {
    uint32_t version;
    uint32_t action_flag;
    struct jit_code_entry *relevant_entry;
    struct jit_code_entry *first_entry;
};

/* The names and layout are gdb's contract; both must be visible symbols of the executable. */
__attribute__((used, visibility("default"))) struct jit_descriptor __jit_debug_descriptor = {1, JIT_NOACTION, NULL, NULL};

__attribute__((noinline, used, visibility("default"))) void __jit_debug_register_code(void) {
    __asm__ volatile("" ::: "memory");   /* gdb's breakpoint: must not be folded away */
}

static void unregister_all(void) {
    while (__jit_debug_descriptor.first_entry) {
        struct jit_code_entry *e = __jit_debug_descriptor.first_entry;
        __jit_debug_descriptor.first_entry = e->next_entry;
        if (e->next_entry) e->next_entry->prev_entry = NULL;
        __jit_debug_descriptor.relevant_entry = e;
        __jit_debug_descriptor.action_flag = JIT_UNREGISTER_FN;
        __jit_debug_register_code();
        free(e);
    }
    __jit_debug_descriptor.relevant_entry = NULL;
    __jit_debug_descriptor.action_flag = JIT_NOACTION;
}

int crossrun_gdb_jit_register(const void *symfile, uint64_t size) {
    struct jit_code_entry *e = calloc(1, sizeof *e);
    if (!e) return -1;
    static int hooked;
    if (!hooked) { atexit(unregister_all); hooked = 1; }
    e->symfile_addr = symfile;
    e->symfile_size = size;
    e->next_entry = __jit_debug_descriptor.first_entry;
    if (e->next_entry) e->next_entry->prev_entry = e;
    __jit_debug_descriptor.first_entry = e;
    __jit_debug_descriptor.relevant_entry = e;
    __jit_debug_descriptor.action_flag = JIT_REGISTER_FN;
    __jit_debug_register_code();
    __jit_debug_descriptor.action_flag = JIT_NOACTION;
    return 0;
}

void crossrun_gdb_jit_unregister_all(void) { unregister_all(); }
