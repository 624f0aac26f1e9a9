// The remaining GNU/POSIX breadth (issue 14 point 8) that glibc declares only under
// _GNU_SOURCE, wrapped in gnu_breadth.c.
#ifndef CROSSRUN_BREADTH_H
#define CROSSRUN_BREADTH_H
#include <stddef.h>
#include <stdio.h>
#include <grp.h>
#include <net/if.h>
/// fopencookie with its four functions passed separately (any may be NULL).
FILE *crossrun_fopencookie(void *cookie, const char *mode,
                           long (*read)(void *, char *, size_t),
                           long (*write)(void *, const char *, size_t),
                           int (*seek)(void *, long *, int),
                           int (*close)(void *));
/// getgrent_r (a GNU extension in glibc's grp.h).
int crossrun_getgrent_r(struct group *out, char *buffer, size_t size, struct group **result);
/// ppoll with no signal mask; `seconds < 0` means no time limit. 0+ or -1 (errno).
int crossrun_ppoll(void *fds, unsigned long count, long seconds, long nanoseconds);
/// if_nameindex/if_freenameindex (Swift sees the struct's initializer under that name).
struct if_nameindex *crossrun_if_nameindex(void);
void crossrun_if_freenameindex(struct if_nameindex *list);
/// <pty.h>, <utmp.h> and the XSI pty calls of <stdlib.h> (termios and winsize are the
/// host's structs, which are every LP64 guest's layouts).
int crossrun_openpty(int *master, int *slave, char *name, const void *termios, const void *winsize);
int crossrun_login_tty(int fd);
int crossrun_posix_openpt(int flags);
int crossrun_grantpt(int fd);
int crossrun_unlockpt(int fd);
int crossrun_ptsname_r(int fd, char *buffer, size_t size);
/// <sys/timerfd.h>; the itimerspecs are four longs (seconds and nanoseconds of the interval, then
/// of the value), every LP64 guest's layout.
int crossrun_timerfd_create(int clock, int flags);
int crossrun_timerfd_settime(int fd, int flags, const long *value, long *old);
int crossrun_timerfd_gettime(int fd, long *value);
/// putgrent (a GNU extension in glibc's grp.h).
int crossrun_putgrent(const struct group *entry, FILE *stream);
#endif
