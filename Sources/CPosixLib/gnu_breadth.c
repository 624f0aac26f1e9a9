#define _GNU_SOURCE 1
#include <grp.h>
#include <pty.h>
#include <stdlib.h>
#include <sys/timerfd.h>
#include <utmp.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include "crossrun_breadth.h"

int crossrun_ppoll(void *fds, unsigned long count, long seconds, long nanoseconds) {
    struct timespec limit = { .tv_sec = seconds, .tv_nsec = nanoseconds };
    return ppoll((struct pollfd *)fds, (nfds_t)count, seconds < 0 ? NULL : &limit, NULL);
}

FILE *crossrun_fopencookie(void *cookie, const char *mode,
                           long (*read)(void *, char *, size_t),
                           long (*write)(void *, const char *, size_t),
                           int (*seek)(void *, long *, int),
                           int (*close)(void *)) {
    cookie_io_functions_t io = { .read = read, .write = write, .seek = (cookie_seek_function_t *)seek, .close = close };
    return fopencookie(cookie, mode, io);
}

int crossrun_getgrent_r(struct group *out, char *buffer, size_t size, struct group **result) {
    return getgrent_r(out, buffer, size, result);
}

struct if_nameindex *crossrun_if_nameindex(void) { return if_nameindex(); }
void crossrun_if_freenameindex(struct if_nameindex *list) { if_freenameindex(list); }

int crossrun_openpty(int *master, int *slave, char *name, const void *termios, const void *winsize) {
    return openpty(master, slave, name, termios, winsize);
}
int crossrun_login_tty(int fd) { return login_tty(fd); }
int crossrun_posix_openpt(int flags) { return posix_openpt(flags); }
int crossrun_grantpt(int fd) { return grantpt(fd); }
int crossrun_unlockpt(int fd) { return unlockpt(fd); }
int crossrun_ptsname_r(int fd, char *buffer, size_t size) { return ptsname_r(fd, buffer, size); }

_Static_assert(sizeof(struct itimerspec) == 4 * sizeof(long), "struct itimerspec is four longs");
int crossrun_timerfd_create(int clock, int flags) { return timerfd_create(clock, flags); }
int crossrun_timerfd_settime(int fd, int flags, const long *value, long *old) {
    return timerfd_settime(fd, flags, (const struct itimerspec *)value, (struct itimerspec *)old);
}
int crossrun_timerfd_gettime(int fd, long *value) { return timerfd_gettime(fd, (struct itimerspec *)value); }
int crossrun_putgrent(const struct group *entry, FILE *stream) { return putgrent(entry, stream); }
