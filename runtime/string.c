/* CrossRun's guest runtime: the short-input paths of <string.h>'s hottest routines, linked
 * into emulated images only (doc/ARCHITECTURE.md, "Guest runtime"). Emulated, every library
 * call is a trap to the host (~0.1 us), far more than a guest loop over a few bytes; past
 * a few dozen bytes (the cut-offs below) the host's routine is faster, so each function hands the rest of its work to
 * the host through `__crossrun_host_NAME` (the same host function as NAME, under a private
 * name the linker cannot resolve to this file), always as a tail call with the caller's own
 * arguments, so no function here has a frame: the return address stays in the link register
 * (or at the stack pointer on x86-64) and a fault report names the program's caller.
 * Each is defined as `__crossrun_string_NAME` (how the emulator recognises a fault inside one)
 * with NAME a weak alias: a program's own `memset` still wins without a clash.
 *
 * Reads never go past the bytes the C library would read, but for aligned 8-byte words of a
 * string: an aligned word never crosses a page, so it cannot fault where a byte read would
 * not. Compiled with -fno-builtin, so the loops stay loops (not calls to themselves). */
#include <stddef.h>
#include <stdint.h>

/* Below these sizes the guest loop is cheaper than a trap (measured with scripts/bench.py's
 * strings program and a short-string loop on all three emulated targets; rv64, with no
 * bit-manipulation instructions, gains least per word). Copies and fills move words, the
 * string scans aligned words (unrolling strlen to four words measured slower below 64
 * bytes on every target). On riscv64 a trap (~130-200 ns) and a word loop over a few
 * hundred bytes cost about the same: raising the copy and scan cut-offs to 256 or 384 bytes
 * there measured no faster on the strings program (doc/ARCHITECTURE.md). */
#define COPY_CUTOFF 128
#define CMP_CUTOFF 64
#define SCAN_CUTOFF 64
#define BYTE_CUTOFF 32

typedef uint64_t __attribute__((__may_alias__)) word;

void *__crossrun_host_memcpy(void *, const void *, size_t);
void *__crossrun_host_memmove(void *, const void *, size_t);
void *__crossrun_host_memset(void *, int, size_t);
int __crossrun_host_memcmp(const void *, const void *, size_t);
void *__crossrun_host_memchr(const void *, int, size_t);
size_t __crossrun_host_strlen(const char *);
int __crossrun_host_strcmp(const char *, const char *);
char *__crossrun_host_strchr(const char *, int);

#define DEFINE(name) extern __typeof(__crossrun_string_##name) name __attribute__((weak, alias("__crossrun_string_" #name)))

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull
/* Nonzero when some byte of x is zero. */
#define HAS_ZERO(x) (((x) - ONES) & ~(x) & HIGHS)

/* The copy helpers are always inlined: a fault inside one must be inside the string function
 * itself (its frame record names the program's call), and on riscv64 a call is an indirect
 * jump the emulator looks up each time. */
#if defined(__riscv)
/* Copies n bytes forwards from s to d with d 8-byte aligned, in aligned words: when s is not
 * aligned each stored word is merged from the two aligned source words it straddles (reads
 * stay within the aligned words holding source bytes, so they never cross into another
 * page). Safe for overlapping moves with d below s: every word is read before the bytes
 * it holds can be overwritten. Returns the bytes left (under 8). */
static inline __attribute__((always_inline)) size_t copy_words_forward(unsigned char **dp, const unsigned char **sp, size_t n) {
    unsigned char *d = *dp;
    const unsigned char *s = *sp;
    unsigned shift = ((uintptr_t)s & 7) * 8;
    if (shift == 0) {
        for (; n >= 32; n -= 32, d += 32, s += 32) {
            word w0 = ((const word *)s)[0], w1 = ((const word *)s)[1], w2 = ((const word *)s)[2], w3 = ((const word *)s)[3];
            ((word *)d)[0] = w0; ((word *)d)[1] = w1; ((word *)d)[2] = w2; ((word *)d)[3] = w3;
        }
        for (; n >= 8; n -= 8, d += 8, s += 8) *(word *)d = *(const word *)s;
    } else if (n >= 8) {
        unsigned back = 64 - shift;
        const word *ws = (const word *)((uintptr_t)s & ~(uintptr_t)7);
        word lo = *ws++;
        for (; n >= 32; n -= 32, d += 32, s += 32, ws += 4) {
            word w0 = ws[0], w1 = ws[1], w2 = ws[2], w3 = ws[3];
            ((word *)d)[0] = lo >> shift | w0 << back;
            ((word *)d)[1] = w0 >> shift | w1 << back;
            ((word *)d)[2] = w1 >> shift | w2 << back;
            ((word *)d)[3] = w2 >> shift | w3 << back;
            lo = w3;
        }
        for (; n >= 8; n -= 8, d += 8, s += 8) {
            word hi = *ws++;
            *(word *)d = lo >> shift | hi << back;
            lo = hi;
        }
    }
    *dp = d;
    *sp = s;
    return n;
}

/* The mirror image: copies backwards, ending at d and s (exclusive), d 8-byte aligned; safe
 * for overlapping moves with d above s. Returns the bytes left (under 8) below. */
static inline __attribute__((always_inline)) size_t copy_words_backward(unsigned char **dp, const unsigned char **sp, size_t n) {
    unsigned char *d = *dp;
    const unsigned char *s = *sp;
    unsigned shift = ((uintptr_t)s & 7) * 8;
    if (shift == 0) {
        for (; n >= 8; n -= 8) { d -= 8; s -= 8; *(word *)d = *(const word *)s; }
    } else if (n >= 8) {
        unsigned back = 64 - shift;
        const word *ws = (const word *)((uintptr_t)s & ~(uintptr_t)7);   /* holds s[-1] */
        word hi = *ws;
        for (; n >= 8; n -= 8) {
            word lo = *--ws;
            d -= 8;
            s -= 8;
            *(word *)d = lo >> shift | hi << back;
            hi = lo;
        }
    }
    *dp = d;
    *sp = s;
    return n;
}

/* riscv64 (no unaligned accesses the code may count on, no vectors): the destination is
 * aligned first and misaligned sources are merged from aligned words; a byte loop cost
 * ~3.7 ns a byte there, more than a trap past ~40 bytes. */
static inline __attribute__((always_inline)) void copy_forward(unsigned char *d, const unsigned char *s, size_t n) {
    for (; n && ((uintptr_t)d & 7); n--) *d++ = *s++;
    n = copy_words_forward(&d, &s, n);
    for (; n; n--) *d++ = *s++;
}

static inline __attribute__((always_inline)) void copy_backward(unsigned char *d, const unsigned char *s, size_t n) {
    for (; n && ((uintptr_t)d & 7); n--) *--d = *--s;
    n = copy_words_backward(&d, &s, n);
    while (n--) *--d = *--s;
}
#else
/* x86-64 and aarch64: words when both pointers are aligned, else a byte loop, which clang
 * vectorises with unaligned SSE/NEON accesses; measured faster there than merging words. */
static inline __attribute__((always_inline)) void copy_forward(unsigned char *d, const unsigned char *s, size_t n) {
    if ((((uintptr_t)d | (uintptr_t)s) & 7) == 0) {
        for (; n >= 8; n -= 8, d += 8, s += 8) *(word *)d = *(const word *)s;
    }
    for (; n; n--) *d++ = *s++;
}

static inline __attribute__((always_inline)) void copy_backward(unsigned char *d, const unsigned char *s, size_t n) {
    if ((((uintptr_t)d | (uintptr_t)s) & 7) == 0) {
        for (; n >= 8; n -= 8) { d -= 8; s -= 8; *(word *)d = *(const word *)s; }
    }
    while (n--) *--d = *--s;
}
#endif

void *__crossrun_string_memcpy(void *restrict dst, const void *restrict src, size_t n) {
    if (n >= COPY_CUTOFF) return __crossrun_host_memcpy(dst, src, n);
    unsigned char *d = dst;
    const unsigned char *s = src;
    copy_forward(d, s, n);
    return dst;
}
DEFINE(memcpy);

void *__crossrun_string_memmove(void *dst, const void *src, size_t n) {
    if (n >= COPY_CUTOFF) return __crossrun_host_memmove(dst, src, n);
    unsigned char *d = dst;
    const unsigned char *s = src;
    if ((uintptr_t)d - (uintptr_t)s >= n) copy_forward(d, s, n);   /* d below s, or no overlap */
    else copy_backward(d + n, s + n, n);                           /* d overlaps s from above */
    return dst;
}
DEFINE(memmove);

void *__crossrun_string_memset(void *dst, int c, size_t n) {
    if (n >= COPY_CUTOFF) return __crossrun_host_memset(dst, c, n);
    unsigned char *d = dst, b = (unsigned char)c;
    for (; n && ((uintptr_t)d & 7); n--) *d++ = b;
    word w = b * ONES;
    for (; n >= 8; n -= 8, d += 8) *(word *)d = w;
    for (; n; n--) *d++ = b;
    return dst;
}
DEFINE(memset);

int __crossrun_string_memcmp(const void *a, const void *b, size_t n) {
    if (n >= CMP_CUTOFF) return __crossrun_host_memcmp(a, b, n);
    const unsigned char *p = a, *q = b;
    if ((((uintptr_t)p | (uintptr_t)q) & 7) == 0) {
        for (; n >= 8 && *(const word *)p == *(const word *)q; n -= 8, p += 8, q += 8) {}
    }
    for (; n; n--, p++, q++) {
        if (*p != *q) return *p - *q;
    }
    return 0;
}
DEFINE(memcmp);

int __crossrun_string_bcmp(const void *a, const void *b, size_t n) { return __crossrun_string_memcmp(a, b, n); }

void *__crossrun_string_memchr(const void *s, int c, size_t n) {
    if (n >= BYTE_CUTOFF) return __crossrun_host_memchr(s, c, n);
    const unsigned char *p = s, b = (unsigned char)c;
    for (; n; n--, p++) {
        if (*p == b) return (void *)p;
    }
    return NULL;
}
DEFINE(memchr);
DEFINE(bcmp);

size_t __crossrun_string_strlen(const char *s) {
    const char *p = s;
    for (; (uintptr_t)p & 7; p++) {
        if (!*p) return (size_t)(p - s);
    }
    for (const char *end = p + SCAN_CUTOFF; p < end; p += 8) {
        word w = *(const word *)p;
        if (HAS_ZERO(w)) {
            while (*p) p++;
            return (size_t)(p - s);
        }
    }
    return __crossrun_host_strlen(s);
}
DEFINE(strlen);

int __crossrun_string_strcmp(const char *a, const char *b) {
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
    for (size_t i = 0; i < BYTE_CUTOFF; i++, p++, q++) {
        if (*p != *q || !*p) return *p - *q;
    }
    return __crossrun_host_strcmp(a, b);
}
DEFINE(strcmp);

char *__crossrun_string_strchr(const char *s, int c) {
    const char *p = s;
    char b = (char)c;
    for (size_t i = 0; i < BYTE_CUTOFF; i++, p++) {
        if (*p == b) return (char *)p;
        if (!*p) return NULL;
    }
    return __crossrun_host_strchr(s, c);
}
DEFINE(strchr);
