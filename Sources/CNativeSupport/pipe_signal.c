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

uint64_t crossrun_host_signals;   /* bit sig-1: recorded, not yet delivered (atomic) */

static void record(int sig) {
    __atomic_fetch_or(&crossrun_host_signals, (uint64_t)1 << (sig - 1), __ATOMIC_SEQ_CST);
}

/* Where the last recorded instance of each forwarded signal came from: its si_code and
   si_value (a guest POSIX timer's signal carries SI_TIMER and the timer's value). */
static int32_t origin_code[32];
static uint64_t origin_value[32];

static void record_with_origin(int sig, siginfo_t *info, void *context) {
    (void)context;
    if (sig > 0 && sig < 32 && info) {
        __atomic_store_n(&origin_code[sig], info->si_code, __ATOMIC_SEQ_CST);
        __atomic_store_n(&origin_value[sig], (uint64_t)(uintptr_t)info->si_value.sival_ptr, __ATOMIC_SEQ_CST);
    }
    record(sig);
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
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    if (mode == 2) sa.sa_sigaction = record_with_origin; else sa.sa_handler = mode == 0 ? SIG_DFL : SIG_IGN;
    sa.sa_flags = (mode == 2 ? SA_SIGINFO : 0) | (mode == 2 && restart ? SA_RESTART : 0);
    struct sigaction old;
    if (sigaction(sig, &sa, &old) != 0) return -1;
    if (mode == 2) recording_mask |= 1u << sig; else recording_mask &= ~(1u << sig);
    if (!(saved_mask & 1u << sig)) {
        saved[sig] = old;
        saved_mask |= 1u << sig;
    }
    return 0;
}

void crossrun_restore_forwarded_signals(void) {
    for (int sig = 1; sig < 32; sig++)
        if (saved_mask & 1u << sig) sigaction(sig, &saved[sig], NULL);
    saved_mask = 0;
    recording_mask = 0;
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
