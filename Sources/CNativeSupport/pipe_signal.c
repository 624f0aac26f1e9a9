#define _GNU_SOURCE 1
// Host signals for emulated runs. SIGPIPE: the host kernel raises it on CrossRun when a guest
// writes to a pipe or socket nobody reads; the guest's own disposition (default, ignored, a
// handler) must decide what happens. Signals from other processes (a parent's kill(child,
// SIGTERM)) for which the guest set a handler: the guest's handler must run, not the host's
// default action. Both are only recorded here, in one mask, and the trap that made the host
// call (or the next one) delivers them to the guest. A guest's SIG_IGN becomes the host's, so
// an ignored signal from outside is ignored as natively (and SIGCHLD's auto-reaping holds).
#include "CNativeSupport.h"
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

uint64_t crossrun_host_signals;   /* bit sig-1: recorded, not yet delivered (atomic) */

static void record(int sig) {
    __atomic_fetch_or(&crossrun_host_signals, (uint64_t)1 << (sig - 1), __ATOMIC_SEQ_CST);
}

/* Where the last recorded instance of each forwarded signal came from: its si_code and
   si_value (a guest POSIX timer's signal carries SI_TIMER and the timer's value; a child's
   SIGCHLD its CLD_* code and si_status in place of the value). */
static int32_t origin_code[32];
static uint64_t origin_value[32];
/* And its sender (si_pid, si_uid) when another process sent it (SI_USER, SI_QUEUE, SI_TKILL)
   or a child's state changed (SIGCHLD); -1: none recorded (the kernel's SIGPIPE, a timer). */
static int32_t origin_pid[32] = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                 -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1};
static uint32_t origin_uid[32];

static void record_with_origin(int sig, siginfo_t *info, void *context) {
    (void)context;
    if (sig > 0 && sig < 32 && info) {
        int child = sig == SIGCHLD && info->si_code >= CLD_EXITED && info->si_code <= CLD_CONTINUED;
        int sent = child || info->si_code == SI_USER || info->si_code == SI_QUEUE || info->si_code == SI_TKILL;
        uint64_t value = child ? (uint64_t)(uint32_t)info->si_status : (uint64_t)(uintptr_t)info->si_value.sival_ptr;
        __atomic_store_n(&origin_code[sig], info->si_code, __ATOMIC_SEQ_CST);
        __atomic_store_n(&origin_value[sig], value, __ATOMIC_SEQ_CST);
        __atomic_store_n(&origin_uid[sig], sent ? (uint32_t)info->si_uid : 0, __ATOMIC_SEQ_CST);
        __atomic_store_n(&origin_pid[sig], sent ? (int32_t)info->si_pid : -1, __ATOMIC_SEQ_CST);
    }
    record(sig);
}

int32_t crossrun_host_signal_sender(int sig, uint32_t *uid) {
    if (sig <= 0 || sig >= 32) { *uid = 0; return -1; }
    *uid = __atomic_load_n(&origin_uid[sig], __ATOMIC_SEQ_CST);
    return __atomic_load_n(&origin_pid[sig], __ATOMIC_SEQ_CST);
}

int32_t crossrun_host_signal_origin(int sig, uint64_t *value) {
    if (sig <= 0 || sig >= 32) { *value = 0; return 0; }
    *value = __atomic_load_n(&origin_value[sig], __ATOMIC_SEQ_CST);
    return __atomic_load_n(&origin_code[sig], __ATOMIC_SEQ_CST);
}

void crossrun_install_pipe_signal(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = record;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGPIPE, &sa, NULL);
}

uint64_t crossrun_take_host_signals(void) {
    if (__atomic_load_n(&crossrun_host_signals, __ATOMIC_RELAXED) == 0) return 0;
    return __atomic_exchange_n(&crossrun_host_signals, 0, __ATOMIC_SEQ_CST);
}

/* The host's dispositions before the guest changed them (restored at the run's end). */
static struct sigaction saved[32];
static uint32_t saved_mask;
/* Signals whose host handler records them for the guest (bit sig). */
static uint32_t recording_mask;
/* Forwardable signals the guest blocked, blocked on the engine's host thread too (bit sig). */
static uint32_t mirrored_mask;
/* Of those, the ones at the guest's default action that the host records while they are
   blocked (a helper thread that does not block them may take them: recorded, not fatal). */
static uint32_t default_recording_mask;

static void save_original(int sig, const struct sigaction *old) {
    if (!(saved_mask & 1u << sig)) {
        saved[sig] = *old;
        saved_mask |= 1u << sig;
    }
}

static int default_ignored(int sig) {
    return sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH;
}

/* Installs the recording handler for `sig` (SA_RESTART as asked). */
static int install_recording(int sig, int restart, struct sigaction *old) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_sigaction = record_with_origin;
    sa.sa_flags = SA_SIGINFO | (restart ? SA_RESTART : 0);
    return sigaction(sig, &sa, old);
}

int crossrun_forwardable_signal(int sig) {
    switch (sig) {
    case SIGKILL: case SIGSTOP: case SIGPIPE: case CROSSRUN_TIMEOUT_SIGNAL:
    case SIGSEGV: case SIGBUS: case SIGILL: case SIGFPE: case SIGTRAP: case SIGABRT:
        return 0;
    default:
        return sig > 0 && sig < 32;   /* 32 and up: glibc's internal and real-time signals stay the host's */
    }
}

int crossrun_forward_signal(int sig, int mode, int restart) {
    if (!crossrun_forwardable_signal(sig)) return -1;
    if (mode == 0 && (mirrored_mask & 1u << sig) && !default_ignored(sig)) {
        /* The default action of a signal the guest blocks: recorded until it is unblocked. */
        struct sigaction old;
        if (install_recording(sig, 1, &old) != 0) return -1;
        save_original(sig, &old);
        recording_mask |= 1u << sig;
        default_recording_mask |= 1u << sig;
        return 0;
    }
    default_recording_mask &= ~(1u << sig);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    if (mode == 2) sa.sa_sigaction = record_with_origin; else sa.sa_handler = mode == 0 ? SIG_DFL : SIG_IGN;
    sa.sa_flags = (mode == 2 ? SA_SIGINFO : 0) | (mode == 2 && restart ? SA_RESTART : 0);
    struct sigaction old;
    if (sigaction(sig, &sa, &old) != 0) return -1;
    if (mode == 2) recording_mask |= 1u << sig; else recording_mask &= ~(1u << sig);
    save_original(sig, &old);
    return 0;
}

void crossrun_mirror_guest_mask(uint64_t guest) {
    uint32_t want = 0;
    for (int sig = 1; sig < 32; sig++)
        if ((guest >> (sig - 1) & 1) && crossrun_forwardable_signal(sig)) want |= 1u << sig;
    if (want == mirrored_mask) return;
    uint32_t blocking = want & ~mirrored_mask, unblocking = mirrored_mask & ~want;
    sigset_t set;
    sigemptyset(&set);
    for (int sig = 1; sig < 32; sig++) {
        if (!(blocking & 1u << sig)) continue;
        sigaddset(&set, sig);
        /* Still at the host's default action (the guest's default): record it from now on. */
        struct sigaction current;
        if (default_ignored(sig) || sigaction(sig, NULL, &current) != 0 || current.sa_handler != SIG_DFL
            || (current.sa_flags & SA_SIGINFO)) continue;
        if (install_recording(sig, 1, &current) != 0) continue;
        save_original(sig, &current);
        recording_mask |= 1u << sig;
        default_recording_mask |= 1u << sig;
    }
    if (blocking) pthread_sigmask(SIG_BLOCK, &set, NULL);
    mirrored_mask = want;
    if (!unblocking) return;
    sigemptyset(&set);
    for (int sig = 1; sig < 32; sig++)
        if (unblocking & 1u << sig) sigaddset(&set, sig);
    /* What is pending on the host now reaches the recording handler (still installed). */
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    for (int sig = 1; sig < 32; sig++) {
        if (!(unblocking & default_recording_mask & 1u << sig)) continue;
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sigemptyset(&sa.sa_mask);
        sa.sa_handler = SIG_DFL;
        sigaction(sig, &sa, NULL);
        recording_mask &= ~(1u << sig);
        default_recording_mask &= ~(1u << sig);
    }
}

uint64_t crossrun_take_mirrored_pending(void) {
    if (mirrored_mask == 0) return 0;
    sigset_t pending;
    if (sigpending(&pending) != 0) return 0;
    uint64_t taken = 0;
    for (int sig = 1; sig < 32; sig++) {
        if (!(mirrored_mask & 1u << sig) || sigismember(&pending, sig) != 1) continue;
        sigset_t one;
        sigemptyset(&one);
        sigaddset(&one, sig);
        struct timespec zero = {0, 0};
        if (sigtimedwait(&one, NULL, &zero) == sig) taken |= (uint64_t)1 << (sig - 1);
    }
    return taken;
}

void crossrun_restore_forwarded_signals(void) {
    crossrun_mirror_guest_mask(0);   /* what is pending on the host is recorded, then dropped below */
    for (int sig = 1; sig < 32; sig++)
        if (saved_mask & 1u << sig) sigaction(sig, &saved[sig], NULL);
    saved_mask = 0;
    recording_mask = 0;
    default_recording_mask = 0;
    __atomic_store_n(&crossrun_host_signals, 0, __ATOMIC_SEQ_CST);
}

int crossrun_block_recording_signals(sigset_t *old) {
    if (recording_mask == 0) return 0;
    sigset_t set;
    sigemptyset(&set);
    for (int sig = 1; sig < 32; sig++)
        if (recording_mask & 1u << sig) sigaddset(&set, sig);
    return pthread_sigmask(SIG_BLOCK, &set, old) == 0;
}

int crossrun_ppoll_with_mask(struct pollfd *fds, unsigned long count, const sigset_t *mask) {
    return ppoll(fds, (nfds_t)count, NULL, mask);
}

int crossrun_tgkill(int process, int thread, int sig) {
    return (int)syscall(SYS_tgkill, process, thread, sig);
}

int crossrun_tgsigqueue(int process, int thread, int sig, void *value) {
    /* What glibc's pthread_sigqueue sends: SI_QUEUE from this process and user, with the value. */
    siginfo_t info;
    memset(&info, 0, sizeof info);
    info.si_signo = sig;
    info.si_code = SI_QUEUE;
    info.si_pid = getpid();
    info.si_uid = getuid();
    info.si_value.sival_ptr = value;
    return (int)syscall(SYS_rt_tgsigqueueinfo, process, thread, sig, &info);
}
