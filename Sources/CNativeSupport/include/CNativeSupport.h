// Native-run support that must be plain C: an async-signal-safe crash reporter and the
// start-up / exit sequence around the guest's entry point.
#ifndef CROSSRUN_NATIVE_SUPPORT_H
#define CROSSRUN_NATIVE_SUPPORT_H
#include <stddef.h>
#include <stdint.h>

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

/// Stops the program after `seconds` (0: never) with a report and exit status 124.
void crossrun_native_set_timeout(unsigned seconds);

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

/// Makes freshly written code visible to instruction fetch.
void crossrun_native_clear_cache(void *begin, void *end);
#endif
