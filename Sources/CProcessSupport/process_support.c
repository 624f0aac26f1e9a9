#define _GNU_SOURCE
#include <sys/prctl.h>
#include <signal.h>
#include "CProcessSupport.h"
#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

int crossrun_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int crossrun_spawn_add_chdir(void *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np((posix_spawn_file_actions_t *)actions, path);
}

int crossrun_exit_with_parent(void) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return -1;
    return getppid() == 1 ? -1 : 0;   /* reparented to init: the parent died before */
}

FILE *crossrun_standard_stream(int fd) { return fd == 0 ? stdin : fd == 1 ? stdout : stderr; }

static FILE *original_stdout, *original_stderr;

int crossrun_divert_standard_streams(void) {
    if (original_stdout) return 0;
    FILE *out = fdopen(1, "a"), *err = fdopen(2, "a");
    if (!out || !err) return -1;   /* (a stream made stays unused) */
    setvbuf(err, NULL, _IONBF, 0);
    original_stdout = stdout;
    original_stderr = stderr;
    stdout = out;
    stderr = err;
    return 0;
}

void crossrun_restore_standard_streams(void) {
    if (!original_stdout) return;
    stdout = original_stdout;
    stderr = original_stderr;
}

static volatile sig_atomic_t guarded_group;

void crossrun_guard_group(int group) { guarded_group = group; }

static void kill_guarded_group(int sig) {
    int group = guarded_group;
    if (group > 0) kill(-group, SIGKILL);
    signal(sig, SIG_DFL);
    raise(sig);
}

int crossrun_exit_with_parent_guarding_group(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = kill_guarded_group;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGTERM, &sa, NULL) != 0) return -1;
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0) return -1;
    return getppid() == 1 ? -1 : 0;
}

void crossrun_fresh_process_state(int lowest) {
    struct sigaction dfl;
    sigemptyset(&dfl.sa_mask);
    dfl.sa_flags = 0;
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &dfl, NULL);   /* EINVAL for glibc's own: ignored */
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (close_range((unsigned)lowest, ~0U, 0) == 0) return;
    /* Kernels before 5.9: close what /proc lists (collected first: closing while reading the
       directory would close its own descriptor). */
    DIR *dir = opendir("/proc/self/fd");
    if (!dir) {
        for (int fd = lowest; fd < 65536; fd++) close(fd);
        return;
    }
    int fds[1024], count = 0, self = dirfd(dir);
    struct dirent *entry;
    while ((entry = readdir(dir)) && count < 1024) {
        int fd = atoi(entry->d_name);
        if (fd >= lowest && fd != self && entry->d_name[0] != '.') fds[count++] = fd;
    }
    closedir(dir);
    for (int i = 0; i < count; i++) close(fds[i]);
}
