#ifndef _TIME_H
#define _TIME_H
#include <_crossrun_types.h>
#define CLOCKS_PER_SEC ((clock_t)1000000)
#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
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
#endif
