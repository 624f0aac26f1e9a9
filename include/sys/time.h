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
/* The BSD timeval arithmetic, as glibc's macros (each argument may be evaluated twice). */
#define timerisset(tvp) ((tvp)->tv_sec || (tvp)->tv_usec)
#define timerclear(tvp) ((tvp)->tv_sec = (tvp)->tv_usec = 0)
#define timercmp(a, b, CMP) \
    (((a)->tv_sec == (b)->tv_sec) ? ((a)->tv_usec CMP (b)->tv_usec) : ((a)->tv_sec CMP (b)->tv_sec))
#define timeradd(a, b, result) \
    do { \
        (result)->tv_sec = (a)->tv_sec + (b)->tv_sec; \
        (result)->tv_usec = (a)->tv_usec + (b)->tv_usec; \
        if ((result)->tv_usec >= 1000000) { ++(result)->tv_sec; (result)->tv_usec -= 1000000; } \
    } while (0)
#define timersub(a, b, result) \
    do { \
        (result)->tv_sec = (a)->tv_sec - (b)->tv_sec; \
        (result)->tv_usec = (a)->tv_usec - (b)->tv_usec; \
        if ((result)->tv_usec < 0) { --(result)->tv_sec; (result)->tv_usec += 1000000; } \
    } while (0)
#endif
#ifdef __USE_GNU
/* Conversions between struct timeval and struct timespec, as glibc's (braces, no do-while). */
#define TIMEVAL_TO_TIMESPEC(tv, ts) { (ts)->tv_sec = (tv)->tv_sec; (ts)->tv_nsec = (tv)->tv_usec * 1000; }
#define TIMESPEC_TO_TIMEVAL(tv, ts) { (tv)->tv_sec = (ts)->tv_sec; (tv)->tv_usec = (ts)->tv_nsec / 1000; }
#endif
#endif
