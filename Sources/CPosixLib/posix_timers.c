#define _GNU_SOURCE 1
#include <signal.h>
#include <string.h>
#include <time.h>
#include "crossrun_timers.h"

int crossrun_timer_create(int clock, int notify, int signo, uint64_t value, uint64_t *handle) {
    struct sigevent event;
    memset(&event, 0, sizeof event);
    event.sigev_notify = notify == 0 ? SIGEV_SIGNAL : SIGEV_NONE;
    event.sigev_signo = signo;
    event.sigev_value.sival_ptr = (void *)(uintptr_t)value;
    timer_t timer;
    if (timer_create(clock, &event, &timer) != 0) return -1;
    *handle = (uint64_t)(uintptr_t)timer;
    return 0;
}

int crossrun_timer_settime(uint64_t handle, int flags, const long *value, long *old) {
    return timer_settime((timer_t)(uintptr_t)handle, flags, (const struct itimerspec *)value, (struct itimerspec *)old);
}

int crossrun_timer_gettime(uint64_t handle, long *value) {
    return timer_gettime((timer_t)(uintptr_t)handle, (struct itimerspec *)value);
}

int crossrun_timer_getoverrun(uint64_t handle) { return timer_getoverrun((timer_t)(uintptr_t)handle); }

int crossrun_timer_delete(uint64_t handle) { return timer_delete((timer_t)(uintptr_t)handle); }
