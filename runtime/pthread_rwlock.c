/* Read-write locks, barriers and spinlocks, on futexes. A process-shared rwlock or barrier
   (in a MAP_SHARED mapping) changes its words through __crossrun_shared_cas, atomic against
   other processes; a spinlock has no room to say so and uses this process's atomics. */
#include "crossrun_thread.h"

/* state: 0 free, n > 0 readers, -1 a writer (owner). Sleepers wait on seq, which every
   release that frees the lock changes. */
struct rwlock { int state; int waiters; int seq; int owner; int shared; };
_Static_assert(sizeof(struct rwlock) <= sizeof(pthread_rwlock_t), "pthread_rwlock_t holds a lock");
#define RW(l) ((struct rwlock *)(l))

int pthread_rwlock_init(pthread_rwlock_t *l, const pthread_rwlockattr_t *attr) {
    for (unsigned i = 0; i < sizeof l->__size; i++) l->__size[i] = 0;
    RW(l)->shared = attr && (attr->__align & CR_ATTR_PSHARED);
    return 0;
}
int pthread_rwlock_destroy(pthread_rwlock_t *l) { return CR_LOAD(&RW(l)->state) ? EBUSY : 0; }

static int rw_lock(pthread_rwlock_t *l, int write, int try, const struct timespec *abstime, int clock) {
    struct rwlock *rw = RW(l);
    int tid = __crossrun_self()->tid;
    if (CR_LOAD(&rw->state) == -1 && CR_LOAD(&rw->owner) == tid) return EDEADLK;
    for (;;) {
        int v = CR_LOAD(&rw->state);
        if (write ? v == 0 : v >= 0) {
            if (!write && v == INT_MAX) return EAGAIN;
            if (__crossrun_word_cas(&rw->state, &v, write ? -1 : v + 1, rw->shared)) {
                if (write) CR_STORE(&rw->owner, tid);
                return 0;
            }
            continue;
        }
        if (try) return EBUSY;
        if (abstime && __crossrun_check_timespec(abstime)) return EINVAL;
        int seq = CR_LOAD(&rw->seq);
        __crossrun_word_add(&rw->waiters, 1, rw->shared);
        v = CR_LOAD(&rw->state);
        int r = (write ? v != 0 : v < 0) ? __crossrun_futex_wait(&rw->seq, seq, abstime, clock) : 0;
        __crossrun_word_add(&rw->waiters, -1, rw->shared);
        if (r == ETIMEDOUT || r == EINVAL) return r;
    }
}

#define RT CLOCK_REALTIME
int pthread_rwlock_rdlock(pthread_rwlock_t *l) { return rw_lock(l, 0, 0, 0, RT); }
int pthread_rwlock_tryrdlock(pthread_rwlock_t *l) { return rw_lock(l, 0, 1, 0, RT); }
int pthread_rwlock_timedrdlock(pthread_rwlock_t *l, const struct timespec *t) { return rw_lock(l, 0, 0, t, RT); }
int pthread_rwlock_wrlock(pthread_rwlock_t *l) { return rw_lock(l, 1, 0, 0, RT); }
int pthread_rwlock_trywrlock(pthread_rwlock_t *l) { return rw_lock(l, 1, 1, 0, RT); }
int pthread_rwlock_timedwrlock(pthread_rwlock_t *l, const struct timespec *t) { return rw_lock(l, 1, 0, t, RT); }
int pthread_rwlock_clockrdlock(pthread_rwlock_t *l, clockid_t clock, const struct timespec *t) {
    return clock == CLOCK_REALTIME || clock == CLOCK_MONOTONIC ? rw_lock(l, 0, 0, t, clock) : EINVAL;
}
int pthread_rwlock_clockwrlock(pthread_rwlock_t *l, clockid_t clock, const struct timespec *t) {
    return clock == CLOCK_REALTIME || clock == CLOCK_MONOTONIC ? rw_lock(l, 1, 0, t, clock) : EINVAL;
}

int pthread_rwlock_unlock(pthread_rwlock_t *l) {
    struct rwlock *rw = RW(l);
    int v = CR_LOAD(&rw->state);
    int now;
    if (v == -1) {
        if (CR_LOAD(&rw->owner) != __crossrun_self()->tid) return EPERM;
        CR_STORE(&rw->owner, 0);
        CR_STORE(&rw->state, 0);
        now = 0;
    } else if (v > 0) {
        now = __crossrun_word_add(&rw->state, -1, rw->shared);
    } else {
        return EPERM;
    }
    if (now == 0) {
        __crossrun_word_add(&rw->seq, 1, rw->shared);
        if (CR_LOAD(&rw->waiters)) __crossrun_futex_wake(&rw->seq, INT_MAX);
    }
    return 0;
}

/* --- barriers -------------------------------------------------------------------------- */
struct barrier { unsigned count; int arrived; int seq; int shared; };
_Static_assert(sizeof(struct barrier) <= sizeof(pthread_barrier_t), "pthread_barrier_t holds a barrier");
#define B(b) ((struct barrier *)(b))

int pthread_barrier_init(pthread_barrier_t *b, const pthread_barrierattr_t *attr, unsigned count) {
    if (count == 0 || count > INT_MAX) return EINVAL;
    for (unsigned i = 0; i < sizeof b->__size; i++) b->__size[i] = 0;
    B(b)->count = count;
    B(b)->shared = attr && (attr->__align & CR_ATTR_PSHARED);
    return 0;
}
int pthread_barrier_destroy(pthread_barrier_t *b) { (void)b; return 0; }

int pthread_barrier_wait(pthread_barrier_t *b) {
    struct barrier *br = B(b);
    int seq = CR_LOAD(&br->seq);
    if ((unsigned)__crossrun_word_add(&br->arrived, 1, br->shared) == br->count) {
        CR_STORE(&br->arrived, 0);
        __crossrun_word_add(&br->seq, 1, br->shared);
        __crossrun_futex_wake(&br->seq, INT_MAX);
        return PTHREAD_BARRIER_SERIAL_THREAD;
    }
    while (CR_LOAD(&br->seq) == seq) __crossrun_futex_wait(&br->seq, seq, 0, CLOCK_REALTIME);
    return 0;
}

/* --- spinlocks ------------------------------------------------------------------------- */
int pthread_spin_init(pthread_spinlock_t *l, int pshared) { (void)pshared; *l = 0; return 0; }
int pthread_spin_destroy(pthread_spinlock_t *l) { (void)l; return 0; }
int pthread_spin_lock(pthread_spinlock_t *l) {
    for (unsigned spins = 0; __atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE); ) {
        while (__atomic_load_n(l, __ATOMIC_RELAXED)) {
            if (++spins % 128 == 0) sched_yield();   /* a scheduling point when emulated */
        }
    }
    return 0;
}
int pthread_spin_trylock(pthread_spinlock_t *l) { return __atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE) ? EBUSY : 0; }
int pthread_spin_unlock(pthread_spinlock_t *l) { __atomic_store_n(l, 0, __ATOMIC_RELEASE); return 0; }
