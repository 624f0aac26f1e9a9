#define _GNU_SOURCE
#include "CHostSystem.h"
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/file.h>
#include <sys/statvfs.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <syslog.h>
#include <dirent.h>
#include <string.h>

_Static_assert(F_OFD_GETLK == CROSSRUN_F_OFD_GETLK && F_OFD_SETLK == CROSSRUN_F_OFD_SETLK && F_OFD_SETLKW == CROSSRUN_F_OFD_SETLKW, "F_OFD_*");
_Static_assert(AT_EMPTY_PATH == CROSSRUN_AT_EMPTY_PATH, "AT_EMPTY_PATH");

FILE *crossrun_host_stdio(int fd) { return fd == 0 ? stdin : fd == 1 ? stdout : stderr; }
long crossrun_host_timezone(void) { return timezone; }
int crossrun_host_daylight(void) { return daylight; }
const char *crossrun_host_tzname(int index) { return tzname[index & 1] ? tzname[index & 1] : ""; }

int crossrun_flock(int fd, int operation) { return flock(fd, operation); }
int crossrun_statvfs(const char *path, struct statvfs *buf) { return statvfs(path, buf); }

int crossrun_ioctl_pointer(int fd, unsigned long request, void *arg) { return ioctl(fd, request, arg); }
int crossrun_ioctl_value(int fd, unsigned long request, unsigned long arg) { return ioctl(fd, request, arg); }

void *crossrun_mremap_maymove(void *old, size_t old_size, size_t new_size) {
    return mremap(old, old_size, new_size, MREMAP_MAYMOVE);
}

#include <spawn.h>
#include <signal.h>
#include <errno.h>

/* The child's signals: every one at its default but the guest's ignored ones (CrossRun's
   own dispositions must not leak), and the guest's blocked ones blocked (bit N-1: signal N). */
static int spawn_signals(posix_spawnattr_t *attributes, unsigned long long sigmask, unsigned long long ignored) {
    sigset_t defaults, mask;
    sigfillset(&defaults);
    sigemptyset(&mask);
    for (int s = 1; s <= 64; s++) {
        if (ignored & (1ULL << (s - 1))) sigdelset(&defaults, s);
        if (sigmask & (1ULL << (s - 1))) sigaddset(&mask, s);
    }
    int r = posix_spawnattr_setsigdefault(attributes, &defaults);
    return r == 0 ? posix_spawnattr_setsigmask(attributes, &mask) : r;
}

int crossrun_spawn_shell(const char *command, const char *directory, char *const envp[],
                         int pipe_fd, int target_fd, int other_fd, unsigned long long sigmask,
                         unsigned long long ignored, int *pid) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    int r = posix_spawn_file_actions_init(&actions);
    if (r != 0) return r;
    r = posix_spawnattr_init(&attributes);
    if (r != 0) { posix_spawn_file_actions_destroy(&actions); return r; }
    r = spawn_signals(&attributes, sigmask, ignored);
    if (r == 0) r = posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    if (r == 0 && directory) r = posix_spawn_file_actions_addchdir_np(&actions, directory);
    if (r == 0 && pipe_fd >= 0) {
        // dup2 onto itself clears FD_CLOEXEC (glibc >= 2.29), so an O_CLOEXEC pipe end survives.
        r = posix_spawn_file_actions_adddup2(&actions, pipe_fd, target_fd);
        if (r == 0 && pipe_fd != target_fd) r = posix_spawn_file_actions_addclose(&actions, pipe_fd);
    }
    if (r == 0 && other_fd >= 0 && other_fd != target_fd) r = posix_spawn_file_actions_addclose(&actions, other_fd);
    if (r == 0) {
        char *const argv[] = {"sh", "-c", (char *)command, NULL};
        pid_t child = 0;
        r = posix_spawn(&child, "/bin/sh", &actions, &attributes, argv, envp);
        if (r == 0) *pid = child;
    }
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    return r;
}

int crossrun_spawn(const char *path, char *const argv[], char *const envp[], const char *directory,
                   const crossrun_spawn_action *actions, size_t count, unsigned long long sigmask,
                   unsigned long long ignored, int setpgroup, int pgroup, int setsid, int *pid) {
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attributes;
    int r = posix_spawn_file_actions_init(&fa);
    if (r != 0) return r;
    r = posix_spawnattr_init(&attributes);
    if (r != 0) { posix_spawn_file_actions_destroy(&fa); return r; }
    short flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK;
    if (setpgroup) flags |= POSIX_SPAWN_SETPGROUP;
    if (setsid) flags |= POSIX_SPAWN_SETSID;
    r = spawn_signals(&attributes, sigmask, ignored);
    if (r == 0 && setpgroup) r = posix_spawnattr_setpgroup(&attributes, pgroup);
    if (r == 0) r = posix_spawnattr_setflags(&attributes, flags);
    if (r == 0 && directory) r = posix_spawn_file_actions_addchdir_np(&fa, directory);
    for (size_t i = 0; r == 0 && i < count; i++) {
        const crossrun_spawn_action *a = &actions[i];
        switch (a->kind) {
        case 0: r = posix_spawn_file_actions_addopen(&fa, a->fd, a->path, a->oflag, a->mode); break;
        case 1: r = posix_spawn_file_actions_addclose(&fa, a->fd); break;
        case 3: r = posix_spawn_file_actions_addchdir_np(&fa, a->path); break;
        case 4: r = posix_spawn_file_actions_addfchdir_np(&fa, a->fd); break;
        default: r = posix_spawn_file_actions_adddup2(&fa, a->fd, a->newfd); break;
        }
    }
    if (r == 0) {
        pid_t child = 0;
        r = posix_spawn(&child, path, &fa, &attributes, argv, envp);
        if (r == 0) *pid = child;
    }
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&fa);
    return r;
}

int crossrun_accept4(int fd, void *addr, unsigned int *len, int flags) { return accept4(fd, (struct sockaddr *)addr, len, flags); }

void crossrun_syslog(int priority, const char *message) { syslog(priority, "%s", message); }
void crossrun_openlog(const char *ident, int options, int facility) { openlog(ident, options, facility); }

#include <time.h>
char *crossrun_strptime(const char *text, const char *format, struct tm *tm) { return strptime(text, format, tm); }

const unsigned char *crossrun_dirent_name(const struct dirent *entry, size_t *length) {
    size_t offset = offsetof(struct dirent, d_name);
    size_t room = entry->d_reclen > offset ? entry->d_reclen - offset : 0;
    if (room > 255) room = 255;
    *length = strnlen(entry->d_name, room);
    return (const unsigned char *)entry->d_name;
}
