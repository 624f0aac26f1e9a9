/* aarch64's outline-atomics helpers (__aarch64_{cas,swp,ldadd,ldclr,ldeor,ldset}N_ORDER and
   __aarch64_cas16_ORDER), which clang calls for every atomic operation in code built with
   -moutline-atomics (CrossRun's own policy passes -mno-outline-atomics; objects built
   elsewhere may not). Compiled with -mno-outline-atomics, the builtins below are inline
   LL/SC sequences, so these helpers do not call themselves. */
#if defined(__aarch64__)
#include <stdint.h>

#define R __ATOMIC_RELAXED
#define A __ATOMIC_ACQUIRE
#define L __ATOMIC_RELEASE
#define AL __ATOMIC_ACQ_REL

#define CAS(n, T, name, order, fail)                                                   \
    T __aarch64_cas##n##_##name(T expected, T desired, T *p) {                          \
        __atomic_compare_exchange_n(p, &expected, desired, 0, order, fail);             \
        return expected;                                                                \
    }
#define OP(op, n, T, name, order, builtin, transform)                                  \
    T __aarch64_##op##n##_##name(T v, T *p) { return builtin(p, transform(v), order); }
#define SAME(v) (v)
#define INVERT(v) (~(v))
#define SWAP(p, v, o) __atomic_exchange_n(p, v, o)
#define ORDERS(n, T)                                                                   \
    CAS(n, T, relax, R, R) CAS(n, T, acq, A, A) CAS(n, T, rel, L, R) CAS(n, T, acq_rel, AL, A) \
    FORALL(swp, n, T, SWAP, SAME) FORALL(ldadd, n, T, __atomic_fetch_add, SAME)        \
    FORALL(ldclr, n, T, __atomic_fetch_and, INVERT) FORALL(ldeor, n, T, __atomic_fetch_xor, SAME) \
    FORALL(ldset, n, T, __atomic_fetch_or, SAME)
#define FORALL(op, n, T, builtin, transform)                                           \
    OP(op, n, T, relax, R, builtin, transform) OP(op, n, T, acq, A, builtin, transform) \
    OP(op, n, T, rel, L, builtin, transform) OP(op, n, T, acq_rel, AL, builtin, transform)

ORDERS(1, uint8_t)
ORDERS(2, uint16_t)
ORDERS(4, uint32_t)
ORDERS(8, uint64_t)
CAS(16, unsigned __int128, relax, R, R)
CAS(16, unsigned __int128, acq, A, A)
CAS(16, unsigned __int128, rel, L, R)
CAS(16, unsigned __int128, acq_rel, AL, A)
#endif
