/* riscv64's `__riscv_flush_icache(start, end, flags)`, which clang calls for
   `__builtin___clear_cache` (glibc provides it on riscv64): a JIT's freshly written code must
   not run from stale translations. It hands the range to `__clear_cache`, which the host
   serves by dropping the engine's translations of it. */
#if defined(__riscv)
void __clear_cache(void *, void *);

int __riscv_flush_icache(void *start, void *end, unsigned long flags) {
    (void)flags;
    __clear_cache(start, end);
    return 0;
}
#endif
