/* CrossRun's guest runtime: library functions that call back into the program, compiled for
 * the target and linked into the image when the program uses them (doc/ARCHITECTURE.md,
 * "Guest runtime"). Run as target code, a comparator call costs a few instructions, where
 * served by the host each one was a nested emulation (~0.7 us).
 *
 * qsort is glibc 2.36's top-down merge sort (msort.c): the same split, the left element taken
 * when compare <= 0, so comparators see the same calls in the same order as natively and equal
 * elements keep their order. bsearch is glibc's loop. Compiled with -fno-builtin: the copies
 * below must stay loops, not become calls to memcpy (a trap to the host each). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

typedef int (*compare_fn)(const void *, const void *);
typedef int (*compare_r_fn)(const void *, const void *, void *);

struct sort {
    size_t size;
    compare_fn compare;
    compare_r_fn compare_r;
    void *arg;
    char *tmp;
    int words; /* 8: elements are aligned 64-bit words, 4: 32-bit words, 0: bytes */
};

static int call(const struct sort *p, const void *a, const void *b) {
    return p->compare_r ? p->compare_r(a, b, p->arg) : p->compare(a, b);
}

static void copy(const struct sort *p, char *dst, const char *src, size_t count) {
    if (p->words == 8) {
        uint64_t *d = (uint64_t *)dst;
        const uint64_t *s = (const uint64_t *)src;
        for (size_t i = 0, n = count * (p->size / 8); i < n; i++) d[i] = s[i];
    } else if (p->words == 4) {
        uint32_t *d = (uint32_t *)dst;
        const uint32_t *s = (const uint32_t *)src;
        for (size_t i = 0, n = count * (p->size / 4); i < n; i++) d[i] = s[i];
    } else {
        for (size_t i = 0, n = count * p->size; i < n; i++) dst[i] = src[i];
    }
}

static void msort(const struct sort *p, char *b, size_t n) {
    if (n <= 1) return;
    size_t n1 = n / 2, n2 = n - n1, s = p->size;
    char *b1 = b, *b2 = b + n1 * s, *t = p->tmp;
    msort(p, b1, n1);
    msort(p, b2, n2);
    while (n1 > 0 && n2 > 0) {
        if (call(p, b1, b2) <= 0) {
            copy(p, t, b1, 1);
            b1 += s;
            n1--;
        } else {
            copy(p, t, b2, 1);
            b2 += s;
            n2--;
        }
        t += s;
    }
    if (n1 > 0) copy(p, t, b1, n1);
    copy(p, b, p->tmp, n - n2);
}

/* Only when no temporary fits in memory: an in-place insertion sort (stable, but comparators
 * see other calls than glibc's quicksort fallback would make). */
static void insertion_sort(const struct sort *p, char *b, size_t n) {
    size_t s = p->size;
    for (size_t i = 1; i < n; i++) {
        for (size_t j = i; j > 0 && call(p, b + (j - 1) * s, b + j * s) > 0; j--) {
            char *x = b + (j - 1) * s, *y = b + j * s;
            for (size_t k = 0; k < s; k++) { char c = x[k]; x[k] = y[k]; y[k] = c; }
        }
    }
}

static void sort(void *base, size_t n, size_t size, compare_fn compare, compare_r_fn compare_r, void *arg) {
    size_t total;
    if (n <= 1 || size == 0 || __builtin_mul_overflow(n, size, &total)) return;
    struct sort p = {size, compare, compare_r, arg, NULL, 0};
    uintptr_t alignment = (uintptr_t)base | size;
    if (size % 8 == 0 && alignment % 8 == 0) p.words = 8;
    else if (size % 4 == 0 && alignment % 4 == 0) p.words = 4;
    _Alignas(16) char small[1024];
    if (total <= sizeof small) {
        p.tmp = small;
    } else if (!(p.tmp = malloc(total))) {
        insertion_sort(&p, base, n);
        return;
    }
    msort(&p, base, n);
    if (p.tmp != small) free(p.tmp);
}

void qsort(void *base, size_t n, size_t size, compare_fn compare) {
    sort(base, n, size, compare, NULL, NULL);
}

void qsort_r(void *base, size_t n, size_t size, compare_r_fn compare, void *arg) {
    sort(base, n, size, NULL, compare, arg);
}

void *bsearch(const void *key, const void *base, size_t n, size_t size, compare_fn compare) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        /* glibc's arithmetic, wrapping as size_t does: with huge counts the probes are the
         * ones a native run makes. */
        size_t mid = (lo + hi) / 2;
        const void *p = (const void *)((uintptr_t)base + mid * size);
        int c = compare(key, p);
        if (c < 0) hi = mid;
        else if (c > 0) lo = mid + 1;
        else return (void *)p;
    }
    return NULL;
}
