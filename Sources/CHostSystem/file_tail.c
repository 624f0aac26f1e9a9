#define _GNU_SOURCE
// Guest file mappings that reach past the file's end. A guest maps more of a file than it
// holds and then grows the file with write/pwrite/ftruncate (LMDB maps its whole map size of a
// small data file and writes pages with pwrite, then reads them through the mapping). So the
// host maps the whole requested length from the file, and the pages become the file's as
// soon as it covers them. A page still past the end when something touches it raises SIGBUS
// on the host (Linux would give the guest SIGBUS); this handler maps a private zero page over
// it instead, so the access is retried and reads zeros, and CrossRun is not killed.
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
        if (mmap(base, (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED)
            return;   /* the faulting access runs again on the zero page */
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
    for (int i = 0; i < SLOTS; i++) {
        uintptr_t s = range_start[i], e = range_end[i];
        if (e == 0 || e <= a || b <= s) continue;
        __atomic_store_n(&range_end[i], 0, __ATOMIC_RELEASE);
        /* Keep what lies outside [a, b); a slot was just freed, so the first piece fits. */
        if (s < a) add(s, a);
        if (b < e && add(b, e) != 0) { /* no room: the rest goes unguarded, as before mapping */ }
    }
}
