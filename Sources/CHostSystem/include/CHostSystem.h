// Host system calls Swift cannot reach: C-variadic ones (ioctl) and ones glibc declares only
// under _GNU_SOURCE (mremap).
#ifndef CROSSRUN_CHOSTSYSTEM_H
#define CROSSRUN_CHOSTSYSTEM_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/// The host's `stdin` (0), `stdout` (1) or `stderr` (any other `fd`): C globals Swift 6
/// treats as shared mutable state, read here once per call.
FILE *crossrun_host_stdio(int fd);
/// The host C library's time-zone globals as its last tzset set them (C globals Swift 6
/// treats as shared mutable state): `timezone`, `daylight`, and `tzname[index]` (0 or 1).
long crossrun_host_timezone(void);
int crossrun_host_daylight(void);
const char *crossrun_host_tzname(int index);

struct dirent;
/// The name of a `readdir` record and its length in bytes (`*length`), read within the record
/// (`d_reclen`): copying `d_name` from Swift reads its 256 bytes even when the record, packed
/// by the kernel at the end of glibc's buffer, is shorter.
const unsigned char *crossrun_dirent_name(const struct dirent *entry, size_t *length);

/// The absolute path of directory descriptor `fd` (any kind, `O_PATH` too) written to `out`
/// with its NUL, found by walking `..` to the root (for directories deeper than `PATH_MAX`,
/// whose path neither `getcwd` nor `/proc/self/fd/N` gives): its length, or `-errno`
/// (`-ERANGE` when it needs more than `capacity` bytes).
long crossrun_directory_path(int fd, char *out, size_t capacity);

/// ioctl(fd, request, arg) with a pointer argument.
int crossrun_ioctl_pointer(int fd, unsigned long request, void *arg);
/// `ioctl` whose argument is a value, not a pointer.
int crossrun_ioctl_value(int fd, unsigned long request, unsigned long arg);
/// mremap(old, old_size, new_size, MREMAP_MAYMOVE); MAP_FAILED on failure (errno set).
void *crossrun_mremap_maymove(void *old, size_t old_size, size_t new_size);
/// Marks host memory [start, start + length) as a guest file mapping: a host SIGBUS on a page
/// past the file's end maps a zero page over it (so the access completes), records the
/// address for ``crossrun_file_mapping_take_bus_error`` and calls the calling thread's stop
/// function (the handler is installed on first use). 0, or -1 when the table is full.
int crossrun_file_mapping_register(void *start, size_t length);
/// Forgets the part of registered file mappings inside [start, start + length) (munmap).
void crossrun_file_mapping_forget(void *start, size_t length);
/// What the SIGBUS handler calls on this thread (the emulator's engine stop; NULL: nothing).
void crossrun_file_mapping_set_stop(void (*stop)(void *), void *context);
/// The host address of the first bus error on this thread since the last call (0: none),
/// cleared; the file's pages the handler replaced by zero pages are put back.
uintptr_t crossrun_file_mapping_take_bus_error(void);
/// flock(fd, operation) (Swift sees only `struct flock` under that name).
int crossrun_flock(int fd, int operation);
struct statvfs;
/// statvfs(path, buf) (Swift sees only `struct statvfs` under that name).
int crossrun_statvfs(const char *path, struct statvfs *buf);
/// The host's F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW, AT_EMPTY_PATH (_GNU_SOURCE names).
enum { CROSSRUN_F_OFD_GETLK = 36, CROSSRUN_F_OFD_SETLK = 37, CROSSRUN_F_OFD_SETLKW = 38, CROSSRUN_AT_EMPTY_PATH = 0x1000 };
/// Starts `/bin/sh -c command` (posix_spawn) in `directory` (NULL: CrossRun's) with `envp`,
/// every signal at its default but those of `ignored`, which stay ignored, and those of
/// `sigmask` blocked (bit N-1: signal N). When `pipe_fd` >= 0 it becomes the child's
/// descriptor `target_fd`, and `pipe_fd` and `other_fd` (if >= 0) are closed in the child.
/// Returns 0 with `*pid` set, or an errno.
int crossrun_spawn_shell(const char *command, const char *directory, char *const envp[],
                         int pipe_fd, int target_fd, int other_fd, unsigned long long sigmask,
                         unsigned long long ignored, int *pid);
/// One `posix_spawn` file action: `kind` 0 open (`path`, `oflag`, `mode` onto `fd`), 1 close
/// `fd`, 2 dup2 `fd` onto `newfd`, 3 chdir to `path`, 4 fchdir to `fd`.
typedef struct { int kind; int fd; int newfd; int oflag; unsigned mode; const char *path; } crossrun_spawn_action;
/// posix_spawn of `path` (no PATH search) in `directory` (NULL: CrossRun's): first the chdir,
/// then `actions` in order; every signal at its default but those of `ignored`, which stay
/// ignored, `sigmask` (bit N-1: signal N) blocked; `setpgroup`/`setsid` as the POSIX_SPAWN
/// flags. Returns 0 with `*pid` set, or an errno.
int crossrun_spawn(const char *path, char *const argv[], char *const envp[], const char *directory,
                   const crossrun_spawn_action *actions, size_t count, unsigned long long sigmask,
                   unsigned long long ignored, int setpgroup, int pgroup, int setsid, int *pid);
/// accept4 (declared only under _GNU_SOURCE): `addr`/`len` are a `struct sockaddr *` and a
/// `socklen_t *` (or NULL).
int crossrun_accept4(int fd, void *addr, unsigned int *len, int flags);
/// syslog(priority, "%s", message) and openlog: Swift cannot call the variadic syslog.
/// `ident` must stay valid until the next openlog (syslog keeps the pointer).
void crossrun_syslog(int priority, const char *message);
void crossrun_openlog(const char *ident, int options, int facility);
#include <time.h>
/// strptime(3), which Glibc's Swift module leaves out (it is an X/Open extension).
char *crossrun_strptime(const char *text, const char *format, struct tm *tm);

/// A read-only in-memory file (a sealed memfd) holding `length` bytes, as a path
/// ("/proc/self/fd/N") guest opens can be redirected to. Made once per `name` (under 32
/// bytes; the first call's contents stay) per process, at most 8 names; NULL on failure.
const char *crossrun_synthetic_file(const char *name, const void *bytes, size_t length);
/// A read-only in-memory file made afresh for one open (a file whose contents change, such as
/// the guest's `/proc/self/maps`): its path ("/proc/self/fd/N") is written to `path` (`size`
/// bytes). The descriptor sits near the top of the descriptor range, so the guest's own open
/// gets the number it would natively; the 8 newest are kept open, older ones closed (the
/// guest's open of the path has its own descriptor by then). 0, or -1 on failure.
int crossrun_generated_file(const void *bytes, size_t length, char *path, size_t size);
/// epoll and eventfd, which Swift's Glibc module does not bring in.
#include <sys/epoll.h>
#include <sys/eventfd.h>
/// inotify, likewise.
#include <sys/inotify.h>

#endif
