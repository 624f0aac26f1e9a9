#define _GNU_SOURCE
#include "CNativeSupport.h"
#include <dlfcn.h>
#include <errno.h>
#include <sys/auxv.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

static const char *g_program = "program";
const char *(*crossrun_native_fault_note)(uintptr_t address);
char *crossrun_native_report_copy;
int crossrun_native_backtrace;

void crossrun_native_set_backtrace(int on) { crossrun_native_backtrace = on; }
void crossrun_native_set_report_copy(char *copy) { crossrun_native_report_copy = copy; }
static uintptr_t g_base;
static size_t g_size;
static const crossrun_symbol *g_symbols;
static size_t g_count;
static unsigned g_timeout;
static const crossrun_line *g_lines;
static size_t g_line_count;
static crossrun_deadline *g_deadline;

/* --- async-signal-safe formatting ------------------------------------------------------- */
typedef struct { char buf[512]; size_t len; } line_t;
typedef struct { char buf[4096]; size_t len; } record_t;  /* a 512-byte report escaped fits */

static void record_put(record_t *r, const char *s) {
    while (*s && r->len < sizeof r->buf - 1) r->buf[r->len++] = *s++;
}

static void put_str(line_t *l, const char *s) {
    while (*s && l->len < sizeof l->buf - 1) l->buf[l->len++] = *s++;
}
static void put_hex(line_t *l, uintptr_t v) {
    char tmp[19]; int n = 0;
    put_str(l, "0x");
    do { tmp[n++] = "0123456789abcdef"[v & 15]; v >>= 4; } while (v);
    while (n) { char c[2] = {tmp[--n], 0}; put_str(l, c); }
}
static void put_dec(line_t *l, unsigned v) {
    char tmp[12]; int n = 0;
    do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (n) { char c[2] = {tmp[--n], 0}; put_str(l, c); }
}

static const char *describe(int sig) {
    switch (sig) {
    case SIGSEGV: return "SIGSEGV (invalid memory access)";
    case SIGBUS: return "SIGBUS (bus error)";
    case SIGILL: return "SIGILL (illegal instruction)";
    case SIGFPE: return "SIGFPE (arithmetic exception)";
    case SIGTRAP: return "SIGTRAP (trap instruction)";
    case SIGABRT: return "SIGABRT (aborted)";
    default: return "signal";
    }
}

/* `main+0x1c` (or `image+0x…`) for a PC inside the image; nothing outside it. */
static void put_symbol(line_t *l, uintptr_t pc) {
    if (pc < g_base || pc >= g_base + g_size) return;
    const crossrun_symbol *best = NULL;
    for (size_t i = 0; i < g_count; i++) {
        if (g_symbols[i].start > pc) break;
        uintptr_t end = g_symbols[i].start + (g_symbols[i].size ? g_symbols[i].size : 1);
        if (pc < end) best = &g_symbols[i];
    }
    if (best) {
        put_str(l, best->name);
        if (pc != best->start) { put_str(l, "+"); put_hex(l, pc - best->start); }
    } else {
        put_str(l, "image+"); put_hex(l, pc - g_base);
    }
}

void crossrun_native_set_line_table(const crossrun_line *rows, size_t count) {
    g_lines = rows;
    g_line_count = count;
}

/* ` at prog.c:12` from the line table (binary search, no allocation); nothing without one. */
static void put_line(line_t *l, uintptr_t pc) {
    size_t lo = 0, hi = g_line_count;   /* first row starting after pc */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (g_lines[mid].start <= pc) lo = mid + 1; else hi = mid;
    }
    if (lo == 0 || g_lines[lo - 1].line == 0) return;
    put_str(l, " at ");
    put_str(l, g_lines[lo - 1].file ? g_lines[lo - 1].file : "?");
    put_str(l, ":");
    put_dec(l, g_lines[lo - 1].line);
}

/* `0x… (main+0x1c) at prog.c:12`; the line of `line_pc` (a return address's call: the byte before). */
static void put_location_line(line_t *l, uintptr_t pc, uintptr_t line_pc) {
    put_hex(l, pc);
    if (pc >= g_base && pc < g_base + g_size) {
        put_str(l, " (");
        put_symbol(l, pc);
        put_str(l, ")");
        put_line(l, line_pc);
    } else {
        put_str(l, " (outside the program image)");
    }
}

static void put_location(line_t *l, uintptr_t pc) { put_location_line(l, pc, pc); }

static void put_json_string(record_t *r, const char *s) {
    record_put(r, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') { char e[3] = {'\\', (char)c, 0}; record_put(r, e); }
        else if (c < 0x20) { char e[7] = {'\\', 'u', '0', '0', "0123456789abcdef"[c >> 4], "0123456789abcdef"[c & 15], 0}; record_put(r, e); }
        else { char e[2] = {(char)c, 0}; record_put(r, e); }
    }
    record_put(r, "\"");
}


/* The outcome record of a death by `sig` (or the timeout) with its report line. */
static void write_crash_record(int sig, int timed_out, uintptr_t pc, int has_fault, uintptr_t fault, const char *report) {
    if (!crossrun_outcome_path) return;
    record_t r = {{0}, 0};
    line_t num = {{0}, 0};
    record_put(&r, timed_out ? "{\"outcome\":\"timeout\",\"status\":124" : "{\"outcome\":\"signal\",\"status\":");
    if (!timed_out) {
        put_dec(&num, (unsigned)(128 + sig)); record_put(&r, num.buf);
        num = (line_t){{0}, 0};
        record_put(&r, ",\"signal\":"); put_dec(&num, (unsigned)sig); record_put(&r, num.buf);
    } else {
        put_dec(&num, g_timeout);
        record_put(&r, ",\"seconds\":"); record_put(&r, num.buf);
    }
    num = (line_t){{0}, 0};
    put_hex(&num, pc);
    record_put(&r, ",\"pc\":"); put_json_string(&r, num.buf);
    line_t sym = {{0}, 0};
    put_symbol(&sym, pc);
    if (sym.len) { record_put(&r, ",\"symbol\":"); put_json_string(&r, sym.buf); }
    if (has_fault) {
        num = (line_t){{0}, 0};
        put_hex(&num, fault);
        record_put(&r, ",\"fault_address\":"); put_json_string(&r, num.buf);
    }
    record_put(&r, ",\"report\":"); put_json_string(&r, report);
    record_put(&r, "}\n");
    crossrun_outcome_write(r.buf, r.len);
}

static void on_crash(int sig, siginfo_t *info, void *uctx) {
    line_t l = {{0}, 0};
    int timed_out = sig == CROSSRUN_TIMEOUT_SIGNAL && crossrun_deadline_expired(g_deadline);
    uintptr_t pc = 0;
#if defined(__x86_64__)
    pc = (uintptr_t)((ucontext_t *)uctx)->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
    pc = (uintptr_t)((ucontext_t *)uctx)->uc_mcontext.pc;
#elif defined(__riscv)
    pc = (uintptr_t)((ucontext_t *)uctx)->uc_mcontext.__gregs[0];
#endif
    put_str(&l, "crossrun: ");
    put_str(&l, g_program);
    put_str(&l, ": ");
    if (timed_out) {
        put_str(&l, "timed out after ");
        put_dec(&l, g_timeout);
        put_str(&l, " s");
    } else {
        put_str(&l, describe(sig));
    }
    put_str(&l, " at pc ");
    put_location(&l, pc);
    if (sig == SIGSEGV || sig == SIGBUS) {
        put_str(&l, ", fault address ");
        put_hex(&l, (uintptr_t)info->si_addr);
        const char *note = crossrun_native_fault_note ? crossrun_native_fault_note((uintptr_t)info->si_addr) : NULL;
        if (note) put_str(&l, note);
    }
    if (crossrun_native_report_copy) {
        memcpy(crossrun_native_report_copy, l.buf, l.len);
        crossrun_native_report_copy[l.len] = 0;
    }
    write_crash_record(sig, timed_out, pc, !timed_out && (sig == SIGSEGV || sig == SIGBUS), (uintptr_t)info->si_addr, l.buf);
    put_str(&l, "\n");
    ssize_t unused = write(2, l.buf, l.len);
#if defined(__x86_64__)
    if (crossrun_native_backtrace) {
        /* Frame records (push rbp; mov rbp, rsp): [rbp] caller's rbp, [rbp+8] return address.
         * Followed only upwards within 8 MiB of the faulting stack pointer. */
        uintptr_t sp = (uintptr_t)((ucontext_t *)uctx)->uc_mcontext.gregs[REG_RSP];
        uintptr_t fp = (uintptr_t)((ucontext_t *)uctx)->uc_mcontext.gregs[REG_RBP];
        uintptr_t last = 0;
        int repeats = 0;
        for (int depth = 0; depth < 32 && fp >= sp && fp < sp + (8u << 20) && (fp & 7) == 0; depth++) {
            uintptr_t ret = ((uintptr_t *)fp)[1], next = ((uintptr_t *)fp)[0];
            if (ret < g_base || ret >= g_base + g_size) break;
            if (ret == last) { repeats++; } else {
                line_t f = {{0}, 0};
                put_str(&f, "    #"); put_dec(&f, (unsigned)depth); put_str(&f, " ");
                put_location_line(&f, ret, ret - 1);
                put_str(&f, "\n");
                unused = write(2, f.buf, f.len);
                if (crossrun_native_report_copy) {
                    size_t have = strlen(crossrun_native_report_copy);
                    if (have + f.len < 500) { memcpy(crossrun_native_report_copy + have, "\n", 1); memcpy(crossrun_native_report_copy + have + 1, f.buf, f.len - 1); crossrun_native_report_copy[have + f.len] = 0; }
                }
                last = ret;
            }
            if (next <= fp) break;
            fp = next;
        }
        (void)repeats;
    }
#endif
    (void)unused;
    _exit(timed_out ? 124 : 128 + sig);
}

void crossrun_native_install_crash_handlers(const char *program, uintptr_t image_base, size_t image_size,
                                            const crossrun_symbol *symbols, size_t count) {
    g_program = program;
    g_base = image_base;
    g_size = image_size;
    g_symbols = symbols;
    g_count = count;
    static char altstack[1 << 16];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_crash;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    const int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGABRT};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaction(sigs[i], &sa, NULL);
}

void crossrun_native_set_timeout(unsigned seconds) {
    g_timeout = seconds;
    if (!seconds) return;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_crash;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(CROSSRUN_TIMEOUT_SIGNAL, &sa, NULL);
    /* At the deadline the watchdog thread signals the program's thread (the report then names
       the PC); a program that blocks, ignores or handles that signal is ended by the watchdog
       itself a second later. */
    line_t report = {{0}, 0};
    put_str(&report, "crossrun: "); put_str(&report, g_program); put_str(&report, ": timed out after ");
    put_dec(&report, seconds); put_str(&report, " s (the program did not stop: ended by the watchdog)");
    record_t record = {{0}, 0};
    line_t num = {{0}, 0};
    put_dec(&num, seconds);
    record_put(&record, "{\"outcome\":\"timeout\",\"status\":124,\"seconds\":"); record_put(&record, num.buf);
    record_put(&record, ",\"report\":"); put_json_string(&record, report.buf); record_put(&record, "}\n");
    put_str(&report, "\n");
    g_deadline = crossrun_deadline_start((uint64_t)seconds * 1000, CROSSRUN_TIMEOUT_SIGNAL, NULL, NULL, CROSSRUN_HARD_EXIT_MS,
                                         report.buf, record.buf);
}

static void record_exit(int status, void *unused) {
    (void)unused;
    if (!crossrun_outcome_path) return;
    record_t r = {{0}, 0};
    line_t num = {{0}, 0};
    put_dec(&num, (unsigned)(status & 0xff));
    record_put(&r, "{\"outcome\":\"exit\",\"status\":"); record_put(&r, num.buf); record_put(&r, "}\n");
    crossrun_outcome_write(r.buf, r.len);
}

static void *const *g_fini;
static size_t g_fini_count;

static void run_finalizers(void) {
    for (size_t i = 0; i < g_fini_count; i++) {
        void (*f)(void) = (void (*)(void))g_fini[i];
        if (f && (uintptr_t)f != (uintptr_t)-1) f();
    }
}

_Noreturn void crossrun_native_run(void *const *initializers, size_t init_count,
                                   void *const *finalizers, size_t fini_count,
                                   void *entry, int argc, char **argv, char **envp) {
    g_fini = finalizers;
    g_fini_count = fini_count;
    /* Registered first, so it runs last: after the program's handlers and the finalizers. */
    on_exit(record_exit, NULL);
    /* Registered before the program runs, so its own atexit handlers run first (as with
       glibc, where fini_array runs from _dl_fini after them). */
    atexit(run_finalizers);
    /* C11 7.5p3: errno is zero in the initial thread at program start-up. CrossRun's own
       loading (dlsym, file probes) leaves whatever it last failed with, and programs such
       as bzip2recover test errno after getc's EOF without clearing it first. */
    errno = 0;
    for (size_t i = 0; i < init_count; i++) {
        void (*f)(int, char **, char **) = (void (*)(int, char **, char **))initializers[i];
        if (f && (uintptr_t)f != (uintptr_t)-1) f(argc, argv, envp);
    }
    int (*main_fn)(int, char **, char **) = (int (*)(int, char **, char **))entry;
    exit(main_fn(argc, argv, envp));
}

uint64_t crossrun_native_call_resolver(void *resolver) {
#if defined(__aarch64__)
    struct { unsigned long size, hwcap, hwcap2; } arg = { sizeof arg, getauxval(AT_HWCAP), getauxval(AT_HWCAP2) };
    return ((uint64_t (*)(uint64_t, void *))resolver)(getauxval(AT_HWCAP) | (1ULL << 62), &arg);
#elif defined(__riscv)
    return ((uint64_t (*)(uint64_t, void *, void *))resolver)(getauxval(AT_HWCAP), NULL, NULL);
#else
    return ((uint64_t (*)(void))resolver)();
#endif
}

void crossrun_native_clear_cache(void *begin, void *end) {
    __builtin___clear_cache((char *)begin, (char *)end);
}

int crossrun_native_atexit(void (*function)(void)) { return atexit(function); }
int crossrun_native_at_quick_exit(void (*function)(void)) { return at_quick_exit(function); }

/* --- <execinfo.h>'s view of the image (native_execinfo.c) ------------------------------- */
const char *crossrun_native_image_symbol(uintptr_t pc, uintptr_t *start, int *in_image) {
    *in_image = g_size != 0 && pc >= g_base && pc < g_base + g_size;
    *start = g_base;
    if (!*in_image) return NULL;
    const crossrun_symbol *best = NULL;
    for (size_t i = 0; i < g_count; i++) {
        if (g_symbols[i].start > pc) break;
        uintptr_t end = g_symbols[i].start + (g_symbols[i].size ? g_symbols[i].size : 1);
        if (pc < end) best = &g_symbols[i];
    }
    if (best == NULL) return NULL;
    *start = best->start;
    return best->name;
}

const char *crossrun_native_program(void) { return g_program; }

/* dladdr: the emulator's answer for image addresses (GuestProcess+PosixLib), the host's for
   the rest (its libraries' own code and data). */
int crossrun_native_dladdr(const void *address, void *out) {
    Dl_info *info = out;
    uintptr_t pc = (uintptr_t)address;
    if (!(g_size != 0 && pc >= g_base && pc < g_base + g_size)) return dladdr(address, info);
    uintptr_t start;
    int in_image;
    const char *name = crossrun_native_image_symbol(pc, &start, &in_image);
    info->dli_fname = g_program;
    info->dli_fbase = (void *)g_base;
    info->dli_sname = name;
    info->dli_saddr = name ? (void *)start : NULL;
    return 1;
}
