// An exec of the program itself becomes a new CrossRun run of the same program (self_exec.h).
#define _GNU_SOURCE
#include "self_exec.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

int crossrun_is_original_process(void);

/* Set once by crossrun_self_exec_configure before the program starts, read-only afterwards. */
static char *self_exe;
static char **self_words;
static size_t self_word_count;
static char *self_outcome;
static int self_has_identity;
static dev_t self_dev;
static ino_t self_ino;
/* CrossRun's own executable, which readlink("/proc/self/exe") names on both backends. */
static int exe_has_identity;
static dev_t exe_dev;
static ino_t exe_ino;

/* The compile cache's directory, held open from the start: a process that gives up its
 * privileges (setuid to "nobody", as daemons and libuv's spawn tests do) before running itself
 * again may no longer reach the cache's path (under a 0700 home); the new run then gets the
 * held directory as /proc/self/fd/N instead of compiling every source again. */
static const char *cache_option = "--exec-cache=";
static size_t cache_word = SIZE_MAX;   /* index of the --exec-cache word in self_words */
static int cache_fd = -1;
static dev_t cache_dev;
static ino_t cache_ino;
static int cache_inherited;            /* the path was already /proc/self/fd/N (cache_fd = N) */

/* `fd` moved up out of the way of the program's descriptor numbers (they are the host's, and a
 * program's next open must get the lowest free one, as natively); `fd` when it cannot move. */
static int out_of_the_way(int fd) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return fd;
    rlim_t top = limit.rlim_cur < 65536 ? limit.rlim_cur : 65536;
    if (top <= 128) return fd;
    int moved = fcntl(fd, F_DUPFD_CLOEXEC, (int)(top - 64));
    if (moved < 0) return fd;
    close(fd);
    return moved;
}

/* The descriptor N of a path "/proc/self/fd/N", or -1. */
static int proc_fd_number(const char *path) {
    static const char prefix[] = "/proc/self/fd/";
    if (strncmp(path, prefix, sizeof prefix - 1) != 0) return -1;
    const char *digits = path + sizeof prefix - 1;
    if (!*digits || strlen(digits) > 9 || strspn(digits, "0123456789") != strlen(digits)) return -1;
    return atoi(digits);
}

/* Holds the directory of the `--exec-cache=MB:DIR` word at `index` (no-op for "off"). */
static void hold_cache(size_t index) {
    const char *value = self_words[index] + strlen(cache_option);
    const char *colon = strchr(value, ':');
    if (!colon || !colon[1]) return;
    const char *dir = colon + 1;
    int inherited = proc_fd_number(dir);
    int fd = inherited >= 0 ? inherited : open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISDIR(st.st_mode)) {
        if (fd >= 0 && inherited < 0) close(fd);
        return;
    }
    cache_fd = inherited >= 0 ? fd : out_of_the_way(fd);
    cache_inherited = inherited >= 0;
    cache_dev = st.st_dev;
    cache_ino = st.st_ino;
    cache_word = index;
}

/* The --exec-cache word a new run gets: the held directory as /proc/self/fd/N (made
 * inheritable) when its path is out of this process's reach now, or was such a name already;
 * NULL to pass the word unchanged. `buffer` holds the new word. */
static const char *cache_word_for_exec(char *buffer, size_t size) {
    if (cache_fd < 0 || cache_word >= self_word_count) return NULL;
    const char *value = self_words[cache_word] + strlen(cache_option);
    const char *colon = strchr(value, ':');
    if (!colon) return NULL;
    if (!cache_inherited) {
        if (faccessat(AT_FDCWD, colon + 1, R_OK | X_OK, AT_EACCESS) == 0) return NULL;
        if (errno != EACCES && errno != EPERM) return NULL;
    }
    struct stat st;   /* still the cache's directory (the program may have closed the number) */
    if (fstat(cache_fd, &st) != 0 || st.st_dev != cache_dev || st.st_ino != cache_ino) return NULL;
    int n = snprintf(buffer, size, "%s%.*s:/proc/self/fd/%d", cache_option, (int)(colon - value), value, cache_fd);
    if (n < 0 || (size_t)n >= size) return NULL;
    if (fcntl(cache_fd, F_SETFD, 0) != 0) return NULL;
    return buffer;
}

/* The most strings an argument vector may hold here (as LibcExec's bound). */
#define SELF_EXEC_MAX_ARGS (1 << 16)

int crossrun_self_exec_configure(const char *exe, const char *const *words, size_t count,
                                 const char *outcome, const char *program) {
    if (!exe || count > SELF_EXEC_MAX_ARGS) { errno = EINVAL; return -1; }
    char **list = calloc(count + 1, sizeof *list);
    char *exe_copy = strdup(exe);
    char *outcome_copy = outcome ? strdup(outcome) : NULL;
    int failed = !list || !exe_copy || (outcome && !outcome_copy);
    for (size_t i = 0; i < count && !failed; i++) failed = !(list[i] = strdup(words[i]));
    if (failed) {
        if (list) for (size_t i = 0; i < count; i++) free(list[i]);
        free(list); free(exe_copy); free(outcome_copy);
        errno = ENOMEM;
        return -1;
    }
    struct stat st;
    self_has_identity = program && stat(program, &st) == 0 && S_ISREG(st.st_mode);
    if (self_has_identity) { self_dev = st.st_dev; self_ino = st.st_ino; }
    exe_has_identity = stat("/proc/self/exe", &st) == 0 && S_ISREG(st.st_mode);
    if (exe_has_identity) { exe_dev = st.st_dev; exe_ino = st.st_ino; }
    self_exe = exe_copy;
    self_words = list;
    self_word_count = count;
    self_outcome = outcome_copy;
    if (cache_fd >= 0 && !cache_inherited) close(cache_fd);   /* a run worker's earlier run */
    cache_fd = -1;
    cache_word = SIZE_MAX;
    for (size_t i = 0; i < count; i++) {
        if (strncmp(list[i], cache_option, strlen(cache_option)) == 0) { hold_cache(i); break; }
    }
    return 0;
}

int crossrun_self_exec_names_proc_exe(const char *path) {
    if (!path) return 0;
    char own[64];
    snprintf(own, sizeof own, "/proc/%ld/exe", (long)getpid());
    return strcmp(path, "/proc/self/exe") == 0 || strcmp(path, "/proc/thread-self/exe") == 0 || strcmp(path, own) == 0;
}

int crossrun_self_exec_is_self(const char *path) {
    if (!self_exe || !path) return 0;
    if (crossrun_self_exec_names_proc_exe(path)) return 1;
    struct stat st;
    if (stat(path, &st) != 0) return 0;
    /* The program's first input, or what readlink("/proc/self/exe") gave it: CrossRun itself. */
    return (self_has_identity && st.st_dev == self_dev && st.st_ino == self_ino)
        || (exe_has_identity && st.st_dev == exe_dev && st.st_ino == exe_ino);
}

char **crossrun_self_exec_argv(char *const argv[]) {
    if (!self_exe) { errno = ENOEXEC; return NULL; }
    static const char argv0_option[] = "--exec-argv0=:";   /* ':' so the value is never empty or an option */
    size_t argc = 0;
    if (argv) while (argv[argc]) { if (++argc > SELF_EXEC_MAX_ARGS) { errno = E2BIG; return NULL; } }
    const char *argv0 = argc > 0 ? argv[0] : "";
    int outcome = self_outcome && crossrun_is_original_process();
    char cache_buffer[128];
    const char *cache = cache_word_for_exec(cache_buffer, sizeof cache_buffer);
    /* exe, words, [--outcome-file X], --exec-argv0=:A, --, argv[1...], NULL */
    size_t slots = 1 + self_word_count + (outcome ? 2 : 0) + 2 + (argc > 0 ? argc - 1 : 0) + 1;
    size_t bytes = slots * sizeof(char *);
    size_t strings = strlen(self_exe) + 1 + sizeof argv0_option + strlen(argv0) + 3;
    for (size_t i = 0; i < self_word_count; i++) strings += strlen(cache && i == cache_word ? cache : self_words[i]) + 1;
    if (outcome) strings += sizeof "--outcome-file" + strlen(self_outcome) + 1;
    for (size_t i = 1; i < argc; i++) {
        size_t n = strlen(argv[i]) + 1;
        if (strings > SIZE_MAX / 2 - n) { errno = E2BIG; return NULL; }
        strings += n;
    }
    char **out = malloc(bytes + strings);
    if (!out) { errno = ENOMEM; return NULL; }
    char *cursor = (char *)(out + slots);
    size_t k = 0;
#define PUT(s) do { size_t n_ = strlen(s) + 1; memcpy(cursor, (s), n_); out[k++] = cursor; cursor += n_; } while (0)
    PUT(self_exe);
    for (size_t i = 0; i < self_word_count; i++) PUT(cache && i == cache_word ? cache : self_words[i]);
    if (outcome) { PUT("--outcome-file"); PUT(self_outcome); }
    out[k++] = cursor;
    memcpy(cursor, argv0_option, sizeof argv0_option - 1); cursor += sizeof argv0_option - 1;
    { size_t n = strlen(argv0) + 1; memcpy(cursor, argv0, n); cursor += n; }
    PUT("--");
    for (size_t i = 1; i < argc; i++) PUT(argv[i]);
#undef PUT
    out[k] = NULL;
    return out;
}

int crossrun_self_exec_found_in_path(const char *file, const char *path_list) {
    if (!self_exe || !file || !*file || strchr(file, '/')) return 0;
    const char *list = path_list ? path_list : "/bin:/usr/bin";
    size_t file_length = strlen(file);
    char candidate[PATH_MAX];
    for (const char *p = list;; ) {
        const char *end = strchr(p, ':');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *dir = n ? p : ".";
        size_t dir_length = n ? n : 1;
        if (dir_length + 1 + file_length < sizeof candidate) {
            memcpy(candidate, dir, dir_length);
            candidate[dir_length] = '/';
            memcpy(candidate + dir_length + 1, file, file_length + 1);
            if (crossrun_self_exec_is_self(candidate)) return 1;
            if (access(candidate, X_OK) == 0) return 0;   /* a host program comes first */
        }
        if (!end) return 0;
        p = end + 1;
    }
}

/* --- the native program's bindings --------------------------------------------------------- */

static int exec_self(char *const argv[], char *const envp[]) {
    char **args = crossrun_self_exec_argv(argv);
    if (!args) return -1;
    execve(self_exe, args, envp);   /* (stdio buffers not flushed are lost, as with any exec) */
    int e = errno;
    free(args);
    errno = e;
    return -1;
}

int crossrun_native_execve(const char *path, char *const argv[], char *const envp[]) {
    if (crossrun_self_exec_is_self(path)) return exec_self(argv, envp);
    return execve(path, argv, envp);
}

int crossrun_native_execv(const char *path, char *const argv[]) { return crossrun_native_execve(path, argv, environ); }

int crossrun_native_execvpe(const char *file, char *const argv[], char *const envp[]) {
    if (file && strchr(file, '/')) return crossrun_native_execve(file, argv, envp);
    if (crossrun_self_exec_found_in_path(file, getenv("PATH"))) return exec_self(argv, envp);
    return execvpe(file, argv, envp);
}

int crossrun_native_execvp(const char *file, char *const argv[]) { return crossrun_native_execvpe(file, argv, environ); }

/* execl's list up to NULL (and execle's environment after it) as a malloc'd vector. */
static char **list_arguments(const char *arg, va_list *ap, char ***envp) {
    size_t capacity = 16, count = 0;
    char **list = malloc(capacity * sizeof *list);
    if (!list) { errno = ENOMEM; return NULL; }
    for (const char *a = arg; ; a = va_arg(*ap, const char *)) {
        if (count + 1 >= capacity) {
            if (capacity >= SELF_EXEC_MAX_ARGS) { free(list); errno = E2BIG; return NULL; }
            char **grown = realloc(list, 2 * capacity * sizeof *list);
            if (!grown) { free(list); errno = ENOMEM; return NULL; }
            list = grown;
            capacity *= 2;
        }
        list[count++] = (char *)a;
        if (!a) break;
    }
    if (envp) *envp = va_arg(*ap, char **);
    return list;
}

int crossrun_native_execl(const char *path, const char *arg, ...) {
    va_list ap;
    va_start(ap, arg);
    char **argv = list_arguments(arg, &ap, NULL);
    va_end(ap);
    if (!argv) return -1;
    int r = crossrun_native_execve(path, argv, environ);
    int e = errno;
    free(argv);
    errno = e;
    return r;
}

int crossrun_native_execle(const char *path, const char *arg, ...) {
    va_list ap;
    va_start(ap, arg);
    char **envp = NULL;
    char **argv = list_arguments(arg, &ap, &envp);
    va_end(ap);
    if (!argv) return -1;
    int r = crossrun_native_execve(path, argv, envp);
    int e = errno;
    free(argv);
    errno = e;
    return r;
}

int crossrun_native_execlp(const char *file, const char *arg, ...) {
    va_list ap;
    va_start(ap, arg);
    char **argv = list_arguments(arg, &ap, NULL);
    va_end(ap);
    if (!argv) return -1;
    int r = crossrun_native_execvpe(file, argv, environ);
    int e = errno;
    free(argv);
    errno = e;
    return r;
}

int crossrun_native_posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *actions,
                                const posix_spawnattr_t *attributes, char *const argv[], char *const envp[]) {
    if (!crossrun_self_exec_is_self(path)) return posix_spawn(pid, path, actions, attributes, argv, envp);
    char **args = crossrun_self_exec_argv(argv);
    if (!args) return errno;
    int r = posix_spawn(pid, self_exe, actions, attributes, args, envp);
    free(args);
    return r;
}

int crossrun_native_posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *actions,
                                 const posix_spawnattr_t *attributes, char *const argv[], char *const envp[]) {
    if (file && strchr(file, '/')) return crossrun_native_posix_spawn(pid, file, actions, attributes, argv, envp);
    if (!crossrun_self_exec_found_in_path(file, getenv("PATH"))) return posix_spawnp(pid, file, actions, attributes, argv, envp);
    char **args = crossrun_self_exec_argv(argv);
    if (!args) return errno;
    int r = posix_spawn(pid, self_exe, actions, attributes, args, envp);
    free(args);
    return r;
}

void *crossrun_native_exec_list(int which) {
    switch (which) {
    case 0: return (void *)crossrun_native_execl;
    case 1: return (void *)crossrun_native_execle;
    default: return (void *)crossrun_native_execlp;
    }
}
