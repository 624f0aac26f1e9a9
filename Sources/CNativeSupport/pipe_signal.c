// SIGPIPE for emulated runs: the host kernel raises it on CrossRun when a guest writes to a
// pipe or socket nobody reads; the guest's own disposition (default, ignored, a handler) must
// decide what happens, so the host signal is only recorded here and the trap that made the
// host call delivers it to the guest afterwards.
#include "CNativeSupport.h"
#include <signal.h>
#include <string.h>

static volatile sig_atomic_t pipe_pending;

static void record_pipe(int sig) {
    (void)sig;
    pipe_pending = 1;
}

void crossrun_install_pipe_signal(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = record_pipe;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGPIPE, &sa, NULL);
}

int crossrun_take_pipe_signal(void) {
    int pending = pipe_pending;
    pipe_pending = 0;
    return pending;
}
