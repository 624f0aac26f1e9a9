/* libatomic's entry points, which clang calls for atomic objects the ISA cannot handle
   inline: the sized __atomic_*_N (16 bytes on x86-64 and riscv64, and any misaligned or odd
   case) and the generic __atomic_load/store/exchange/compare_exchange for other sizes.
   Sizes the ISA has lock-free instructions for use them (so they agree with inline atomics
   on the same object); the rest take one of 64 spinlocks chosen by the object's address.
   The spinlocks use no library call, so atomics work in single-threaded programs without
   the thread primitives. */
#include <stddef.h>
#include <stdint.h>

#define LOCKS 64
static int locks[LOCKS];

static int *lock_for(const volatile void *p) { return &locks[((uintptr_t)p >> 4) % LOCKS]; }
static void take(int *l) {
    while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(l, __ATOMIC_RELAXED)) { }
}
static void give(int *l) { __atomic_store_n(l, 0, __ATOMIC_RELEASE); }

static void copy(volatile void *dst, const volatile void *src, size_t n) {
    for (size_t i = 0; i < n; i++) ((volatile unsigned char *)dst)[i] = ((const volatile unsigned char *)src)[i];
}
static int same(const volatile void *a, const volatile void *b, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (((const volatile unsigned char *)a)[i] != ((const volatile unsigned char *)b)[i]) return 0;
    return 1;
}

#if defined(__aarch64__)
#define LOCK_FREE_16 1   /* ldxp/stxp (or LSE casp): inline in programs too */
#else
#define LOCK_FREE_16 0
#endif

/* Whether an object of `size` bytes at `p` is handled with the ISA's own atomics. */
static int native(size_t size, const volatile void *p) {
    if ((uintptr_t)p % size) return 0;
    return size == 1 || size == 2 || size == 4 || size == 8 || (size == 16 && LOCK_FREE_16);
}

typedef unsigned __int128 u128;

/* The sized forms. N = 1..8 (and 16 on aarch64) are lock-free when aligned. */
#define SIZED(n, T, lockfree)                                                                        \
    T __atomic_load_##n(const volatile void *p, int order) {                                         \
        (void)order;                                                                                 \
        if (lockfree && (uintptr_t)p % n == 0) return __atomic_load_n((const volatile T *)p, __ATOMIC_SEQ_CST); \
        int *l = lock_for(p); take(l); T v = *(const volatile T *)p; give(l); return v;              \
    }                                                                                                \
    void __atomic_store_##n(volatile void *p, T v, int order) {                                      \
        (void)order;                                                                                 \
        if (lockfree && (uintptr_t)p % n == 0) { __atomic_store_n((volatile T *)p, v, __ATOMIC_SEQ_CST); return; } \
        int *l = lock_for(p); take(l); *(volatile T *)p = v; give(l);                                \
    }                                                                                                \
    T __atomic_exchange_##n(volatile void *p, T v, int order) {                                      \
        (void)order;                                                                                 \
        if (lockfree && (uintptr_t)p % n == 0) return __atomic_exchange_n((volatile T *)p, v, __ATOMIC_SEQ_CST); \
        int *l = lock_for(p); take(l); T old = *(volatile T *)p; *(volatile T *)p = v; give(l); return old; \
    }                                                                                                \
    _Bool __atomic_compare_exchange_##n(volatile void *p, void *expected, T desired, int s, int f) { \
        (void)s; (void)f;                                                                            \
        if (lockfree && (uintptr_t)p % n == 0)                                                      \
            return __atomic_compare_exchange_n((volatile T *)p, (T *)expected, desired, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); \
        int *l = lock_for(p); take(l);                                                               \
        T cur = *(volatile T *)p;                                                                    \
        _Bool ok = cur == *(T *)expected;                                                            \
        if (ok) *(volatile T *)p = desired; else *(T *)expected = cur;                               \
        give(l); return ok;                                                                          \
    }                                                                                                \
    RMW(n, T, lockfree, add, +, fetch_add) RMW(n, T, lockfree, sub, -, fetch_sub)                   \
    RMW(n, T, lockfree, and, &, fetch_and) RMW(n, T, lockfree, or, |, fetch_or)                     \
    RMW(n, T, lockfree, xor, ^, fetch_xor) NAND(n, T, lockfree)

#define RMW(n, T, lockfree, name, op, builtin)                                                       \
    T __atomic_fetch_##name##_##n(volatile void *p, T v, int order) {                                \
        (void)order;                                                                                 \
        if (lockfree && (uintptr_t)p % n == 0) return __atomic_##builtin((volatile T *)p, v, __ATOMIC_SEQ_CST); \
        int *l = lock_for(p); take(l); T old = *(volatile T *)p; *(volatile T *)p = old op v; give(l); return old; \
    }                                                                                                \
    T __atomic_##name##_fetch_##n(volatile void *p, T v, int order) {                                \
        return __atomic_fetch_##name##_##n(p, v, order) op v;                                        \
    }
#define NAND(n, T, lockfree)                                                                         \
    T __atomic_fetch_nand_##n(volatile void *p, T v, int order) {                                    \
        (void)order;                                                                                 \
        if (lockfree && (uintptr_t)p % n == 0) return __atomic_fetch_nand((volatile T *)p, v, __ATOMIC_SEQ_CST); \
        int *l = lock_for(p); take(l); T old = *(volatile T *)p; *(volatile T *)p = ~(old & v); give(l); return old; \
    }                                                                                                \
    T __atomic_nand_fetch_##n(volatile void *p, T v, int order) {                                    \
        return ~(__atomic_fetch_nand_##n(p, v, order) & v);                                          \
    }

SIZED(1, uint8_t, 1)
SIZED(2, uint16_t, 1)
SIZED(4, uint32_t, 1)
SIZED(8, uint64_t, 1)
SIZED(16, u128, LOCK_FREE_16)

/* The generic forms (any size), named as libatomic's. */
#pragma redefine_extname __crossrun_atomic_load __atomic_load
#pragma redefine_extname __crossrun_atomic_store __atomic_store
#pragma redefine_extname __crossrun_atomic_exchange __atomic_exchange
#pragma redefine_extname __crossrun_atomic_compare_exchange __atomic_compare_exchange
#pragma redefine_extname __crossrun_atomic_is_lock_free __atomic_is_lock_free

#define DISPATCH(size, p, call)                                                  \
    if (native(size, p)) switch (size) {                                          \
        case 1: call(1, uint8_t); return;                                         \
        case 2: call(2, uint16_t); return;                                        \
        case 4: call(4, uint32_t); return;                                        \
        case 8: call(8, uint64_t); return;                                        \
        case 16: call(16, u128); return;                                          \
    }

void __crossrun_atomic_load(size_t size, const volatile void *src, void *dst, int order) {
#define LOAD(n, T) *(T *)dst = __atomic_load_##n(src, order)
    DISPATCH(size, src, LOAD)
    int *l = lock_for(src); take(l); copy(dst, src, size); give(l);
}

void __crossrun_atomic_store(size_t size, volatile void *dst, void *src, int order) {
#define STORE(n, T) __atomic_store_##n(dst, *(T *)src, order)
    DISPATCH(size, dst, STORE)
    int *l = lock_for(dst); take(l); copy(dst, src, size); give(l);
}

void __crossrun_atomic_exchange(size_t size, volatile void *p, void *value, void *old, int order) {
#define EXCHANGE(n, T) *(T *)old = __atomic_exchange_##n(p, *(T *)value, order)
    DISPATCH(size, p, EXCHANGE)
    int *l = lock_for(p); take(l); copy(old, p, size); copy(p, value, size); give(l);
}

_Bool __crossrun_atomic_compare_exchange(size_t size, volatile void *p, void *expected, void *desired, int s, int f) {
    if (native(size, p)) switch (size) {
        case 1: return __atomic_compare_exchange_1(p, expected, *(uint8_t *)desired, s, f);
        case 2: return __atomic_compare_exchange_2(p, expected, *(uint16_t *)desired, s, f);
        case 4: return __atomic_compare_exchange_4(p, expected, *(uint32_t *)desired, s, f);
        case 8: return __atomic_compare_exchange_8(p, expected, *(uint64_t *)desired, s, f);
        case 16: return __atomic_compare_exchange_16(p, expected, *(u128 *)desired, s, f);
    }
    int *l = lock_for(p); take(l);
    _Bool ok = same(p, expected, size);
    if (ok) copy(p, desired, size); else copy(expected, p, size);
    give(l);
    return ok;
}

_Bool __crossrun_atomic_is_lock_free(size_t size, const volatile void *p) {
    return native(size, p ? p : (const volatile void *)(uintptr_t)size);
}
