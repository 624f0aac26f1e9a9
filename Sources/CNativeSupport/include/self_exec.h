// A program that executes itself — execve of its own first input (`prog.c`, as argv[0] names
// it), of /proc/self/exe, or of what readlink("/proc/self/exe") told it (CrossRun's binary:
// the process's executable on both backends) — gets a new CrossRun run of the same program with the same options
// (doc/CLI.md, "Processes"), on either backend. The recipe is set once before the program
// starts and only read afterwards.
#ifndef CROSSRUN_SELF_EXEC_H
#define CROSSRUN_SELF_EXEC_H

#include <stddef.h>
#include <spawn.h>
#include <sys/types.h>

/// Sets the recipe: `exe` (CrossRun's own binary), `words` (the run's options and inputs,
/// without the program's arguments, `--outcome-file` or the hidden `--exec-*` options),
/// `outcome` (the `--outcome-file` value or NULL: passed on only by the original process, so
/// a forked child's exec does not write the run's record) and `program` (the first input, whose
/// file identity makes an exec "of itself"; NULL: only /proc/self/exe does). 0, or -1 (ENOMEM).
int crossrun_self_exec_configure(const char *exe, const char *const *words, size_t count,
                                 const char *outcome, const char *program);
/// Whether `path` names this process's executable through /proc (self, thread-self, this pid).
int crossrun_self_exec_names_proc_exe(const char *path);
/// Whether executing `path` (a host path) means executing the program itself: /proc's name
/// for it, or a file that is the first input or CrossRun's own executable (file identity).
int crossrun_self_exec_is_self(const char *path);
/// The argument vector of the CrossRun run that replaces an exec of itself with `argv`
/// (NULL-terminated; its argv[0] becomes the new program's), in one malloc'd block to free;
/// NULL with errno (ENOMEM, E2BIG) on failure. Its first element is CrossRun's binary.
char **crossrun_self_exec_argv(char *const argv[]);
/// The PATH search of execvp/posix_spawnp for a name without '/', answering whether it finds
/// the program itself first (under `path_list`; glibc's default when NULL).
int crossrun_self_exec_found_in_path(const char *file, const char *path_list);

/// The native program's exec family and posix_spawn(p) (bound instead of the host's): an exec
/// of itself becomes a CrossRun run (above), anything else is the host's call.
int crossrun_native_execve(const char *path, char *const argv[], char *const envp[]);
int crossrun_native_execv(const char *path, char *const argv[]);
int crossrun_native_execvp(const char *file, char *const argv[]);
int crossrun_native_execvpe(const char *file, char *const argv[], char *const envp[]);
int crossrun_native_execl(const char *path, const char *arg, ...);
int crossrun_native_execle(const char *path, const char *arg, ...);
int crossrun_native_execlp(const char *file, const char *arg, ...);
/// execl (0), execle (1) or execlp (2) of the above, by address (Swift cannot name variadic C functions).
void *crossrun_native_exec_list(int which);
int crossrun_native_posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *actions,
                                const posix_spawnattr_t *attributes, char *const argv[], char *const envp[]);
int crossrun_native_posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *actions,
                                 const posix_spawnattr_t *attributes, char *const argv[], char *const envp[]);

#endif
