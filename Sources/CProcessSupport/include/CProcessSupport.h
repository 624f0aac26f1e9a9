// Process-spawning helpers glibc declares only under _GNU_SOURCE (which Swift's Glibc module
// is not built with), so they are wrapped in a C file compiled with it.
#ifndef CROSSRUN_PROCESS_SUPPORT_H
#define CROSSRUN_PROCESS_SUPPORT_H

/// pipe2(fds, O_CLOEXEC): both ends close on exec, so a pipe made for one child is never
/// inherited by another child spawned concurrently from another thread. 0 or -1 (errno).
int crossrun_pipe_cloexec(int fds[2]);

/// posix_spawn_file_actions_addchdir_np: the child changes to `path` before exec.
/// `actions` points to a posix_spawn_file_actions_t. 0 or an error number.
int crossrun_spawn_add_chdir(void *actions, const char *path);
/// Asks the kernel to SIGKILL this process when the thread that started it ends
/// (PR_SET_PDEATHSIG); returns -1 when that parent is already gone.
int crossrun_exit_with_parent(void);

/// For a process that starts children in process groups of their own (a `test`/`matrix` run
/// worker): when the thread that started it ends, it gets SIGTERM (PR_SET_PDEATHSIG), whose
/// handler SIGKILLs the process group last given to crossrun_guard_group (if any) and then
/// ends the process by SIGTERM. -1 when that parent is already gone.
int crossrun_exit_with_parent_guarding_group(void);
/// The process group the SIGTERM of crossrun_exit_with_parent_guarding_group kills (0: none).
void crossrun_guard_group(int group);

/// For a child made by `fork` that goes on without `exec` as if freshly started: every signal's
/// disposition back to the default and none blocked (what `posix_spawn` with
/// `POSIX_SPAWN_SETSIGDEF`/`SETSIGMASK` gives), and every descriptor from `lowest` up closed.
void crossrun_fresh_process_state(int lowest);

#include <stdio.h>
/// The host's `stdin` (0), `stdout` (1) or `stderr` (any other `fd`): C globals Swift 6
/// treats as shared mutable state.
FILE *crossrun_standard_stream(int fd);

/// Points `stdout` and `stderr` at streams of this process's own over descriptors 1 and 2
/// (stderr unbuffered), leaving C's own stream objects untouched, as a fresh process has them
/// (no orientation, no buffer): for a process whose forked children run programs on them.
/// 0, or -1 when a stream cannot be made. Once only.
int crossrun_divert_standard_streams(void);
/// In a forked child of that process: `stdout` and `stderr` are C's own stream objects again.
void crossrun_restore_standard_streams(void);

#endif
