// Fuzzing write tracking by host page protection (see include/CDirtyPages.h).
#include "CDirtyPages.h"
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096u
/// Once a region has this many open pages, a fault opens the whole aligned chunk around it, so
/// scattered writes cannot split the host's mappings past its limit (vm.max_map_count).
#define CHUNK_AFTER 2048u
#define CHUNK_PAGES 512u
#define MAX_ARMED 64

static crossrun_dirty_pages *volatile g_armed[MAX_ARMED];
static struct sigaction g_previous;

static void fatal(const char *what) {
    static const char head[] = "crossrun: fuzz: cannot change the protection of guest pages for write tracking (";
    ssize_t unused = write(2, head, sizeof head - 1);
    unused = write(2, what, strlen(what));
    unused = write(2, ")\n", 2);
    (void)unused;
    _exit(71);
}

/// Saves page `p` (still as it was at the snapshot) and lists it as open; the caller unprotects.
static void take(crossrun_dirty_pages *t, uint64_t p) {
    memcpy(t->saved + p * PAGE, t->host + p * PAGE, PAGE);
    t->open[p] = 1;
    t->age[p] = 0;
    t->list[t->count++] = (uint32_t)p;
}

/// Opens the pages [lo, hi] that are still protected.
static int open_range(crossrun_dirty_pages *t, uint64_t lo, uint64_t hi) {
    uint64_t first = UINT64_MAX, last = 0;
    for (uint64_t p = lo; p <= hi; p++) {
        if (t->open[p]) continue;
        take(t, p);
        if (first == UINT64_MAX) first = p;
        last = p;
    }
    if (first == UINT64_MAX) return 0;
    if (mprotect(t->host + first * PAGE, (size_t)(last - first + 1) * PAGE, PROT_READ | PROT_WRITE) != 0) {
        t->failed = 1;
        return -1;
    }
    return 0;
}

static void forward(int sig, siginfo_t *info, void *context) {
    struct sigaction p = g_previous;
    if ((p.sa_flags & SA_SIGINFO) && p.sa_sigaction) {
        p.sa_sigaction(sig, info, context);
    } else if (!(p.sa_flags & SA_SIGINFO) && p.sa_handler != SIG_DFL && p.sa_handler != SIG_IGN) {
        p.sa_handler(sig);
    } else {
        // No handler before ours: die of the signal as if ours were not there (the
        // instruction faults again on return).
        struct sigaction d;
        memset(&d, 0, sizeof d);
        d.sa_handler = SIG_DFL;
        sigemptyset(&d.sa_mask);
        sigaction(sig, &d, NULL);
    }
}

static void on_fault(int sig, siginfo_t *info, void *context) {
    if (info->si_code == SEGV_ACCERR) {
        uint8_t *a = (uint8_t *)info->si_addr;
        for (int i = 0; i < MAX_ARMED; i++) {
            crossrun_dirty_pages *t = __atomic_load_n(&g_armed[i], __ATOMIC_ACQUIRE);
            if (!t || a < t->host || (uint64_t)(a - t->host) >= t->pages * PAGE) continue;
            uint64_t p = (uint64_t)(a - t->host) / PAGE;
            if (t->open[p]) break;   // open already: not our protection
            int saved_errno = errno;
            uint64_t lo = p, hi = p;
            if (t->count >= CHUNK_AFTER) {
                lo = p - p % CHUNK_PAGES;
                hi = lo + CHUNK_PAGES - 1 < t->pages - 1 ? lo + CHUNK_PAGES - 1 : t->pages - 1;
            }
            t->faults++;
            if (open_range(t, lo, hi) != 0) fatal("mprotect failed while unprotecting a written page");
            errno = saved_errno;
            return;
        }
    }
    forward(sig, info, context);
}

static int install_handler(void) {
    struct sigaction current;
    if (sigaction(SIGSEGV, NULL, &current) != 0) return -1;
    if ((current.sa_flags & SA_SIGINFO) && current.sa_sigaction == on_fault) return 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    g_previous = current;
    return sigaction(SIGSEGV, &sa, NULL);
}

int crossrun_dirty_init(crossrun_dirty_pages *t, uint64_t base, uint64_t pages, void *host) {
    memset(t, 0, sizeof *t);
    if (pages == 0 || pages > UINT32_MAX || ((uintptr_t)host % PAGE) != 0) return -1;
    t->base = base;
    t->pages = pages;
    t->host = (uint8_t *)host;
    void *saved = mmap(NULL, (size_t)(pages * PAGE), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (saved == MAP_FAILED) return -1;
    t->saved = (uint8_t *)saved;
    t->open = calloc((size_t)pages, 1);
    t->age = calloc((size_t)pages, 1);
    t->list = calloc((size_t)pages, sizeof *t->list);
    t->spare = calloc((size_t)pages, sizeof *t->spare);
    if (!t->open || !t->age || !t->list || !t->spare) {
        crossrun_dirty_free(t);
        return -1;
    }
    return 0;
}

void crossrun_dirty_free(crossrun_dirty_pages *t) {
    crossrun_dirty_disarm(t);
    if (t->saved) munmap(t->saved, (size_t)(t->pages * PAGE));
    free(t->open);
    free(t->age);
    free(t->list);
    free(t->spare);
    memset(t, 0, sizeof *t);
}

int crossrun_dirty_arm(crossrun_dirty_pages *t) {
    if (!t->saved || install_handler() != 0) return -1;
    if (!t->armed) {
        int slot = -1;
        for (int i = 0; i < MAX_ARMED && slot < 0; i++) {
            crossrun_dirty_pages *expected = NULL;
            if (__atomic_compare_exchange_n(&g_armed[i], &expected, t, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) slot = i;
        }
        if (slot < 0) return -1;
    }
    for (uint64_t i = 0; i < t->count; i++) t->open[t->list[i]] = 0;
    t->count = 0;
    t->armed = 1;
    if (mprotect(t->host, (size_t)(t->pages * PAGE), PROT_READ) != 0) {
        crossrun_dirty_disarm(t);
        return -1;
    }
    return 0;
}

void crossrun_dirty_disarm(crossrun_dirty_pages *t) {
    if (!t->armed) return;
    for (int i = 0; i < MAX_ARMED; i++) {
        crossrun_dirty_pages *expected = t;
        __atomic_compare_exchange_n(&g_armed[i], &expected, NULL, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
    }
    mprotect(t->host, (size_t)(t->pages * PAGE), PROT_READ | PROT_WRITE);
    for (uint64_t i = 0; i < t->count; i++) t->open[t->list[i]] = 0;
    t->count = 0;
    t->armed = 0;
}

void crossrun_dirty_mark(crossrun_dirty_pages *t, uint64_t address, uint64_t size) {
    if (!t->armed || size == 0) return;
    uint64_t end = t->base + t->pages * PAGE;
    uint64_t last = size - 1 > UINT64_MAX - address ? UINT64_MAX : address + (size - 1);
    if (last < t->base || address >= end) return;
    uint64_t lo = address < t->base ? 0 : (address - t->base) / PAGE;
    uint64_t hi = last >= end ? t->pages - 1 : (last - t->base) / PAGE;
    open_range(t, lo, hi);   // on failure the write faults and the handler reports it
}

static int by_page(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

void crossrun_dirty_restore(crossrun_dirty_pages *t) {
    if (!t->armed) return;
    uint64_t kept = 0, cold = 0;
    for (uint64_t i = 0; i < t->count; i++) {
        uint32_t p = t->list[i];
        uint8_t *h = t->host + (uint64_t)p * PAGE, *s = t->saved + (uint64_t)p * PAGE;
        if (memcmp(h, s, PAGE) != 0) {
            memcpy(h, s, PAGE);
            t->age[p] = 0;
            t->restored++;
        } else if (t->age[p] < 255) {
            t->age[p]++;
        }
        if (t->age[p] >= CROSSRUN_DIRTY_AGE_LIMIT || kept >= CROSSRUN_DIRTY_HOT_MAX) t->spare[cold++] = p;
        else t->list[kept++] = p;
    }
    t->count = kept;
    if (cold == 0) return;
    qsort(t->spare, (size_t)cold, sizeof *t->spare, by_page);
    for (uint64_t i = 0; i < cold;) {
        uint64_t j = i + 1;
        while (j < cold && t->spare[j] == t->spare[j - 1] + 1) j++;
        uint64_t first = t->spare[i];
        t->protects++;
        if (mprotect(t->host + first * PAGE, (size_t)(j - i) * PAGE, PROT_READ) == 0) {
            for (uint64_t k = i; k < j; k++) t->open[t->spare[k]] = 0;
        } else {
            for (uint64_t k = i; k < j; k++) { t->age[t->spare[k]] = 0; t->list[t->count++] = t->spare[k]; }   // stays open
        }
        i = j;
    }
}
