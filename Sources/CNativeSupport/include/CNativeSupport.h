// Native-run support that must be plain C: an async-signal-safe crash reporter and the
// start-up / exit sequence around the guest's entry point.
#ifndef CROSSRUN_NATIVE_SUPPORT_H
#define CROSSRUN_NATIVE_SUPPORT_H
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <time.h>

/// One image symbol for crash symbolization (addresses are absolute).
typedef struct crossrun_symbol {
    uintptr_t start;
    uintptr_t size;
    const char *name;
} crossrun_symbol;

/// Installs handlers for SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP and SIGABRT that print one
/// line (`crossrun: PROGRAM: SIGSEGV (...) at pc 0x... (main+0x1c), fault address 0x...`) and
/// exit with status 128+signal. `symbols` must stay valid and be sorted by start.
void crossrun_native_install_crash_handlers(const char *program, uintptr_t image_base, size_t image_size,
                                            const crossrun_symbol *symbols, size_t count);

/// One row of the image's line table: from `start` up to the next row's start the code is
/// `file:line` (`line` 0: no line).
typedef struct crossrun_line {
    uintptr_t start;
    const char *file;
    unsigned line;
} crossrun_line;

/// The crash reporter's line table (`at prog.c:12` after a symbolized PC); `rows` must stay
/// valid and be sorted by start. Without one (no `-g`) reports name no lines.
void crossrun_native_set_line_table(const crossrun_line *rows, size_t count);

/// Registers an in-memory ELF symbol file with GDB's JIT interface (`__jit_debug_descriptor`,
/// `__jit_debug_register_code`); `symfile` must stay valid until it is unregistered. All are
/// unregistered at `exit` (and by ``crossrun_gdb_jit_unregister_all``). 0, or -1 without memory.
int crossrun_gdb_jit_register(const void *symfile, uint64_t size);
/// Unregisters every symbol file registered with GDB's JIT interface.
void crossrun_gdb_jit_unregister_all(void);

/// Stops the program after `seconds` (0: never) with a report and exit status 124: a watchdog
/// thread sends ``CROSSRUN_TIMEOUT_SIGNAL`` at the deadline (the report names the PC), and
/// ends the process itself ``CROSSRUN_HARD_EXIT_MS`` later if the program blocks or handles it.
void crossrun_native_set_timeout(unsigned seconds);

/// The signal a deadline watchdog sends the running thread (SIGXCPU: CPU limit exceeded).
#define CROSSRUN_TIMEOUT_SIGNAL 24
/// How long after the deadline a program that did not stop is ended by the watchdog.
#define CROSSRUN_HARD_EXIT_MS 1000

/// Where the outcome record goes (an absolute path, NULL: nowhere): one line of JSON,
/// `{"outcome":"exit"|"signal"|"timeout","status":N,...}` (doc/CLI.md, "The outcome record").
extern char *crossrun_outcome_path;
/// Sets ``crossrun_outcome_path`` (a copy of `path`; NULL: nowhere).
void crossrun_outcome_set_path(const char *path);
/// Writes `record` to ``crossrun_outcome_path`` (replacing it); async-signal-safe.
void crossrun_outcome_write(const char *record, size_t length);

/// A deadline watchdog: a thread that waits `milliseconds`, then marks the deadline expired,
/// calls `expire(context)` (may be NULL) and sends `signal` (0: none) to the thread that
/// started it every 20 ms, so blocking calls there return EINTR. With `hard_exit_ms` ≥ 0, if
/// the watchdog is not cancelled that long after the deadline, it writes `hard_record` (the
/// outcome record) and `hard_report` (to stderr) and ends the process with status 124.
typedef struct crossrun_deadline crossrun_deadline;
crossrun_deadline *crossrun_deadline_start(uint64_t milliseconds, int signal, void (*expire)(void *), void *context,
                                           long hard_exit_ms, const char *hard_report, const char *hard_record);
/// In the child of a fork: a new watchdog thread for the same deadline (the parent's thread
/// did not survive the fork), watching the calling thread. NULL stays NULL; NULL if no thread
/// could be started (the child then runs without a deadline).
crossrun_deadline *crossrun_deadline_after_fork(crossrun_deadline *deadline);
/// Whether this is the process CrossRun started as (not a child of the program's `fork`):
/// only that one writes the outcome record.
int crossrun_is_original_process(void);
/// Makes the calling process the one CrossRun started as: the forked child of `test`/`matrix`'s
/// run worker, which is the run.
void crossrun_become_original_process(void);
/// Whether the deadline has passed (0 for NULL).
int crossrun_deadline_expired(const crossrun_deadline *deadline);
/// Stops the watchdog thread and frees it (NULL: nothing).
void crossrun_deadline_cancel(crossrun_deadline *deadline);
/// The emulated scheduler's time slice: a thread that every `milliseconds` of the calling
/// thread's CPU time sets its tick flag (and calls `tick(context)` unless NULL), so guest code
/// that spins without any library call still reaches a scheduling point.
typedef struct crossrun_ticker crossrun_ticker;
crossrun_ticker *crossrun_ticker_start(uint64_t milliseconds, void (*tick)(void *), void *context);
/// Returns whether a tick happened since the last call, and clears the flag (0 for NULL).
int crossrun_ticker_take(crossrun_ticker *ticker);
/// The tick flag itself (non-zero: a tick is pending), for a hook to read without a call.
int *crossrun_ticker_flag(crossrun_ticker *ticker);
/// Stops the ticker thread and frees it (NULL: nothing).
void crossrun_ticker_cancel(crossrun_ticker *ticker);
/// Installs a handler for `sig` that does nothing but interrupt blocking calls (no SA_RESTART).
void crossrun_install_interrupt_signal(int sig);

/// Registers the finalizers (called in the given order at exit, after the program's own atexit
/// handlers), runs the initializers, calls `entry(argc, argv, envp)` and exits with its result.
/// Never returns.
_Noreturn void crossrun_native_run(void *const *initializers, size_t init_count,
                                   void *const *finalizers, size_t fini_count,
                                   void *entry, int argc, char **argv, char **envp);

/// `atexit` and `at_quick_exit` for native programs: glibc keeps them in libc_nonshared.a,
/// not in libc.so.6, so dlsym cannot find them.
int crossrun_native_atexit(void (*function)(void));
int crossrun_native_at_quick_exit(void (*function)(void));

/// The image's TLS resolver contract natively (doc/ARCHITECTURE.md, "Threads"): every host
/// thread that runs guest code keeps its TLS block in a host initial-exec thread-local, which
/// lies at the same offset D from the thread pointer in every thread. The loader stores D in
/// the image's tlsBlock slot.
int64_t crossrun_native_tls_offset(void);
/// Sets the calling host thread's TLS block (the image's `_Thread_local` data).
void crossrun_native_set_tls_block(void *block);

/// The image's TLS template, copied into the TLS block of every thread the program starts
/// (`initialized` bytes of `initialized_size`, then zeros up to `size`).
void crossrun_native_set_tls_template(const void *initialized, size_t initialized_size, size_t size, size_t alignment);

/// The thread primitives of the guest thread library natively (runtime/crossrun_thread.h):
/// real host threads (detached, with the requested stack size and their own TLS block), the
/// futex system call (shared futexes: process-shared objects wake across processes), gettid.
/// The last guest thread to end exits the process with status 0; the main thread ending while
/// others run waits for them, as on Linux. Names the loader binds: `__crossrun_thread_spawn`,
/// `__crossrun_thread_exit`, `__crossrun_futex_wait`, `__crossrun_futex_wake`,
/// `__crossrun_shared_cas`, `__crossrun_gettid`, `__crossrun_tgsigqueue` (pthread_sigqueue's
/// send); NULL for any other name.
void *crossrun_native_thread_primitive(const char *name);

/// The thread primitives' futex wait and wake and compare-and-swap on host memory, which the
/// emulators use for guest words in `MAP_SHARED` mappings (other processes wait on and wake
/// the same host futex; the compare-and-swap is atomic for every process).
int __crossrun_futex_wait(volatile int *addr, int expected, const struct timespec *abstime, int clockid);
int __crossrun_futex_wake(volatile int *addr, int count);
int __crossrun_shared_cas(volatile int *addr, int expected, int desired);

/// Calls a GNU indirect function's resolver as glibc's loader does on the host architecture
/// (x86-64: no arguments; aarch64: `AT_HWCAP | _IFUNC_ARG_HWCAP` and an `__ifunc_arg_t`;
/// riscv64: `AT_HWCAP`, no hwprobe function, NULL) and returns the address it chose.
uint64_t crossrun_native_call_resolver(void *resolver);

/// Makes freshly written code visible to instruction fetch.
void crossrun_native_clear_cache(void *begin, void *end);

/// Native fuzzing: memory shared between the fuzzer and its worker process.
#define CROSSRUN_FUZZ_MAP_SIZE 65536
#define CROSSRUN_FUZZ_CMP_SLOTS 256
#define CROSSRUN_FUZZ_CMP_BYTES 64
typedef struct crossrun_fuzz_comparison {
    uint64_t a, b;
    uint32_t width;  ///< 1, 2, 4, 8 for integers; 0 for byte strings of `length`
    uint32_t length;
    uint8_t bytes_a[CROSSRUN_FUZZ_CMP_BYTES], bytes_b[CROSSRUN_FUZZ_CMP_BYTES];
} crossrun_fuzz_comparison;
typedef struct crossrun_fuzz_shared {
    uint8_t map[CROSSRUN_FUZZ_MAP_SIZE];          ///< edge counters (trace-pc-guard)
    uint64_t cmp_count;
    crossrun_fuzz_comparison cmps[CROSSRUN_FUZZ_CMP_SLOTS];
    /// In-process fuzzing: the input being run (in `input`), when it started, whether the
    /// loop ended normally, and the crash reporter's line.
    uint64_t current_size;
    uint64_t executions;
    int64_t started_ns;   ///< CLOCK_MONOTONIC; 0 between inputs
    int32_t finished;
    uint64_t new_units;   ///< inputs added to the corpus after start-up (-print_final_stats)
    int64_t slowest_ns;   ///< the longest input so far
    char report[512];
    uint8_t input[];                             ///< the next input (max_len bytes)
} crossrun_fuzz_shared;
typedef int (*crossrun_fuzz_test_one)(const uint8_t *, size_t);

/// Points the coverage and comparison callbacks at `shared` (in the worker).
void crossrun_fuzz_attach(crossrun_fuzz_shared *shared);
/// The worker: reads an input size from `command_fd`, runs the input from shared memory
/// (copied to the end of `window`, `span` bytes followed by a guard page), writes one byte to
/// `reply_fd`; exits when the command pipe closes.
_Noreturn void crossrun_fuzz_worker(int command_fd, int reply_fd, crossrun_fuzz_test_one test_one, size_t max_len,
                                    uint8_t *window, size_t span);
/// The native heap checker bound in place of malloc & co.: each block ends right before an
/// inaccessible page; slack bytes are checked at free; freed blocks stay inaccessible.
void *crossrun_fuzz_malloc(size_t size);
void *crossrun_fuzz_calloc(size_t n, size_t size);
void *crossrun_fuzz_realloc(void *p, size_t size);
void crossrun_fuzz_free(void *p);
/// Makes crash reports name heap faults ([heap-buffer-overflow], [heap-use-after-free]).
void crossrun_fuzz_enable_heap_checker(void);
/// Non-zero: crash reports add the frame-pointer backtrace (x86-64; fuzzing turns it on).
extern int crossrun_native_backtrace;
/// Where the crash reporter also copies its line (NULL: nowhere).
extern char *crossrun_native_report_copy;
/// Sets ``crossrun_native_backtrace`` (Swift 6 does not assign C globals).
void crossrun_native_set_backtrace(int on);
/// Sets ``crossrun_native_report_copy``.
void crossrun_native_set_report_copy(char *copy);
/// CLOCK_MONOTONIC in nanoseconds.
int64_t crossrun_fuzz_now_ns(void);
/// Optional note appended to a crash report for a fault address (NULL: none).
extern const char *(*crossrun_native_fault_note)(uintptr_t address);
/// offsetof(crossrun_fuzz_shared, input).
size_t crossrun_fuzz_input_offset(void);
/// Writes the indices of the non-zero 64-bit words of `map` (`words` a multiple of 8) to
/// `out`; returns how many (the fuzzer's per-input coverage scan).
size_t crossrun_fuzz_nonzero_words(const uint64_t *map, size_t words, uint32_t *out);
/// Comparison-recording wrappers bound in place of the C library's.
int crossrun_fuzz_memcmp(const void *a, const void *b, size_t n);
int crossrun_fuzz_bcmp(const void *a, const void *b, size_t n);
int crossrun_fuzz_strcmp(const char *a, const char *b);
int crossrun_fuzz_strncmp(const char *a, const char *b, size_t n);
int crossrun_fuzz_strcasecmp(const char *a, const char *b);
char *crossrun_fuzz_strstr(const char *h, const char *n);
void __sanitizer_cov_trace_pc_guard_init(uint32_t *start, uint32_t *stop);
void __sanitizer_cov_trace_pc_guard(uint32_t *guard);
void __sanitizer_cov_trace_cmp1(uint8_t a, uint8_t b);
void __sanitizer_cov_trace_cmp2(uint16_t a, uint16_t b);
void __sanitizer_cov_trace_cmp4(uint32_t a, uint32_t b);
void __sanitizer_cov_trace_cmp8(uint64_t a, uint64_t b);
void __sanitizer_cov_trace_const_cmp1(uint8_t a, uint8_t b);
void __sanitizer_cov_trace_const_cmp2(uint16_t a, uint16_t b);
void __sanitizer_cov_trace_const_cmp4(uint32_t a, uint32_t b);
void __sanitizer_cov_trace_const_cmp8(uint64_t a, uint64_t b);
void __sanitizer_cov_trace_switch(uint64_t value, uint64_t *cases);
/// <dlfcn.h> for native programs, the same as the emulator's: a CrossRun program is one linked
/// image, so dlopen of a file fails (dlerror says why); dlopen(NULL), RTLD_DEFAULT and RTLD_NEXT
/// look names up in `table` (the image's global symbols, then its imports, marked `library`;
/// RTLD_NEXT sees only those).
struct crossrun_dynamic_symbol {
    const char *name;
    void *address;
    int library;
};
void crossrun_native_set_dynamic_symbols(const struct crossrun_dynamic_symbol *table, size_t count);
void *crossrun_native_dlopen(const char *path, int flags);
void *crossrun_native_dlsym(void *handle, const char *name);
int crossrun_native_dlclose(void *handle);
char *crossrun_native_dlerror(void);

/// The stack-protector canary aarch64/riscv64 code reads as a variable (x86-64 code reads the
/// thread block's): defined here because x86-64's libc does not export one.
extern uintptr_t crossrun_native_stack_chk_guard;
/// The address of ``crossrun_native_stack_chk_guard`` (what `__stack_chk_guard` binds to).
uintptr_t *crossrun_native_stack_chk_guard_address(void);

/// Sets glibc's program_invocation_name/short_name (what err.h and error() print) to the
/// guest program's name instead of CrossRun's.
void crossrun_native_set_program_name(const char *name);

#include "deterministic.h"
#include "native_trace.h"
#include "self_exec.h"
/// Emulated runs: records the host SIGPIPE instead of dying of it (the guest's disposition
/// decides; exec and posix_spawn reset it to the default as for any caught signal).
void crossrun_install_pipe_signal(void);
/// The host signals recorded since the last call, bit N-1 for signal N (and forgets them):
/// SIGPIPE, and signals forwarded to a guest handler by ``crossrun_forward_signal``.
uint64_t crossrun_take_host_signals(void);
/// The `si_code` of the last recorded instance of forwarded signal `sig` (1–31), its
/// `si_value` in `*value` (a host timer's signal: `SI_TIMER` and the timer's value).
int32_t crossrun_host_signal_origin(int sig, uint64_t *value);
/// The sender (`si_pid`, `si_uid` in `*uid`) of the last recorded instance of forwarded signal
/// `sig` when another process sent it (`kill`, `sigqueue`, `tgkill`); -1 when none was recorded.
int32_t crossrun_host_signal_sender(int sig, uint32_t *uid);
/// The recorded host signals (``crossrun_take_host_signals``'s mask, left in place).
extern uint64_t crossrun_host_signals;
/// Whether host signals wait to be delivered: one load, for the check at every trap.
/// The recorded host signals, read atomically (left in place).
static inline uint64_t crossrun_host_signals_peek(void) { return __atomic_load_n(&crossrun_host_signals, __ATOMIC_RELAXED); }
static inline int crossrun_host_signals_pending(void) { return __atomic_load_n(&crossrun_host_signals, __ATOMIC_RELAXED) != 0; }
/// Whether the guest's disposition of host signal `sig` may become the host's: not SIGKILL,
/// SIGSTOP, SIGPIPE, the timeout signal, the fault signals, nor 32 and above.
int crossrun_forwardable_signal(int sig);
/// Emulated runs: the host disposition of `sig` follows the guest's `mode` (0 default, 1
/// ignored, 2 a handler: recorded for the next trap; `restart`: SA_RESTART). The host's
/// first disposition is kept for ``crossrun_restore_forwarded_signals``. -1 if `sig` is kept.
int crossrun_forward_signal(int sig, int mode, int restart);
/// Emulated runs: the engine's host thread blocks the forwardable signals the guest blocked
/// (`guest`: bit N-1 for signal N), so one from outside stays pending as on Linux and does not
/// interrupt host calls; while blocked, one at its default action is recorded by the host
/// (a thread that does not block it may take it) instead of ending CrossRun, and unblocking
/// makes it the host's default again. Pending host instances reach the recording handler
/// when unblocked. Cheap when `guest` blocks the same forwardable signals as before.
void crossrun_mirror_guest_mask(uint64_t guest);
/// tgkill(2) (glibc's wrapper is variadic-free but declared only under _GNU_SOURCE).
int crossrun_tgkill(int process, int thread, int sig);
/// rt_tgsigqueueinfo(2) as glibc's pthread_sigqueue makes it: SI_QUEUE, this pid and uid,
/// `value` in si_value. 0, or -1 with errno.
int crossrun_tgsigqueue(int process, int thread, int sig, void *value);
/// Takes the mirrored signals pending on the host (bit N-1 for signal N), for `sigpending`.
uint64_t crossrun_take_mirrored_pending(void);
/// Puts back every disposition ``crossrun_forward_signal`` changed, drops recorded signals.
void crossrun_restore_forwarded_signals(void);
/// Blocks the signals whose host handler records them for the guest (the old mask in *old);
/// 0 when there are none. A call that waits then unblocks them only inside the wait
/// (`sigsuspend`, `ppoll`), so one that came after the last check cannot be missed.
int crossrun_block_recording_signals(sigset_t *old);
struct pollfd;
/// ppoll(2) without a time limit, under `mask` while it waits (glibc declares ppoll only under _GNU_SOURCE).
int crossrun_ppoll_with_mask(struct pollfd *fds, unsigned long count, const sigset_t *mask);


/// <execinfo.h> for native programs, the same as the emulator's: frame records of the calling
/// thread walked within its stack while the return addresses lie in the image; symbols from
/// the crash reporter's table, glibc's "prog(func+0x1c) [0x...]" lines.
int crossrun_native_execinfo_backtrace(void **buffer, int size);
char **crossrun_native_execinfo_symbols(void *const *buffer, int size);
void crossrun_native_execinfo_symbols_fd(void *const *buffer, int size, int fd);
/// The symbol covering `pc` (its start in `*start`), NULL if none; `*in_image` tells whether
/// `pc` lies in the image (then `*start` is the image base when no symbol covers it).
const char *crossrun_native_image_symbol(uintptr_t pc, uintptr_t *start, int *in_image);
/// The program name the crash reporter prints.
const char *crossrun_native_program(void);
/// dladdr for native programs: the image's name, base and covering symbol for its addresses,
/// the host's dladdr for any other. `info` is a Dl_info (declared only under _GNU_SOURCE).
int crossrun_native_dladdr(const void *address, void *info);

#endif
