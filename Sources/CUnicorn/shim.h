// Swift cannot call C-variadic functions or use function-like macros, so the parts of
// libunicorn's API that are variadic (uc_hook_add, uc_ctl) get fixed-arity inline wrappers.
#ifndef CROSSRUN_CUNICORN_SHIM_H
#define CROSSRUN_CUNICORN_SHIM_H
#include <unicorn/unicorn.h>

/// uc_hook_add for hooks without extra arguments (code, block, interrupt, memory hooks).
static inline uc_err crossrun_uc_hook_add(uc_engine *uc, uc_hook *hh, int type, void *callback,
                                          void *user_data, uint64_t begin, uint64_t end) {
    return uc_hook_add(uc, hh, type, callback, user_data, begin, end);
}

/// uc_hook_add for UC_HOOK_INSN (x86 syscall/sysenter/in/out), which takes the instruction id.
static inline uc_err crossrun_uc_hook_add_insn(uc_engine *uc, uc_hook *hh, void *callback,
                                               void *user_data, uint64_t begin, uint64_t end,
                                               int insn) {
    return uc_hook_add(uc, hh, UC_HOOK_INSN, callback, user_data, begin, end, insn);
}

/// Flushes every translated block (needed after rewriting guest code or adding hooks).
static inline uc_err crossrun_uc_flush_tb(uc_engine *uc) {
    return uc_ctl(uc, UC_CTL_WRITE(UC_CTL_TB_FLUSH, 0));
}

/// Empties the software TLB: the next access to every page takes the slow path, where the
/// region permissions are checked (a fill grants every permission: see the adaptive TLB).
static inline uc_err crossrun_uc_flush_tlb(uc_engine *uc) {
    return uc_ctl(uc, UC_CTL_WRITE(UC_CTL_TLB_FLUSH, 0));
}

/// Chooses the CPU model (a `uc_cpu_*` value) before the engine first runs.
static inline uc_err crossrun_uc_set_cpu_model(uc_engine *uc, int model) {
    return uc_ctl(uc, UC_CTL_WRITE(UC_CTL_CPU_MODEL, 1), model);
}

/// Removes the cached translation of [begin, end).
static inline uc_err crossrun_uc_remove_cache(uc_engine *uc, uint64_t begin, uint64_t end) {
    return uc_ctl(uc, UC_CTL_WRITE(UC_CTL_TB_REMOVE_CACHE, 2), begin, end);
}

/// Adaptive TLB growth. The engine's software TLB starts at 256 entries (1 MiB) and only
/// resizes when it is flushed (doubling when more than 70% of it was in use), which a program
/// that makes no library calls never does: a strided walk over a few MiB then misses on every
/// page, each miss ~0.3 µs (fill, then the first store's `notdirty_write`). This keeps the
/// engine's virtual TLB mode (identity mapping, every permission: the region permissions are
/// still checked on the slow path, as with the CPU's own fill while its MMU is off) and counts
/// the fills: once the fills since the last growth reach twice the size it is believed to have,
/// it flushes from inside the fill (the engine re-reads its table after a fill for this reason),
/// which doubles it, up to `cap` entries.
typedef struct crossrun_tlb_policy {
    uint64_t fills;     ///< TLB fills so far
    uint64_t next;      ///< flush when `fills` reaches this
    uint64_t estimate;  ///< the size the TLB is believed to have
    uint64_t cap;       ///< no growth past this size
    uint64_t flushes;   ///< growth flushes made
} crossrun_tlb_policy;

#if UC_API_MAJOR > 2 || (UC_API_MAJOR == 2 && UC_API_MINOR >= 1)
static inline bool crossrun_tlb_fill(uc_engine *uc, uint64_t vaddr, uc_mem_type type, uc_tlb_entry *entry, void *user) {
    (void)type;
    crossrun_tlb_policy *p = (crossrun_tlb_policy *)user;
    if (++p->fills >= p->next) {
        if (p->estimate < p->cap) {
            uc_ctl(uc, UC_CTL_WRITE(UC_CTL_TLB_FLUSH, 0));
            p->estimate *= 2;
            p->flushes++;
        }
        p->next = p->fills + 2 * p->estimate;
    }
    entry->paddr = vaddr;
    entry->perms = UC_PROT_ALL;
    return true;
}
#endif

/// Switches `uc` to the adaptive TLB (a no-op on engines older than 2.1, which lack the
/// virtual TLB mode). `policy` must outlive the engine.
static inline uc_err crossrun_uc_adaptive_tlb(uc_engine *uc, crossrun_tlb_policy *policy) {
    policy->fills = 0;
    policy->estimate = 256;
    policy->next = 2 * policy->estimate;
    if (policy->cap == 0) policy->cap = 1u << 16;
    policy->flushes = 0;
#if UC_API_MAJOR > 2 || (UC_API_MAJOR == 2 && UC_API_MINOR >= 1)
    uc_err err = uc_ctl(uc, UC_CTL_WRITE(UC_CTL_TLB_TYPE, 1), UC_TLB_VIRTUAL);
    if (err != UC_ERR_OK) return err;
    uc_hook hook;
    err = uc_hook_add(uc, &hook, UC_HOOK_TLB_FILL, (void *)crossrun_tlb_fill, policy, 1, 0);
    if (err != UC_ERR_OK) (void)uc_ctl(uc, UC_CTL_WRITE(UC_CTL_TLB_TYPE, 1), UC_TLB_CPU);
    return err;
#else
    (void)uc;
    return UC_ERR_OK;
#endif
}

/* Engine initialisation without a transparent huge page. The engine initialises at the first
 * uc_ctl or mapping that needs it: it maps its 1 GiB translation buffer, asks for huge pages on
 * it (madvise MADV_HUGEPAGE) and writes its prologue at the start, so with THP in "madvise" mode
 * (the usual setting) that first write faults in a whole 2 MiB page, which the kernel zeroes:
 * 0.25-0.7 ms of CPU, 5-10% of a warm emulated hello.c, for code that a short run fills a
 * few KiB of. Around the initialisation THP is off for this process (PR_SET_THP_DISABLE), so the
 * prologue gets a 4 KiB page and the rest of that 2 MiB range follows in 4 KiB pages; buffer
 * beyond it still gets huge pages once a long run translates that much code. Returns whether
 * THP was on (the argument for crossrun_thp_resume); a process that had THP off keeps it off. */
#include <sys/prctl.h>
static inline int crossrun_thp_suspend(void) {
    if (prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0) != 0) return 0;
    return prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0;
}
static inline void crossrun_thp_resume(int suspended) {
    if (suspended) (void)prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0);
}
/// Whether THP is off for this process (1) or not (0).
static inline int crossrun_thp_off(void) { return prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0) > 0; }

/// All unmapped-memory hook bits (UC_HOOK_MEM_UNMAPPED does not import into Swift).
static const int CROSSRUN_UC_HOOK_MEM_UNMAPPED = UC_HOOK_MEM_UNMAPPED;
/// All invalid-memory hook bits.
static const int CROSSRUN_UC_HOOK_MEM_INVALID = UC_HOOK_MEM_INVALID;

/* The precise PC of a faulting memory access. When a load or store reaches unmapped or
 * protected memory, libunicorn calls the invalid-memory hook and leaves the translated block
 * without restoring the guest PC, which then still names the block's first instruction
 * (on every arch). QEMU's own fault path restores it with `cpu_restore_state(cpu, retaddr)`,
 * retaddr being the host return address into the translated code that called the memory
 * helper. Called from inside that hook, this finds that return address on the host stack
 * (the first word above this frame that lies in a translated block: the engine's lookup
 * checks the code buffer's bounds first) and lets the engine restore the PC from it.
 * It relies on engine internals, so only for the pinned release (2.1.1, whose `uc->cpu` sits
 * 416 bytes into `struct uc_struct`, and `cpu->uc` points back: both checked) and only when
 * the engine exports `cpu_restore_state_<arch>` (the static archive does; weak references,
 * so a build against another libunicorn links and answers 0). Returns 1 when the PC was
 * restored. Cost: only on faults. */
#include <stdbool.h>
#include <stdint.h>
extern bool cpu_restore_state_x86_64(void *cpu, uintptr_t host_pc, bool will_exit) __attribute__((weak));
extern bool cpu_restore_state_aarch64(void *cpu, uintptr_t host_pc, bool will_exit) __attribute__((weak));
extern bool cpu_restore_state_riscv64(void *cpu, uintptr_t host_pc, bool will_exit) __attribute__((weak));
#include <pthread.h>
extern int pthread_getattr_np(pthread_t thread, pthread_attr_t *attr);
static inline int crossrun_uc_restore_fault_pc(uc_engine *uc, int arch) {
    unsigned int major = 0, minor = 0;
    unsigned int version = uc_version(&major, &minor);
    if (major != 2 || minor != 1 || ((version >> 8) & 0xff) != 1) return 0;
    bool (*restore)(void *, uintptr_t, bool) =
        arch == UC_ARCH_X86 ? cpu_restore_state_x86_64 :
        arch == UC_ARCH_ARM64 ? cpu_restore_state_aarch64 :
        arch == UC_ARCH_RISCV ? cpu_restore_state_riscv64 : 0;
    if (!restore || !uc) return 0;
    void *cpu = *(void **)((char *)uc + 416);
    if (!cpu || *(void **)((char *)cpu + 33192) != (void *)uc) return 0;
    pthread_attr_t attr;
    void *low = 0;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) != 0) return 0;
    int got = pthread_attr_getstack(&attr, &low, &size);
    pthread_attr_destroy(&attr);
    if (got != 0) return 0;
    uintptr_t top = (uintptr_t)low + size;
    uintptr_t *word = (uintptr_t *)__builtin_frame_address(0);
    for (int i = 0; i < 4096 && (uintptr_t)(word + 1) <= top; i++, word++) {
        if (restore(cpu, *word, false)) return 1;
    }
    return 0;
}
#include <pthread.h>
#include <string.h>
#include <time.h>

/* The guest's integer register file inside the engine, for the library-call path's argument
 * reads and result writes: `env->xregs` on aarch64, `env->gpr` on riscv64, `env->regs` on
 * x86-64, indexed as the engine numbers them (x86-64: rax rcx rdx rbx rsp rbp rsi rdi r8…r15).
 * uc_reg_read/uc_reg_write reach the same words through an engine-init check, a function
 * pointer and a switch per register (~8% of a library call); inside a block hook the engine
 * has its registers in that state, as the API's own accessors assume. Engine internals, so
 * only for the pinned release (2.1.1, `uc->cpu` at 416 and `cpu->uc` at 33192, as for
 * crossrun_uc_restore_fault_pc) and found, not assumed: the argument registers are set to
 * marker values through the API, the file is the first place past the generic CPU state
 * (within 16 KiB; 2.1.1 has it 2–9 KiB further) holding all of them in their slots, and
 * values stored there must then read back through uc_reg_read; the registers are restored.
 * NULL when any of that fails: every access then goes through the API. */
static inline uint64_t crossrun_register_marker(int i, int round) {
    return 0x5eed0000c0de0000ull ^ ((uint64_t)(i + 1) * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)round << 40);
}

static inline uint64_t *crossrun_uc_integer_registers(uc_engine *uc, int arch) {
    unsigned int major = 0, minor = 0;
    unsigned int version = uc_version(&major, &minor);
    if (!uc || major != 2 || minor != 1 || ((version >> 8) & 0xff) != 1) return 0;
    int ids[8], slots[8], n = 0;
    if (arch == UC_ARCH_ARM64) {
        for (int k = 0; k < 8; k++) { ids[n] = UC_ARM64_REG_X0 + k; slots[n++] = k; }
    } else if (arch == UC_ARCH_RISCV) {
        for (int k = 10; k < 18; k++) { ids[n] = UC_RISCV_REG_X0 + k; slots[n++] = k; }
    } else if (arch == UC_ARCH_X86) {
        static const int x86[7][2] = {{UC_X86_REG_RAX, 0}, {UC_X86_REG_RCX, 1}, {UC_X86_REG_RDX, 2}, {UC_X86_REG_RSI, 6},
                                      {UC_X86_REG_RDI, 7}, {UC_X86_REG_R8, 8}, {UC_X86_REG_R9, 9}};
        for (int k = 0; k < 7; k++) { ids[n] = x86[k][0]; slots[n++] = x86[k][1]; }
    } else {
        return 0;
    }
    uint64_t saved[8];
    for (int i = 0; i < n; i++) {
        if (uc_reg_read(uc, ids[i], &saved[i]) != UC_ERR_OK) return 0;   /* also initialises the engine */
    }
    char *cpu = *(char **)((char *)uc + 416);
    if (!cpu || *(void **)(cpu + 33192) != (void *)uc) return 0;
    for (int i = 0; i < n; i++) {
        uint64_t v = crossrun_register_marker(i, 1);
        uc_reg_write(uc, ids[i], &v);
    }
    uint64_t *found = 0;
    uint64_t *word = (uint64_t *)(cpu + 33200);
    for (int w = slots[0]; w < 2048 && !found; w++) {
        if (word[w] != crossrun_register_marker(0, 1)) continue;
        uint64_t *file = word + w - slots[0];
        int all = 1;
        for (int i = 1; i < n && all; i++) all = file[slots[i]] == crossrun_register_marker(i, 1);
        if (all) found = file;
    }
    if (found) {
        for (int i = 0; i < n; i++) found[slots[i]] = crossrun_register_marker(i, 2);
        for (int i = 0; i < n && found; i++) {
            uint64_t v = 0;
            if (uc_reg_read(uc, ids[i], &v) != UC_ERR_OK || v != crossrun_register_marker(i, 2)) found = 0;
        }
    }
    for (int i = 0; i < n; i++) uc_reg_write(uc, ids[i], &saved[i]);
    return found;
}

/// The emulated scheduler's time slice: a UC_HOOK_BLOCK callback that stops the engine at a
/// block start once the ticker raised `*flag` (the ticker's flag; the run loop clears it).
static inline void crossrun_slice_hook(uc_engine *uc, uint64_t address, uint32_t size, void *flag) {
    (void)address; (void)size;
    if (__atomic_load_n((const int *)flag, __ATOMIC_RELAXED)) uc_emu_stop(uc);
}

/// Threaded programs' one block hook: a block starting in [stubs_begin, +stubs_size) (the
/// library-call stubs) goes to `library_call`; any other stops the engine once the ticker
/// raised `*flag`, as `crossrun_slice_hook` does. One hook, so Unicorn calls it directly from
/// each block; two (stubs and slice apart) make it walk its hook list at every block.
typedef struct crossrun_block_dispatch {
    const int *flag;
    uint64_t stubs_begin, stubs_size;
    void (*library_call)(uint64_t address, void *context);
    void *context;
} crossrun_block_dispatch;

static inline void crossrun_block_dispatch_hook(uc_engine *uc, uint64_t address, uint32_t size, void *user) {
    (void)size;
    const crossrun_block_dispatch *d = (const crossrun_block_dispatch *)user;
    if (__builtin_expect(address - d->stubs_begin < d->stubs_size, 0)) {
        d->library_call(address, d->context);
    } else if (__atomic_load_n(d->flag, __ATOMIC_RELAXED)) {
        uc_emu_stop(uc);
    }
}

/// Fuzzing: an AFL-style edge map fed by a UC_HOOK_BLOCK callback (C, so the hook stays cheap).
typedef struct crossrun_edge_map {
    uint8_t *map;      ///< `mask + 1` counters
    uint64_t mask;
    uint64_t previous; ///< hash of the previous block, shifted (AFL's prev_loc >> 1)
} crossrun_edge_map;

static inline void crossrun_edge_hook(uc_engine *uc, uint64_t address, uint32_t size, void *user) {
    (void)uc; (void)size;
    crossrun_edge_map *m = (crossrun_edge_map *)user;
    uint64_t h = address * 0x9E3779B97F4A7C15ull;
    uint64_t current = (h >> 32) & m->mask;
    m->map[current ^ m->previous]++;
    m->previous = current >> 1;
}

/// Fuzzing: one long-lived watchdog thread instead of libunicorn's per-call timeout thread
/// (which costs a thread creation and a sleep on every uc_emu_start). Arm it with a deadline
/// before a call; if the call is still running then, it stops the engine and sets `fired`.
typedef struct crossrun_watchdog {
    uc_engine *uc;
    int64_t deadline_ns; ///< CLOCK_MONOTONIC
    int armed, fired, quit;
    pthread_t thread;
} crossrun_watchdog;

static inline int64_t crossrun_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline void *crossrun_watchdog_main(void *p) {
    crossrun_watchdog *w = (crossrun_watchdog *)p;
    while (!__atomic_load_n(&w->quit, __ATOMIC_ACQUIRE)) {
        struct timespec nap = {0, 2000000};
        nanosleep(&nap, NULL);
        if (__atomic_load_n(&w->armed, __ATOMIC_ACQUIRE) &&
            crossrun_now_ns() > __atomic_load_n(&w->deadline_ns, __ATOMIC_ACQUIRE)) {
            __atomic_store_n(&w->armed, 0, __ATOMIC_RELEASE);
            __atomic_store_n(&w->fired, 1, __ATOMIC_RELEASE);
            uc_emu_stop(w->uc);
        }
    }
    return NULL;
}

static inline int crossrun_watchdog_start(crossrun_watchdog *w) {
    return pthread_create(&w->thread, NULL, crossrun_watchdog_main, w);
}

static inline void crossrun_watchdog_arm(crossrun_watchdog *w, int64_t micros) {
    __atomic_store_n(&w->fired, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&w->deadline_ns, crossrun_now_ns() + micros * 1000, __ATOMIC_RELEASE);
    __atomic_store_n(&w->armed, 1, __ATOMIC_RELEASE);
}

/// Disarms; returns whether the deadline passed (the call was stopped).
static inline int crossrun_watchdog_disarm(crossrun_watchdog *w) {
    __atomic_store_n(&w->armed, 0, __ATOMIC_RELEASE);
    return __atomic_load_n(&w->fired, __ATOMIC_ACQUIRE);
}

static inline void crossrun_watchdog_stop(crossrun_watchdog *w) {
    __atomic_store_n(&w->quit, 1, __ATOMIC_RELEASE);
    pthread_join(w->thread, NULL);
}

#include <poll.h>

/// Debugging (`crossrun --gdb`): Ctrl-C from the client without a Swift call per block. While
/// the program runs (`running`), a watcher thread polls the client's socket and raises
/// `pending` when bytes arrive; the block hook (C, one load per block) then calls `callback`
/// on the CPU thread, which reads them and stops the program if they hold 0x03.
typedef struct crossrun_debug_watch {
    int fd;                    ///< the client's socket (-1: none)
    int running;               ///< the program is running (written by the CPU thread)
    int pending;               ///< the client sent bytes while it ran
    int quit;                  ///< the watcher thread ends
    void (*callback)(uint64_t address, void *context);
    void *context;
    pthread_t thread;
    int started;
} crossrun_debug_watch;

static void *crossrun_debug_watch_loop(void *p) {
    crossrun_debug_watch *w = (crossrun_debug_watch *)p;
    while (!__atomic_load_n(&w->quit, __ATOMIC_ACQUIRE)) {
        int fd = __atomic_load_n(&w->fd, __ATOMIC_ACQUIRE);
        if (fd < 0 || !__atomic_load_n(&w->running, __ATOMIC_ACQUIRE) || __atomic_load_n(&w->pending, __ATOMIC_ACQUIRE)) {
            struct timespec pause = {0, 10 * 1000 * 1000};
            nanosleep(&pause, NULL);
            continue;
        }
        struct pollfd pfd = {fd, POLLIN, 0};
        if (poll(&pfd, 1, 20) > 0 && __atomic_load_n(&w->running, __ATOMIC_ACQUIRE)) {
            __atomic_store_n(&w->pending, 1, __ATOMIC_RELEASE);
        }
    }
    return NULL;
}

/// Starts the watcher thread; 0 on success.
static inline int crossrun_debug_watch_start(crossrun_debug_watch *w) {
    int err = pthread_create(&w->thread, NULL, crossrun_debug_watch_loop, w);
    w->started = err == 0;
    return err;
}

/// Ends and joins the watcher thread.
static inline void crossrun_debug_watch_stop(crossrun_debug_watch *w) {
    __atomic_store_n(&w->quit, 1, __ATOMIC_RELEASE);
    if (w->started) pthread_join(w->thread, NULL);
    w->started = 0;
}

static inline void crossrun_debug_block_hook(uc_engine *uc, uint64_t address, uint32_t size, void *user) {
    (void)uc; (void)size;
    crossrun_debug_watch *w = (crossrun_debug_watch *)user;
    if (__builtin_expect(__atomic_load_n(&w->pending, __ATOMIC_ACQUIRE), 0)) {
        __atomic_store_n(&w->pending, 0, __ATOMIC_RELEASE);
        w->callback(address, w->context);
    }
}

/// The block hook's address, for uc_hook_add.
static inline void *crossrun_debug_block_hook_pointer(void) { return (void *)crossrun_debug_block_hook; }

/// Sets the watch's fields the CPU thread changes (atomically: the watcher reads them).
static inline void crossrun_debug_watch_set(crossrun_debug_watch *w, int fd, int running) {
    __atomic_store_n(&w->fd, fd, __ATOMIC_RELEASE);
    __atomic_store_n(&w->running, running, __ATOMIC_RELEASE);
}
#endif
