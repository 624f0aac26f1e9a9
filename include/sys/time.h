#ifndef _SYS_TIME_H
#define _SYS_TIME_H
#include <features.h>
#include <_crossrun_types.h>
struct timeval { time_t tv_sec; suseconds_t tv_usec; };
struct timezone { int tz_minuteswest; int tz_dsttime; };
int gettimeofday(struct timeval *__CR_RESTRICT, void *__CR_RESTRICT);
int utimes(const char *, const struct timeval[2]);
/* Interval timers are the process's (emulated: CrossRun's, whose signals reach the guest's
   handlers at its next library call; see doc/LIBC.md). */
#define ITIMER_REAL 0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF 2
struct itimerval { struct timeval it_interval; struct timeval it_value; };
int getitimer(int, struct itimerval *);
int setitimer(int, const struct itimerval *__CR_RESTRICT, struct itimerval *__CR_RESTRICT);
/* As glibc: fd_set and select come with <sys/time.h> under _DEFAULT_SOURCE/_GNU_SOURCE. */
#ifdef __USE_MISC
int futimes(int, const struct timeval[2]);
/* Emulated, settimeofday answers EPERM (EINVAL for a malformed time, or both arguments): a
   guest does not set the host's clock or time zone. */
int settimeofday(const struct timeval *, const struct timezone *);
int lutimes(const char *, const struct timeval[2]);
#include <sys/select.h>
#endif
#endif
