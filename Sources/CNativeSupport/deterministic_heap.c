// `--deterministic` natively: the program's malloc family on a heap of its own at a fixed
// address, so the addresses it gets do not depend on what CrossRun allocated before the
// program started (which varies with the compile cache, the environment and the machine's load).
//
// Size classes (16-byte steps up to 1 KiB, powers of two above) with one free list each, a
// bump pointer in a 64 GiB MAP_NORESERVE reservation, a 16-byte header per block, one mutex.
// Pointers the host C library allocated (strdup, getline with a NULL buffer, asprintf...)
// are freed and reallocated by the host's functions: only blocks inside the arena are ours.
#define _GNU_SOURCE
#include "deterministic.h"
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define ARENA_ADDRESS ((uintptr_t)0x100000000000ULL)
#define ARENA_SIZE ((size_t)64 << 30)
#define HEADER 16
#define SMALL_LIMIT 1024
#define SMALL_CLASSES (SMALL_LIMIT / 16)
#define CLASSES (SMALL_CLASSES + 26)            /* 2 KiB ... 64 GiB */
#define LIVE_MAGIC 0x6c697665u
#define FREE_MAGIC 0x66726565u

/* The free-list link lives in the header: a 0-byte block has no room after it. */
typedef struct header { uint32_t class_index; uint32_t magic; struct header *next; } header;

static pthread_mutex_t heap_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char *arena, *arena_end, *bump;
static header *free_lists[CLASSES];

static size_t class_size(unsigned c) { return c < SMALL_CLASSES ? (size_t)(c + 1) * 16 : (size_t)2048 << (c - SMALL_CLASSES); }

/// The class holding `total` bytes (header included), or CLASSES if none can.
static unsigned class_of(size_t total) {
    if (total <= SMALL_LIMIT) return (unsigned)((total + 15) / 16) - 1;
    for (unsigned c = SMALL_CLASSES; c < CLASSES; c++) if (class_size(c) >= total) return c;
    return CLASSES;
}

static int in_arena(const void *p) {
    return arena && (const unsigned char *)p >= arena && (const unsigned char *)p < arena_end;
}

/* 64 GiB, or 1 GiB where the kernel accounts even MAP_NORESERVE mappings (overcommit_memory=2);
   at the fixed address, else anywhere (addresses then follow the host's mappings); with neither,
   the host's malloc serves the program. */
static void reserve(void) {
    static const size_t sizes[] = {ARENA_SIZE, (size_t)1 << 30};
    for (int fixed = 1; fixed >= 0; fixed--) {
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | (fixed ? MAP_FIXED_NOREPLACE : 0);
            void *m = mmap(fixed ? (void *)ARENA_ADDRESS : NULL, sizes[i], PROT_READ | PROT_WRITE, flags, -1, 0);
            if (m == MAP_FAILED) continue;
            if (fixed && (uintptr_t)m != ARENA_ADDRESS) { munmap(m, sizes[i]); continue; }   /* a kernel before 4.17 */
            arena = bump = m;
            arena_end = arena + sizes[i];
            return;
        }
    }
}

static _Noreturn void heap_error(const char *what) {
    static const char prefix[] = "crossrun: deterministic heap: ";
    (void)!write(2, prefix, sizeof prefix - 1);
    (void)!write(2, what, strlen(what));
    (void)!write(2, "\n", 1);
    abort();
}

static header *header_of(void *p) {
    header *h = (header *)((unsigned char *)p - HEADER);
    if (((uintptr_t)p & 15) != 0 || h->class_index >= CLASSES) heap_error("free(): invalid pointer");
    if (h->magic == FREE_MAGIC) heap_error("free(): double free detected");
    if (h->magic != LIVE_MAGIC) heap_error("free(): invalid pointer");
    return h;
}

void *crossrun_det_malloc(size_t size) {
    if (size > ARENA_SIZE - HEADER) { errno = ENOMEM; return NULL; }
    unsigned c = class_of(size + HEADER);
    if (c >= CLASSES) { errno = ENOMEM; return NULL; }
    pthread_mutex_lock(&heap_lock);
    if (!arena) reserve();
    if (!arena) { pthread_mutex_unlock(&heap_lock); return malloc(size); }
    unsigned char *block = (unsigned char *)free_lists[c];
    if (block) {
        free_lists[c] = free_lists[c]->next;
    } else if ((size_t)(arena_end - bump) >= class_size(c)) {
        block = bump;
        bump += class_size(c);
    }
    if (block) {
        header *h = (header *)block;
        h->class_index = c;
        h->magic = LIVE_MAGIC;
        h->next = NULL;
    }
    pthread_mutex_unlock(&heap_lock);
    if (!block) { errno = ENOMEM; return NULL; }
    return block + HEADER;
}

void crossrun_det_free(void *p) {
    if (!p) return;
    if (!in_arena(p)) { free(p); return; }
    pthread_mutex_lock(&heap_lock);
    header *h = header_of(p);
    h->magic = FREE_MAGIC;
    size_t size = class_size(h->class_index);
    if (size >= ((size_t)1 << 20)) {   /* give a big block's pages back (the header's page stays) */
        uintptr_t start = ((uintptr_t)h + HEADER + 4095) & ~(uintptr_t)4095, end = ((uintptr_t)h + size) & ~(uintptr_t)4095;
        if (end > start) madvise((void *)start, end - start, MADV_DONTNEED);
    }
    h->next = free_lists[h->class_index];
    free_lists[h->class_index] = h;
    pthread_mutex_unlock(&heap_lock);
}

size_t crossrun_det_malloc_usable_size(void *p) {
    if (!p) return 0;
    if (!in_arena(p)) return malloc_usable_size(p);
    return class_size(header_of(p)->class_index) - HEADER;
}

void *crossrun_det_realloc(void *p, size_t size) {
    if (!p) return crossrun_det_malloc(size);
    if (!in_arena(p)) return realloc(p, size);
    if (size == 0) { crossrun_det_free(p); return NULL; }
    size_t capacity = crossrun_det_malloc_usable_size(p);
    if (size <= capacity) return p;
    void *q = crossrun_det_malloc(size);
    if (!q) return NULL;
    memcpy(q, p, capacity);
    crossrun_det_free(p);
    return q;
}

void *crossrun_det_calloc(size_t count, size_t size) {
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) { errno = ENOMEM; return NULL; }
    void *p = crossrun_det_malloc(total);
    if (p) memset(p, 0, total);
    return p;
}

void *crossrun_det_reallocarray(void *p, size_t count, size_t size) {
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) { errno = ENOMEM; return NULL; }
    return crossrun_det_realloc(p, total);
}

/// getdelim as glibc's (a NULL or empty buffer first gets 120 bytes; it at least doubles when
/// a line does not fit), growing buffers of this heap with this heap's realloc. A buffer the
/// host allocated is the host's getdelim's business.
ssize_t crossrun_det_getdelim(char **line, size_t *n, int delimiter, FILE *stream) {
    if (!line || !n || !stream) { errno = EINVAL; return -1; }
    if (*line && !in_arena(*line)) return getdelim(line, n, delimiter, stream);
    if (*line && *n > crossrun_det_malloc_usable_size(*line)) *n = crossrun_det_malloc_usable_size(*line);   /* never past the block */
    if (!*line || *n == 0) {
        char *fresh = crossrun_det_realloc(*line, 120);
        if (!fresh) return -1;
        *line = fresh;
        *n = 120;
    }
    size_t length = 0;
    int c = EOF;
    flockfile(stream);
    while ((c = getc_unlocked(stream)) != EOF) {
        if (length + 2 > *n) {
            size_t wanted = *n * 2 > length + 2 ? *n * 2 : length + 2;
            char *grown = crossrun_det_realloc(*line, wanted);
            if (!grown) { funlockfile(stream); return -1; }
            *line = grown;
            *n = wanted;
        }
        (*line)[length++] = (char)c;
        if (c == delimiter) break;
    }
    funlockfile(stream);
    (*line)[length] = 0;
    return length == 0 && c == EOF ? -1 : (ssize_t)length;
}

ssize_t crossrun_det_getline(char **line, size_t *n, FILE *stream) { return crossrun_det_getdelim(line, n, '\n', stream); }
