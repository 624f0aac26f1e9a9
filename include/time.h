#ifndef _TIME_H
#define _TIME_H
#include <features.h>
#include <_crossrun_types.h>
#define CLOCKS_PER_SEC ((clock_t)1000000)
#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7
#define TIMER_ABSTIME 1
#define TIME_UTC 1
#ifndef _CROSSRUN_TIMESPEC
#define _CROSSRUN_TIMESPEC
struct timespec { time_t tv_sec; long tv_nsec; };
#endif
struct tm {
    int tm_sec, tm_min, tm_hour, tm_mday, tm_mon, tm_year, tm_wday, tm_yday, tm_isdst;
    long tm_gmtoff;
    const char *tm_zone;
};
time_t time(time_t *);
clock_t clock(void);
double difftime(time_t, time_t);
time_t mktime(struct tm *);
struct tm *gmtime(const time_t *);
struct tm *localtime(const time_t *);
struct tm *gmtime_r(const time_t *__CR_RESTRICT, struct tm *__CR_RESTRICT);
struct tm *localtime_r(const time_t *__CR_RESTRICT, struct tm *__CR_RESTRICT);
char *asctime(const struct tm *);
char *ctime(const time_t *);
size_t strftime(char *__CR_RESTRICT, size_t, const char *__CR_RESTRICT, const struct tm *__CR_RESTRICT);
int nanosleep(const struct timespec *, struct timespec *);
int clock_gettime(clockid_t, struct timespec *);
int timespec_get(struct timespec *, int);
int clock_getres(clockid_t, struct timespec *);
/* Emulated, clock_settime answers EPERM: a guest does not set the host's clock. */
int clock_settime(clockid_t, const struct timespec *);
#ifndef __itimerspec_defined
#define __itimerspec_defined 1
/* A timer's period and its first expiry (timerfd_settime). */
struct itimerspec { struct timespec it_interval; struct timespec it_value; };
#endif
int clock_nanosleep(clockid_t, int, const struct timespec *, struct timespec *);
/* POSIX per-process timers. Emulated: SIGEV_SIGNAL (signals 1-31 but the fault ones) and
   SIGEV_NONE on the host's clocks; SIGEV_THREAD and SIGEV_THREAD_ID answer ENOTSUP. */
#ifndef __timer_t_defined
#define __timer_t_defined 1
typedef void *timer_t;
#endif
struct sigevent;
int timer_create(clockid_t, struct sigevent *__CR_RESTRICT, timer_t *__CR_RESTRICT);
int timer_delete(timer_t);
int timer_settime(timer_t, int, const struct itimerspec *__CR_RESTRICT, struct itimerspec *__CR_RESTRICT);
int timer_gettime(timer_t, struct itimerspec *);
int timer_getoverrun(timer_t);
char *asctime_r(const struct tm *__CR_RESTRICT, char *__CR_RESTRICT);
char *ctime_r(const time_t *__CR_RESTRICT, char *__CR_RESTRICT);
void tzset(void);
/* The zone tzset found (localtime, mktime, ctime and strftime run it too). */
extern char *tzname[2];
#if defined(__USE_MISC) || defined(__USE_XOPEN)
extern int daylight;
extern long timezone;
#endif
#ifdef __USE_XOPEN
char *strptime(const char *__CR_RESTRICT, const char *__CR_RESTRICT, struct tm *);
#endif
#ifdef __USE_XOPEN2K8
#ifndef __locale_t_defined
#define __locale_t_defined 1
typedef struct __locale_struct *locale_t;
#endif
size_t strftime_l(char *__CR_RESTRICT, size_t, const char *__CR_RESTRICT, const struct tm *__CR_RESTRICT, locale_t);
#endif
#ifdef __USE_GNU
char *strptime_l(const char *__CR_RESTRICT, const char *__CR_RESTRICT, struct tm *, locale_t);
#endif
#ifdef __USE_MISC
/* The inverses of gmtime and localtime (BSD; in C23 for timegm). */
time_t timegm(struct tm *);
time_t timelocal(struct tm *);
#endif
#endif
