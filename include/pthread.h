/* POSIX threads. Implemented as guest code (runtime/pthread*.c) over CrossRun's thread
   primitives, the same on every target and backend. Object sizes and alignments are glibc's
   for each architecture; a zero-filled object is a valid default one (as the static
   initializers are). */
#ifndef _PTHREAD_H
#define _PTHREAD_H 1
#include <features.h>
#include <_crossrun_types.h>
#include <time.h>
#include <sched.h>

#include <_crossrun_pthread_types.h>

enum { PTHREAD_CREATE_JOINABLE, PTHREAD_CREATE_DETACHED };
#define PTHREAD_CREATE_JOINABLE PTHREAD_CREATE_JOINABLE
#define PTHREAD_CREATE_DETACHED PTHREAD_CREATE_DETACHED
enum {
    PTHREAD_MUTEX_TIMED_NP, PTHREAD_MUTEX_RECURSIVE_NP, PTHREAD_MUTEX_ERRORCHECK_NP, PTHREAD_MUTEX_ADAPTIVE_NP,
    PTHREAD_MUTEX_NORMAL = PTHREAD_MUTEX_TIMED_NP, PTHREAD_MUTEX_RECURSIVE = PTHREAD_MUTEX_RECURSIVE_NP,
    PTHREAD_MUTEX_ERRORCHECK = PTHREAD_MUTEX_ERRORCHECK_NP, PTHREAD_MUTEX_DEFAULT = PTHREAD_MUTEX_NORMAL,
    PTHREAD_MUTEX_FAST_NP = PTHREAD_MUTEX_TIMED_NP
};
/* Robust mutexes: a lock whose owner thread ended gives the next locker EOWNERDEAD. */
enum {
    PTHREAD_MUTEX_STALLED, PTHREAD_MUTEX_STALLED_NP = PTHREAD_MUTEX_STALLED,
    PTHREAD_MUTEX_ROBUST, PTHREAD_MUTEX_ROBUST_NP = PTHREAD_MUTEX_ROBUST
};
/* Priority protocols: accepted and reported; locking is the same under each (guest threads
   have no real-time priorities to raise). */
enum { PTHREAD_PRIO_NONE, PTHREAD_PRIO_INHERIT, PTHREAD_PRIO_PROTECT };
#define PTHREAD_PRIO_NONE PTHREAD_PRIO_NONE
#define PTHREAD_PRIO_INHERIT PTHREAD_PRIO_INHERIT
#define PTHREAD_PRIO_PROTECT PTHREAD_PRIO_PROTECT
enum { PTHREAD_PROCESS_PRIVATE, PTHREAD_PROCESS_SHARED };
#define PTHREAD_PROCESS_PRIVATE PTHREAD_PROCESS_PRIVATE
#define PTHREAD_PROCESS_SHARED PTHREAD_PROCESS_SHARED
enum { PTHREAD_INHERIT_SCHED, PTHREAD_EXPLICIT_SCHED };
#define PTHREAD_INHERIT_SCHED PTHREAD_INHERIT_SCHED
#define PTHREAD_EXPLICIT_SCHED PTHREAD_EXPLICIT_SCHED
enum { PTHREAD_SCOPE_SYSTEM, PTHREAD_SCOPE_PROCESS };
#define PTHREAD_SCOPE_SYSTEM PTHREAD_SCOPE_SYSTEM
#define PTHREAD_SCOPE_PROCESS PTHREAD_SCOPE_PROCESS
enum { PTHREAD_CANCEL_ENABLE, PTHREAD_CANCEL_DISABLE };
#define PTHREAD_CANCEL_ENABLE PTHREAD_CANCEL_ENABLE
#define PTHREAD_CANCEL_DISABLE PTHREAD_CANCEL_DISABLE
enum { PTHREAD_CANCEL_DEFERRED, PTHREAD_CANCEL_ASYNCHRONOUS };
#define PTHREAD_CANCEL_DEFERRED PTHREAD_CANCEL_DEFERRED
#define PTHREAD_CANCEL_ASYNCHRONOUS PTHREAD_CANCEL_ASYNCHRONOUS
#define PTHREAD_CANCELED ((void *)-1)
#define PTHREAD_ONCE_INIT 0
#define PTHREAD_BARRIER_SERIAL_THREAD (-1)

#define PTHREAD_MUTEX_INITIALIZER { { 0, PTHREAD_MUTEX_TIMED_NP, 0, 0, 0 } }
#ifdef __USE_GNU
#define PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP { { 0, PTHREAD_MUTEX_RECURSIVE_NP, 0, 0, 0 } }
#define PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP { { 0, PTHREAD_MUTEX_ERRORCHECK_NP, 0, 0, 0 } }
#define PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP { { 0, PTHREAD_MUTEX_ADAPTIVE_NP, 0, 0, 0 } }
#endif
#define PTHREAD_COND_INITIALIZER { { 0 } }
#define PTHREAD_RWLOCK_INITIALIZER { { 0 } }

/* Cleanup handlers (a cancellation or pthread_exit runs them, innermost first). The two
   helpers are the runtime's own (not import-table functions): declared inside the macros. */
struct __crossrun_cleanup { void (*__routine)(void *); void *__arg; struct __crossrun_cleanup *__next; };
#define pthread_cleanup_push(routine, arg) \
    do { \
        extern void __crossrun_cleanup_push(struct __crossrun_cleanup *, void (*)(void *), void *); \
        extern void __crossrun_cleanup_pop(struct __crossrun_cleanup *, int); \
        struct __crossrun_cleanup __cr_cb; \
        __crossrun_cleanup_push(&__cr_cb, (routine), (arg));
#define pthread_cleanup_pop(execute) \
        __crossrun_cleanup_pop(&__cr_cb, (execute)); \
    } while (0)

int pthread_create(pthread_t *__CR_RESTRICT, const pthread_attr_t *__CR_RESTRICT, void *(*)(void *), void *__CR_RESTRICT);
int pthread_join(pthread_t, void **);
int pthread_detach(pthread_t);
void pthread_exit(void *) __CR_NORETURN;
pthread_t pthread_self(void);
int pthread_equal(pthread_t, pthread_t);

int pthread_attr_init(pthread_attr_t *);
int pthread_attr_destroy(pthread_attr_t *);
int pthread_attr_setdetachstate(pthread_attr_t *, int);
int pthread_attr_getdetachstate(const pthread_attr_t *, int *);
int pthread_attr_setstacksize(pthread_attr_t *, size_t);
int pthread_attr_getstacksize(const pthread_attr_t *__CR_RESTRICT, size_t *__CR_RESTRICT);
int pthread_attr_setguardsize(pthread_attr_t *, size_t);
int pthread_attr_getguardsize(const pthread_attr_t *__CR_RESTRICT, size_t *__CR_RESTRICT);
int pthread_attr_setscope(pthread_attr_t *, int);
int pthread_attr_getscope(const pthread_attr_t *__CR_RESTRICT, int *__CR_RESTRICT);
int pthread_attr_setinheritsched(pthread_attr_t *, int);
int pthread_attr_getinheritsched(const pthread_attr_t *__CR_RESTRICT, int *__CR_RESTRICT);
int pthread_attr_setschedpolicy(pthread_attr_t *, int);
int pthread_attr_getschedpolicy(const pthread_attr_t *__CR_RESTRICT, int *__CR_RESTRICT);
int pthread_attr_setschedparam(pthread_attr_t *__CR_RESTRICT, const struct sched_param *__CR_RESTRICT);
int pthread_attr_getschedparam(const pthread_attr_t *__CR_RESTRICT, struct sched_param *__CR_RESTRICT);
/* A thread's scheduling policy and priority (runtime/pthread_sched.c). */
int pthread_getschedparam(pthread_t, int *__CR_RESTRICT, struct sched_param *__CR_RESTRICT);
int pthread_setschedparam(pthread_t, int, const struct sched_param *);
int pthread_setschedprio(pthread_t, int);
/* Handlers fork runs around the host's fork: prepare (last registered first) in the parent
   before it, then parent or child (first registered first) after it (runtime/fork.c). */
int pthread_atfork(void (*)(void), void (*)(void), void (*)(void));
#ifdef __USE_GNU
/* A thread's CPU affinity: the host's, for the host thread that runs it. */
int pthread_setaffinity_np(pthread_t, size_t, const cpu_set_t *);
int pthread_getaffinity_np(pthread_t, size_t, cpu_set_t *);
int pthread_getattr_np(pthread_t, pthread_attr_t *);
int pthread_setname_np(pthread_t, const char *);
int pthread_getname_np(pthread_t, char *, size_t);
int pthread_tryjoin_np(pthread_t, void **);
int pthread_timedjoin_np(pthread_t, void **, const struct timespec *);
int pthread_clockjoin_np(pthread_t, void **, clockid_t, const struct timespec *);
/* Timed waits on a chosen clock (CLOCK_REALTIME or CLOCK_MONOTONIC). */
int pthread_mutex_clocklock(pthread_mutex_t *__CR_RESTRICT, clockid_t, const struct timespec *__CR_RESTRICT);
int pthread_cond_clockwait(pthread_cond_t *__CR_RESTRICT, pthread_mutex_t *__CR_RESTRICT, clockid_t,
                           const struct timespec *__CR_RESTRICT);
int pthread_rwlock_clockrdlock(pthread_rwlock_t *__CR_RESTRICT, clockid_t, const struct timespec *__CR_RESTRICT);
int pthread_rwlock_clockwrlock(pthread_rwlock_t *__CR_RESTRICT, clockid_t, const struct timespec *__CR_RESTRICT);
#endif

int pthread_mutex_init(pthread_mutex_t *__CR_RESTRICT, const pthread_mutexattr_t *__CR_RESTRICT);
int pthread_mutex_destroy(pthread_mutex_t *);
int pthread_mutex_lock(pthread_mutex_t *);
int pthread_mutex_trylock(pthread_mutex_t *);
int pthread_mutex_timedlock(pthread_mutex_t *__CR_RESTRICT, const struct timespec *__CR_RESTRICT);
int pthread_mutex_unlock(pthread_mutex_t *);
int pthread_mutexattr_init(pthread_mutexattr_t *);
int pthread_mutexattr_destroy(pthread_mutexattr_t *);
int pthread_mutexattr_settype(pthread_mutexattr_t *, int);
int pthread_mutexattr_gettype(const pthread_mutexattr_t *__CR_RESTRICT, int *__CR_RESTRICT);
int pthread_mutexattr_setpshared(pthread_mutexattr_t *, int);
int pthread_mutexattr_getpshared(const pthread_mutexattr_t *__CR_RESTRICT, int *__CR_RESTRICT);
int pthread_mutexattr_setrobust(pthread_mutexattr_t *, int);
int pthread_mutexattr_getrobust(const pthread_mutexattr_t *__CR_RESTRICT, int *__CR_RESTRICT);
int pthread_mutexattr_setprotocol(pthread_mutexattr_t *, int);
int pthread_mutexattr_getprotocol(const pthread_mutexattr_t *__CR_RESTRICT, int *__CR_RESTRICT);
int pthread_mutexattr_setprioceiling(pthread_mutexattr_t *, int);
int pthread_mutexattr_getprioceiling(const pthread_mutexattr_t *__CR_RESTRICT, int *__CR_RESTRICT);
int pthread_mutex_consistent(pthread_mutex_t *);

int pthread_cond_init(pthread_cond_t *__CR_RESTRICT, const pthread_condattr_t *__CR_RESTRICT);
int pthread_cond_destroy(pthread_cond_t *);
int pthread_cond_wait(pthread_cond_t *__CR_RESTRICT, pthread_mutex_t *__CR_RESTRICT);
int pthread_cond_timedwait(pthread_cond_t *__CR_RESTRICT, pthread_mutex_t *__CR_RESTRICT, const struct timespec *__CR_RESTRICT);
int pthread_cond_signal(pthread_cond_t *);
int pthread_cond_broadcast(pthread_cond_t *);
int pthread_condattr_init(pthread_condattr_t *);
int pthread_condattr_destroy(pthread_condattr_t *);
int pthread_condattr_setclock(pthread_condattr_t *, clockid_t);
int pthread_condattr_getclock(const pthread_condattr_t *__CR_RESTRICT, clockid_t *__CR_RESTRICT);
int pthread_condattr_setpshared(pthread_condattr_t *, int);
int pthread_condattr_getpshared(const pthread_condattr_t *__CR_RESTRICT, int *__CR_RESTRICT);

int pthread_rwlock_init(pthread_rwlock_t *__CR_RESTRICT, const pthread_rwlockattr_t *__CR_RESTRICT);
int pthread_rwlock_destroy(pthread_rwlock_t *);
int pthread_rwlock_rdlock(pthread_rwlock_t *);
int pthread_rwlock_tryrdlock(pthread_rwlock_t *);
int pthread_rwlock_timedrdlock(pthread_rwlock_t *__CR_RESTRICT, const struct timespec *__CR_RESTRICT);
int pthread_rwlock_wrlock(pthread_rwlock_t *);
int pthread_rwlock_trywrlock(pthread_rwlock_t *);
int pthread_rwlock_timedwrlock(pthread_rwlock_t *__CR_RESTRICT, const struct timespec *__CR_RESTRICT);
int pthread_rwlock_unlock(pthread_rwlock_t *);
int pthread_rwlockattr_init(pthread_rwlockattr_t *);
int pthread_rwlockattr_destroy(pthread_rwlockattr_t *);
int pthread_rwlockattr_setpshared(pthread_rwlockattr_t *, int);
int pthread_rwlockattr_getpshared(const pthread_rwlockattr_t *__CR_RESTRICT, int *__CR_RESTRICT);

int pthread_once(pthread_once_t *, void (*)(void));
int pthread_key_create(pthread_key_t *, void (*)(void *));
int pthread_key_delete(pthread_key_t);
void *pthread_getspecific(pthread_key_t);
int pthread_setspecific(pthread_key_t, const void *);

int pthread_barrier_init(pthread_barrier_t *__CR_RESTRICT, const pthread_barrierattr_t *__CR_RESTRICT, unsigned);
int pthread_barrier_destroy(pthread_barrier_t *);
int pthread_barrier_wait(pthread_barrier_t *);
int pthread_barrierattr_init(pthread_barrierattr_t *);
int pthread_barrierattr_destroy(pthread_barrierattr_t *);
int pthread_barrierattr_setpshared(pthread_barrierattr_t *, int);
int pthread_barrierattr_getpshared(const pthread_barrierattr_t *__CR_RESTRICT, int *__CR_RESTRICT);

int pthread_spin_init(pthread_spinlock_t *, int);
int pthread_spin_destroy(pthread_spinlock_t *);
int pthread_spin_lock(pthread_spinlock_t *);
int pthread_spin_trylock(pthread_spinlock_t *);
int pthread_spin_unlock(pthread_spinlock_t *);

int pthread_cancel(pthread_t);
int pthread_setcancelstate(int, int *);
int pthread_setcanceltype(int, int *);
void pthread_testcancel(void);
#endif
