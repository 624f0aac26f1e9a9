// Fuzzing resets without a per-store hook: the pages of a writable guest region are
// write-protected in the *host* (guest memory is host memory mapped into the engine with
// uc_mem_map_ptr), the first write to a page faults once in the host, a SIGSEGV handler saves
// the page and unprotects it, and the store retries. At a reset only those pages are put
// back. Pages written by almost every input stay unprotected ("hot") and are compared with
// their saved copy at each reset instead, so a steady state costs no fault and no system call.
// The engine's own permissions (the guest's view) are never touched: a store the guest may
// not make still stops the engine as before.
#ifndef CROSSRUN_CDIRTYPAGES_H
#define CROSSRUN_CDIRTYPAGES_H
#include <stdint.h>

/// Write tracking for one region of host memory of `pages` 4 KiB pages at `host`.
typedef struct crossrun_dirty_pages {
    uint64_t base;      ///< guest address of the region (host writes are marked by guest address)
    uint64_t pages;     ///< its size in pages
    uint8_t *host;      ///< the region's host memory (page-aligned)
    uint8_t *saved;     ///< `pages` pages: a page's contents at the snapshot, once it was unprotected
    uint8_t *open;      ///< per page: 1 if writable in the host (its `saved` copy is valid), 0 if protected
    uint8_t *age;       ///< per open page: resets in a row at which it was found unchanged
    uint32_t *list;     ///< the open pages, `count` of them (the hot ones first)
    uint32_t *spare;    ///< scratch for a reset: the pages to protect again
    uint64_t count;
    int armed;          ///< tracking is on (between crossrun_dirty_arm and crossrun_dirty_disarm)
    int failed;         ///< a protection change failed (the host ran out of memory mappings)
    uint64_t faults;    ///< statistics: first writes caught by the fault handler
    uint64_t protects;  ///< statistics: mprotect calls made to protect pages again
    uint64_t restored;  ///< statistics: pages copied back at resets
} crossrun_dirty_pages;

/// Sets up tracking of `pages` pages at `host` (guest address `base`); nothing is protected
/// yet. Returns 0, or -1 if the bookkeeping memory cannot be had.
int crossrun_dirty_init(crossrun_dirty_pages *t, uint64_t base, uint64_t pages, void *host);
/// Disarms and releases the bookkeeping (not the region).
void crossrun_dirty_free(crossrun_dirty_pages *t);
/// Takes the current contents as the snapshot: installs the fault handler (again if someone
/// replaced it), write-protects the whole region and starts tracking. Returns 0 or -1.
int crossrun_dirty_arm(crossrun_dirty_pages *t);
/// Stops tracking and makes the whole region writable again.
void crossrun_dirty_disarm(crossrun_dirty_pages *t);
/// The host is about to write [address, address + size) (guest addresses): saves and opens the
/// pages of it that are still protected, so host code and system calls can write them.
void crossrun_dirty_mark(crossrun_dirty_pages *t, uint64_t address, uint64_t size);
/// Puts every page written since the last reset back as it was at the snapshot; protects
/// again the pages that were not written lately (or too many to keep open).
void crossrun_dirty_restore(crossrun_dirty_pages *t);

/// Open pages kept across resets at most, per region.
enum { CROSSRUN_DIRTY_HOT_MAX = 1024 };
/// Resets in a row a hot page may come back unchanged before it is protected again.
enum { CROSSRUN_DIRTY_AGE_LIMIT = 32 };

#endif
