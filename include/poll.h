#ifndef _POLL_H
#define _POLL_H
#include <features.h>
typedef unsigned long nfds_t;
struct pollfd { int fd; short events; short revents; };
#define POLLIN 0x001
#define POLLPRI 0x002
#define POLLOUT 0x004
#define POLLERR 0x008
#define POLLHUP 0x010
#define POLLNVAL 0x020
#define POLLRDNORM 0x040
#define POLLRDBAND 0x080
#define POLLWRNORM 0x100
#define POLLWRBAND 0x200
int poll(struct pollfd *, nfds_t, int);
#ifdef __USE_GNU
#define POLLMSG 0x400
#define POLLREMOVE 0x1000
#define POLLRDHUP 0x2000
#include <_crossrun_types.h>
#ifndef __sigset_t_defined
#define __sigset_t_defined 1
typedef struct { unsigned long __val[16]; } sigset_t;
#endif
#ifndef _CROSSRUN_TIMESPEC
#define _CROSSRUN_TIMESPEC
struct timespec { time_t tv_sec; long tv_nsec; };
#endif
/* Emulated, the signal mask is not applied (as pselect's): the guest's signals are the
   library's to deliver. */
int ppoll(struct pollfd *, nfds_t, const struct timespec *, const sigset_t *);
#endif
#endif
