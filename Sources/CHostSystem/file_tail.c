#define _GNU_SOURCE
// Guest file mappings that reach past the file's end. A guest maps more of a file than it
// holds and then grows the file with write/pwrite/ftruncate (LMDB maps its whole map size of a
// small data file and writes pages with pwrite, then reads them through the mapping). So the
// host maps the whole requested length from the file, and the pages become the file's as
// soon as it covers them. A page still past the end when something touches it raises SIGBUS
// on the host, as Linux gives the guest SIGBUS: this handler moves the file's page aside
// (mremap) and maps a private zero page in its place so the access completes (CrossRun is not
// killed), records the address and stops the emulating thread's engine, which then gives the
// guest its SIGBUS (BUS_ADRERR) and puts the file's page back: touched again it faults again,
// and once the file grows over it, it shows the file's bytes, as on Linux.
#include "CHostSystem.h"
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

enum { SLOTS = 512 };
/* Host ranges [start, end) of file mappings; end == 0: a free slot. Written by the one
   thread that maps and unmaps for the guest, read by the handler on that same thread. */
static volatile uintptr_t range_start[SLOTS], range_end[SLOTS];
static struct sigaction previous;
static int installed;
/* The emulating thread's engine stop, and the first host address a bus error hit since the
   emulator last took it (0: none). */
static _Thread_local void (*stop_function)(void *);
static _Thread_local void *stop_context;
static _Thread_local volatile uintptr_t pending_address;
/* File pages the handler moved aside (to `moved`) from host page `page`, to put back. */
enum { MOVED = 8 };
static _Thread_local struct { uintptr_t page; void *moved; } moved_pages[MOVED];
static _Thread_local volatile int moved_count;

static int find(uintptr_t address) {
    for (int i = 0; i < SLOTS; i++)
        if (range_end[i] != 0 && range_start[i] <= address && address < range_end[i]) return i;
    return -1;
}

static void on_bus_error(int sig, siginfo_t *info, void *context) {
    uintptr_t address = (uintptr_t)info->si_addr;
    long page = sysconf(_SC_PAGESIZE);
    if (find(address) >= 0 && page > 0) {
        void *base = (void *)(address & ~(uintptr_t)(page - 1));
        /* Aside: over a fresh reserved page (mremap of an unchanged size never moves by itself). */
        void *moved = MAP_FAILED;
        if (moved_count < MOVED) {
            void *spot = mmap(NULL, (size_t)page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
            if (spot != MAP_FAILED) {
                moved = mremap(base, (size_t)page, (size_t)page, MREMAP_MAYMOVE | MREMAP_FIXED, spot);
                if (moved == MAP_FAILED) munmap(spot, (size_t)page);
            }
        }
        if (mmap(base, (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED) {
            /* The faulting access runs again on the zero page; the guest gets SIGBUS after it. */
            if (moved != MAP_FAILED) {
                moved_pages[moved_count].page = (uintptr_t)base;
                moved_pages[moved_count].moved = moved;
                moved_count++;
            }
            if (pending_address == 0) pending_address = address ? address : 1;
            if (stop_function) stop_function(stop_context);
            return;
        }
        if (moved != MAP_FAILED) mremap(moved, (size_t)page, (size_t)page, MREMAP_MAYMOVE | MREMAP_FIXED, base);
    }
    /* Not ours: what the host would have done. */
    if (previous.sa_flags & SA_SIGINFO) {
        if (previous.sa_sigaction) { previous.sa_sigaction(sig, info, context); return; }
    } else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN) {
        previous.sa_handler(sig);
        return;
    }
    signal(SIGBUS, SIG_DFL);
    raise(SIGBUS);
}

static int add(uintptr_t start, uintptr_t end) {
    if (start >= end) return 0;
    for (int i = 0; i < SLOTS; i++)
        if (range_end[i] == 0) {
            range_start[i] = start;
            __atomic_store_n(&range_end[i], end, __ATOMIC_RELEASE);
            return 0;
        }
    return -1;
}

int crossrun_file_mapping_register(void *start, size_t length) {
    if (!installed) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_bus_error;
        sa.sa_flags = SA_SIGINFO | SA_NODEFER;
        sigemptyset(&sa.sa_mask);
        if (sigaction(SIGBUS, &sa, &previous) != 0) return -1;
        installed = 1;
    }
    return add((uintptr_t)start, (uintptr_t)start + length);
}

void crossrun_file_mapping_forget(void *start, size_t length) {
    uintptr_t a = (uintptr_t)start, b = a + length;
    /* Pages moved aside from the range are not put back there (it is being unmapped). */
    long page = sysconf(_SC_PAGESIZE);
    for (int i = 0; i < moved_count; i++)
        if (moved_pages[i].moved && moved_pages[i].page >= a && moved_pages[i].page < b) {
            munmap(moved_pages[i].moved, (size_t)page);
            moved_pages[i].moved = NULL;
        }
    for (int i = 0; i < SLOTS; i++) {
        uintptr_t s = range_start[i], e = range_end[i];
        if (e == 0 || e <= a || b <= s) continue;
        __atomic_store_n(&range_end[i], 0, __ATOMIC_RELEASE);
        /* Keep what lies outside [a, b); a slot was just freed, so the first piece fits. */
        if (s < a) add(s, a);
        if (b < e && add(b, e) != 0) { /* no room: the rest goes unguarded, as before mapping */ }
    }
}

void crossrun_file_mapping_set_stop(void (*stop)(void *), void *context) {
    stop_function = stop;
    stop_context = context;
}

uintptr_t crossrun_file_mapping_take_bus_error(void) {
    long page = sysconf(_SC_PAGESIZE);
    for (int i = 0; i < moved_count; i++)
        if (moved_pages[i].moved)
            mremap(moved_pages[i].moved, (size_t)page, (size_t)page, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)moved_pages[i].page);
    moved_count = 0;
    uintptr_t address = pending_address;
    pending_address = 0;
    return address;
}
