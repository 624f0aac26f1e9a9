/* CrossRun's guest runtime: a thread's scheduling parameters and CPU affinity. Target code
 * on both backends, over the host's sched_* calls. */
#define _GNU_SOURCE 1
#include "crossrun_thread.h"
#include <sched.h>
#include <unistd.h>

/* The descriptor of a thread that may still run, or 0 when it has ended (ESRCH, as glibc
 * answers for a thread whose kernel task is gone). */
static struct __crossrun_thread *live(pthread_t thread) {
    struct __crossrun_thread *t = (struct __crossrun_thread *)thread;
    if (t == __crossrun_self()) return t;
    return CR_LOAD(&t->tid) ? t : 0;
}

/* Policies and priorities are kept and reported, as Linux checks them (a real-time policy
 * needs privilege); every thread keeps running with the host's default policy. */
int pthread_getschedparam(pthread_t thread, int *policy, struct sched_param *param) {
    struct __crossrun_thread *t = live(thread);
    if (!t) return ESRCH;
    *policy = CR_LOAD(&t->sched_policy);
    param->sched_priority = CR_LOAD(&t->sched_priority);
    return 0;
}

static int set(struct __crossrun_thread *t, int policy, int priority) {
    int base = policy & ~SCHED_RESET_ON_FORK;
    if (base != SCHED_OTHER && base != SCHED_FIFO && base != SCHED_RR && base != SCHED_BATCH && base != SCHED_IDLE)
        return EINVAL;
    int min = sched_get_priority_min(base), max = sched_get_priority_max(base);
    if (priority < min || priority > max) return EINVAL;
    if ((base == SCHED_FIFO || base == SCHED_RR) && geteuid() != 0) return EPERM;
    CR_STORE(&t->sched_policy, base);
    CR_STORE(&t->sched_priority, priority);
    return 0;
}

int pthread_setschedparam(pthread_t thread, int policy, const struct sched_param *param) {
    struct __crossrun_thread *t = live(thread);
    return t ? set(t, policy, param->sched_priority) : ESRCH;
}

int pthread_setschedprio(pthread_t thread, int priority) {
    struct __crossrun_thread *t = live(thread);
    return t ? set(t, CR_LOAD(&t->sched_policy), priority) : ESRCH;
}

/* The host's affinity of the thread's task (0: the calling one); errors as glibc's. */
int pthread_setaffinity_np(pthread_t thread, size_t size, const cpu_set_t *set) {
    struct __crossrun_thread *t = live(thread);
    if (!t) return ESRCH;
    int saved = errno;
    int r = sched_setaffinity(t == __crossrun_self() ? 0 : t->tid, size, set) == 0 ? 0 : errno;
    errno = saved;
    return r;
}

int pthread_getaffinity_np(pthread_t thread, size_t size, cpu_set_t *set) {
    struct __crossrun_thread *t = live(thread);
    if (!t) return ESRCH;
    int saved = errno;
    int r = sched_getaffinity(t == __crossrun_self() ? 0 : t->tid, size, set) == 0 ? 0 : errno;
    errno = saved;
    return r;
}
