// Native fuzzing (x86-64 host): the SanitizerCoverage callbacks a harness built with
// -fsanitize-coverage=trace-pc-guard,trace-cmp calls, recording into memory shared with the
// fuzzer, and the worker loop of the forked process that runs the inputs.
#define _GNU_SOURCE
#include "CNativeSupport.h"
#include <stddef.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static crossrun_fuzz_shared *g_shared;
static uint32_t g_next_guard;

void crossrun_fuzz_attach(crossrun_fuzz_shared *shared) { g_shared = shared; }

int64_t crossrun_fuzz_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void __sanitizer_cov_trace_pc_guard_init(uint32_t *start, uint32_t *stop) {
    if (start == stop || *start) return;
    for (uint32_t *g = start; g < stop; g++) *g = ++g_next_guard % CROSSRUN_FUZZ_MAP_SIZE;
}

void __sanitizer_cov_trace_pc_guard(uint32_t *guard) {
    if (g_shared) g_shared->map[*guard]++;
}

static void record(uint64_t a, uint64_t b, uint32_t width) {
    if (!g_shared || a == b) return;
    if (width > 1 && a <= 0xff && b <= 0xff) return;
    uint64_t i = g_shared->cmp_count++ % CROSSRUN_FUZZ_CMP_SLOTS;
    g_shared->cmps[i].a = a;
    g_shared->cmps[i].b = b;
    g_shared->cmps[i].width = width;
    g_shared->cmps[i].length = 0;
}

static void record_bytes(const void *a, const void *b, size_t n) {
    if (!g_shared || n == 0) return;
    if (n > CROSSRUN_FUZZ_CMP_BYTES) n = CROSSRUN_FUZZ_CMP_BYTES;
    uint64_t i = g_shared->cmp_count++ % CROSSRUN_FUZZ_CMP_SLOTS;
    memcpy(g_shared->cmps[i].bytes_a, a, n);
    memcpy(g_shared->cmps[i].bytes_b, b, n);
    g_shared->cmps[i].length = (uint32_t)n;
    g_shared->cmps[i].width = 0;
}

void __sanitizer_cov_trace_cmp1(uint8_t a, uint8_t b) { record(a, b, 1); }
void __sanitizer_cov_trace_cmp2(uint16_t a, uint16_t b) { record(a, b, 2); }
void __sanitizer_cov_trace_cmp4(uint32_t a, uint32_t b) { record(a, b, 4); }
void __sanitizer_cov_trace_cmp8(uint64_t a, uint64_t b) { record(a, b, 8); }
void __sanitizer_cov_trace_const_cmp1(uint8_t a, uint8_t b) { record(a, b, 1); }
void __sanitizer_cov_trace_const_cmp2(uint16_t a, uint16_t b) { record(a, b, 2); }
void __sanitizer_cov_trace_const_cmp4(uint32_t a, uint32_t b) { record(a, b, 4); }
void __sanitizer_cov_trace_const_cmp8(uint64_t a, uint64_t b) { record(a, b, 8); }
void __sanitizer_cov_trace_switch(uint64_t value, uint64_t *cases) {
    uint32_t width = (uint32_t)(cases[1] / 8);
    for (uint64_t i = 0; i < cases[0] && i < 256; i++) record(value, cases[2 + i], width ? width : 8);
}

static size_t bounded_len(const char *s, size_t n) { const char *e = memchr(s, 0, n); return e ? (size_t)(e - s) : n; }

int crossrun_fuzz_memcmp(const void *a, const void *b, size_t n) { record_bytes(a, b, n); return memcmp(a, b, n); }
int crossrun_fuzz_bcmp(const void *a, const void *b, size_t n) { record_bytes(a, b, n); return bcmp(a, b, n); }
int crossrun_fuzz_strcmp(const char *a, const char *b) {
    record_bytes(a, b, bounded_len(a, 64) > bounded_len(b, 64) ? bounded_len(a, 64) : bounded_len(b, 64) + 1);
    return strcmp(a, b);
}
int crossrun_fuzz_strncmp(const char *a, const char *b, size_t n) {
    size_t m = bounded_len(b, n < 64 ? n : 64);
    record_bytes(a, b, m < bounded_len(a, m) ? m : bounded_len(a, m));
    return strncmp(a, b, n);
}
int crossrun_fuzz_strcasecmp(const char *a, const char *b) {
    record_bytes(a, b, bounded_len(b, 64));
    return strcasecmp(a, b);
}
char *crossrun_fuzz_strstr(const char *h, const char *n) {
    size_t len = bounded_len(n, 64);
    if (len && g_shared) {
        uint64_t i = g_shared->cmp_count++ % CROSSRUN_FUZZ_CMP_SLOTS;
        memcpy(g_shared->cmps[i].bytes_a, n, len);
        memcpy(g_shared->cmps[i].bytes_b, n, len);
        g_shared->cmps[i].length = (uint32_t)len;
        g_shared->cmps[i].width = 0;
    }
    return strstr(h, n);
}

_Noreturn void crossrun_fuzz_worker(int command_fd, int reply_fd, crossrun_fuzz_test_one test_one, size_t max_len,
                                     uint8_t *window, size_t span) {
    // The input goes at the end of `window`, which a guard page follows (reads past it fault;
    // it stays writable: protecting it per input would cost two system calls).
    uint8_t *region = window;
    for (;;) {
        uint32_t size;
        if (read(command_fd, &size, sizeof size) != (ssize_t)sizeof size) _exit(0);
        if (size > max_len) size = (uint32_t)max_len;
        uint8_t *data = region + span - size;
        memcpy(data, g_shared->input, size);
        test_one(data, size);
        char done = 1;
        if (write(reply_fd, &done, 1) != 1) _exit(0);
    }
}

/* --- Native heap checker: every block ends right before an inaccessible page ------------- */
/* (ElectricFence style.) The few bytes between the requested size and the 16-byte-aligned end
 * hold a pattern checked at free; freed blocks stay inaccessible for a while, so a use after
 * free faults. The crash reporter asks crossrun_fuzz_fault_note what a fault address was. */
#include <stdio.h>
#include <stdlib.h>

#define TABLE_SIZE 65536
#define QUARANTINE 2048
typedef struct { uintptr_t ptr; size_t size; } block_t;
static block_t g_live[TABLE_SIZE];
static size_t g_live_count;
static block_t g_freed[QUARANTINE];
static size_t g_freed_next;
static size_t g_page;

static size_t slot_of(uintptr_t p) { return (size_t)((p >> 4) * 0x9E3779B97F4A7C15ull >> 48) & (TABLE_SIZE - 1); }
static size_t round16(size_t n) { return (n + 15) & ~(size_t)15; }
static uintptr_t map_base(block_t b) { return (b.ptr & ~(g_page - 1)); }
static size_t map_length(block_t b) { return (b.ptr + round16(b.size) - map_base(b)) + g_page; }

static void heap_report(const char *kind, const char *detail, uintptr_t p, size_t size) {
    char line[256];
    int n = snprintf(line, sizeof line, "crossrun fuzz heap: %s: %s the %zu-byte block at %#lx\n", kind, detail, size, (unsigned long)p);
    if (n > 0) { ssize_t unused = write(2, line, (size_t)n); (void)unused; }
    if (crossrun_native_report_copy && n > 0) {
        memcpy(crossrun_native_report_copy, line, (size_t)n - 1);
        crossrun_native_report_copy[n - 1] = 0;
        crossrun_native_report_copy = NULL;   /* keep this line, not abort()'s */
    }
    abort();
}

void *crossrun_fuzz_malloc(size_t size) {
    if (!g_page) g_page = (size_t)sysconf(_SC_PAGESIZE);
    if (size > ((size_t)1 << 32) || g_live_count > TABLE_SIZE / 2) return malloc(size);
    size_t total = round16(size ? size : 1);
    size_t data_pages = (total + g_page - 1) / g_page;
    uint8_t *base = mmap(NULL, (data_pages + 1) * g_page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) return NULL;
    mprotect(base + data_pages * g_page, g_page, PROT_NONE);
    uint8_t *p = base + data_pages * g_page - total;
    memset(p + size, 0xFA, total - size);
    size_t s = slot_of((uintptr_t)p);
    while (g_live[s].ptr) s = (s + 1) & (TABLE_SIZE - 1);
    g_live[s] = (block_t){(uintptr_t)p, size};
    g_live_count++;
    return p;
}

void *crossrun_fuzz_calloc(size_t n, size_t size) {
    if (size && n > SIZE_MAX / size) return NULL;
    return crossrun_fuzz_malloc(n * size);   /* fresh mappings are zero */
}

static block_t *find_live(uintptr_t p) {
    for (size_t s = slot_of(p), k = 0; k < TABLE_SIZE && g_live[s].ptr; s = (s + 1) & (TABLE_SIZE - 1), k++)
        if (g_live[s].ptr == p) return &g_live[s];
    return NULL;
}

void crossrun_fuzz_free(void *q) {
    uintptr_t p = (uintptr_t)q;
    if (!p) return;
    block_t *b = find_live(p);
    if (!b) {
        for (size_t i = 0; i < QUARANTINE; i++)
            if (g_freed[i].ptr == p) heap_report("double-free", "free() of the already freed", p, g_freed[i].size);
        free(q);
        return;
    }
    block_t block = *b;
    size_t total = round16(block.size ? block.size : 1);
    for (size_t i = block.size; i < total; i++)
        if (((uint8_t *)p)[i] != 0xFA) heap_report("heap-buffer-overflow", "write past the end of", p, block.size);
    /* Remove from the table (backward-shift deletion keeps probe chains intact). */
    size_t s = (size_t)(b - g_live);
    g_live[s].ptr = 0;
    for (size_t j = (s + 1) & (TABLE_SIZE - 1); g_live[j].ptr; j = (j + 1) & (TABLE_SIZE - 1)) {
        block_t moved = g_live[j];
        g_live[j].ptr = 0;
        size_t t = slot_of(moved.ptr);
        while (g_live[t].ptr) t = (t + 1) & (TABLE_SIZE - 1);
        g_live[t] = moved;
    }
    g_live_count--;
    mprotect((void *)map_base(block), map_length(block) - g_page, PROT_NONE);
    block_t old = g_freed[g_freed_next];
    if (old.ptr) munmap((void *)map_base(old), map_length(old));
    g_freed[g_freed_next] = block;
    g_freed_next = (g_freed_next + 1) % QUARANTINE;
}

void *crossrun_fuzz_realloc(void *q, size_t size) {
    if (!q) return crossrun_fuzz_malloc(size);
    block_t *b = find_live((uintptr_t)q);
    if (!b) return realloc(q, size);
    size_t old = b->size;
    if (size == 0) { crossrun_fuzz_free(q); return NULL; }
    void *n = crossrun_fuzz_malloc(size);
    if (n) { memcpy(n, q, old < size ? old : size); crossrun_fuzz_free(q); }
    return n;
}

/* Called by the crash reporter (async-signal context: no allocation, no locks). */
static const char *fault_note(uintptr_t address) {
    if (!g_page) return NULL;
    for (size_t i = 0; i < QUARANTINE; i++) {
        block_t b = g_freed[i];
        if (b.ptr && address >= map_base(b) && address < b.ptr + round16(b.size ? b.size : 1)) return " [heap-use-after-free]";
    }
    uintptr_t page = address & ~(g_page - 1);
    for (size_t s = 0; s < TABLE_SIZE; s++) {
        block_t b = g_live[s];
        if (b.ptr && page == ((b.ptr + round16(b.size ? b.size : 1) + g_page - 1) & ~(g_page - 1))) return " [heap-buffer-overflow]";
    }
    return NULL;
}

void crossrun_fuzz_enable_heap_checker(void) { crossrun_native_fault_note = fault_note; }

size_t crossrun_fuzz_nonzero_words(const uint64_t *map, size_t words, uint32_t *out) {
    size_t n = 0;
    for (size_t w = 0; w < words; w += 8) {
        uint64_t any = map[w] | map[w + 1] | map[w + 2] | map[w + 3] | map[w + 4] | map[w + 5] | map[w + 6] | map[w + 7];
        if (!any) continue;
        for (size_t k = w; k < w + 8; k++)
            if (map[k]) out[n++] = (uint32_t)k;
    }
    return n;
}

size_t crossrun_fuzz_input_offset(void) { return offsetof(crossrun_fuzz_shared, input); }
