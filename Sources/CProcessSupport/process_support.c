#define _GNU_SOURCE
#include <sys/prctl.h>
#include <signal.h>
#include "CProcessSupport.h"
#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>

int crossrun_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int crossrun_spawn_add_chdir(void *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np((posix_spawn_file_actions_t *)actions, path);
}

int crossrun_exit_with_parent(void) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return -1;
    return getppid() == 1 ? -1 : 0;   /* reparented to init: the parent died before */
}

FILE *crossrun_standard_stream(int fd) { return fd == 0 ? stdin : fd == 1 ? stdout : stderr; }
