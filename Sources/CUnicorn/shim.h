// Swift cannot call C-variadic functions or use function-like macros, so the parts of
// libunicorn's API that are variadic (uc_hook_add, uc_ctl) get fixed-arity inline wrappers.
#ifndef CROSSRUN_CUNICORN_SHIM_H
#define CROSSRUN_CUNICORN_SHIM_H
#include <unicorn/unicorn.h>

/// uc_hook_add for hooks without extra arguments (code, block, interrupt, memory hooks).
static inline uc_err crossrun_uc_hook_add(uc_engine *uc, uc_hook *hh, int type, void *callback,
                                          void *user_data, uint64_t begin, uint64_t end) {
    return uc_hook_add(uc, hh, type, callback, user_data, begin, end);
}

/// uc_hook_add for UC_HOOK_INSN (x86 syscall/sysenter/in/out), which takes the instruction id.
static inline uc_err crossrun_uc_hook_add_insn(uc_engine *uc, uc_hook *hh, void *callback,
                                               void *user_data, uint64_t begin, uint64_t end,
                                               int insn) {
    return uc_hook_add(uc, hh, UC_HOOK_INSN, callback, user_data, begin, end, insn);
}

/// Flushes every translated block (needed after rewriting guest code or adding hooks).
static inline uc_err crossrun_uc_flush_tb(uc_engine *uc) {
    return uc_ctl(uc, UC_CTL_WRITE(UC_CTL_TB_FLUSH, 0));
}

/// Removes the cached translation of [begin, end).
static inline uc_err crossrun_uc_remove_cache(uc_engine *uc, uint64_t begin, uint64_t end) {
    return uc_ctl(uc, UC_CTL_WRITE(UC_CTL_TB_REMOVE_CACHE, 2), begin, end);
}

/// All unmapped-memory hook bits (UC_HOOK_MEM_UNMAPPED does not import into Swift).
static const int CROSSRUN_UC_HOOK_MEM_UNMAPPED = UC_HOOK_MEM_UNMAPPED;
/// All invalid-memory hook bits.
static const int CROSSRUN_UC_HOOK_MEM_INVALID = UC_HOOK_MEM_INVALID;
#endif
