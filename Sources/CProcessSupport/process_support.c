#define _GNU_SOURCE
#include "CProcessSupport.h"
#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>

int crossrun_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int crossrun_spawn_add_chdir(void *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np((posix_spawn_file_actions_t *)actions, path);
}
