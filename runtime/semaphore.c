/* Unnamed POSIX semaphores, on futexes. sem_wait and sem_timedwait are cancellation points.
   A process-shared one (pshared != 0, in a MAP_SHARED mapping) changes its words through
   __crossrun_shared_cas, atomic against other processes. */
#include "crossrun_thread.h"
#include <semaphore.h>

struct sem { int value; int waiters; int shared; };
_Static_assert(sizeof(struct sem) <= sizeof(sem_t), "sem_t holds a semaphore");
#define S(s) ((struct sem *)(s))

int sem_init(sem_t *s, int pshared, unsigned value) {
    if (value > SEM_VALUE_MAX) { errno = EINVAL; return -1; }
    for (unsigned i = 0; i < sizeof s->__size; i++) s->__size[i] = 0;
    S(s)->value = (int)value;
    S(s)->shared = pshared != 0;
    return 0;
}
int sem_destroy(sem_t *s) { (void)s; return 0; }

int sem_trywait(sem_t *s) {
    int v = CR_LOAD(&S(s)->value);
    while (v > 0) if (__crossrun_word_cas(&S(s)->value, &v, v - 1, S(s)->shared)) return 0;
    errno = EAGAIN;
    return -1;
}

static int sem_wait_until(sem_t *s, const struct timespec *abstime, int clock) {
    if (abstime && __crossrun_check_timespec(abstime)) { errno = EINVAL; return -1; }
    __crossrun_testcancel();
    for (;;) {
        int v = CR_LOAD(&S(s)->value);
        if (v > 0) {
            if (__crossrun_word_cas(&S(s)->value, &v, v - 1, S(s)->shared)) return 0;
            continue;
        }
        __crossrun_word_add(&S(s)->waiters, 1, S(s)->shared);
        int r = __crossrun_cancellable_wait(&S(s)->value, 0, abstime, clock);
        __crossrun_word_add(&S(s)->waiters, -1, S(s)->shared);
        __crossrun_testcancel();
        if (r == ETIMEDOUT || r == EINVAL) { errno = r; return -1; }
    }
}

int sem_wait(sem_t *s) { return sem_wait_until(s, 0, CLOCK_REALTIME); }
int sem_timedwait(sem_t *s, const struct timespec *abstime) { return sem_wait_until(s, abstime, CLOCK_REALTIME); }
int sem_clockwait(sem_t *s, clockid_t clock, const struct timespec *abstime) {
    if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC) { errno = EINVAL; return -1; }
    return sem_wait_until(s, abstime, clock);
}

int sem_post(sem_t *s) {
    int v = CR_LOAD(&S(s)->value);
    do {
        if (v == SEM_VALUE_MAX) { errno = EOVERFLOW; return -1; }
    } while (!__crossrun_word_cas(&S(s)->value, &v, v + 1, S(s)->shared));
    if (CR_LOAD(&S(s)->waiters)) __crossrun_futex_wake(&S(s)->value, 1);
    return 0;
}

int sem_getvalue(sem_t *s, int *value) { *value = CR_LOAD(&S(s)->value); return 0; }
