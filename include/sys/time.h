#ifndef _SYS_TIME_H
#define _SYS_TIME_H
#include <features.h>
#include <_crossrun_types.h>
struct timeval { time_t tv_sec; suseconds_t tv_usec; };
struct timezone { int tz_minuteswest; int tz_dsttime; };
int gettimeofday(struct timeval *__CR_RESTRICT, void *__CR_RESTRICT);
int utimes(const char *, const struct timeval[2]);
/* As glibc: fd_set and select come with <sys/time.h> under _DEFAULT_SOURCE/_GNU_SOURCE. */
#ifdef __USE_MISC
int futimes(int, const struct timeval[2]);
int lutimes(const char *, const struct timeval[2]);
#include <sys/select.h>
#endif
#endif
