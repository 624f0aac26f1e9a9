#ifndef CROSSRUN_TIMERS_H
#define CROSSRUN_TIMERS_H
#include <stdint.h>
/// POSIX timers (`timer_create` & co.) for emulated guests: host timers whose handle stays on
/// the host side. `notify` is 0 (SIGEV_SIGNAL: `signo` with `value` as si_value) or 1
/// (SIGEV_NONE). The itimerspecs are four longs (interval seconds, nanoseconds, then the
/// value's), every LP64 guest's layout. Each returns 0 or -1 with errno set.
int crossrun_timer_create(int clock, int notify, int signo, uint64_t value, uint64_t *handle);
int crossrun_timer_settime(uint64_t handle, int flags, const long *value, long *old);
int crossrun_timer_gettime(uint64_t handle, long *value);
int crossrun_timer_getoverrun(uint64_t handle);
int crossrun_timer_delete(uint64_t handle);
#endif
