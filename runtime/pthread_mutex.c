/* Mutexes (normal, recursive, error-checking, robust, process-shared; trylock, timedlock)
   and condition variables (with timed waits on CLOCK_REALTIME or CLOCK_MONOTONIC), on futexes. */
#include "crossrun_thread.h"
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

/* A process-shared object's words change through __crossrun_shared_cas: another process
   may change them at the same time, which the emulators' atomic instructions do not see. */
#define word_cas __crossrun_word_cas
#define word_add __crossrun_word_add
static int word_swap(volatile int *w, int value, int shared) {
    if (!shared) return CR_SWAP(w, value);
    int old = CR_LOAD(w);
    while (!word_cas(w, &old, value, 1)) {}
    return old;
}

#define M(m) (&(m)->__data)
/* __kind: the type in bits 0-1, ROBUST_BIT for a robust mutex, PSHARED_BIT for a
   process-shared one (glibc's bits for them too). */
enum { TYPE_MASK = 3, ROBUST_BIT = 16, PSHARED_BIT = 128 };
static int kind_of(pthread_mutex_t *m) { return M(m)->__kind & TYPE_MASK; }
static int valid_kind(pthread_mutex_t *m) { return (M(m)->__kind & ~(TYPE_MASK | ROBUST_BIT | PSHARED_BIT)) == 0; }
static int is_shared(pthread_mutex_t *m) { return M(m)->__kind & PSHARED_BIT; }

/* A robust mutex's own state, after the fields every mutex has: whether its owner died
   while holding it, the owning process (a process-shared one), and the thread's list of
   held robust mutexes. */
struct robust {
    struct __crossrun_mutex data;
    int state;                    /* ROBUST_* */
    int owner_process;            /* the holder's process id while it holds it, else 0 */
    pthread_mutex_t *next_held;   /* the owner's next held robust mutex */
};
_Static_assert(sizeof(struct robust) <= sizeof(pthread_mutex_t), "pthread_mutex_t holds a robust mutex");
enum { ROBUST_OK, ROBUST_OWNER_DIED, ROBUST_INCONSISTENT, ROBUST_NOT_RECOVERABLE };
#define R(m) ((struct robust *)(m))

/* Whether process `pid` has ended (gone, or a child of ours not yet waited for). Linux marks
   a robust mutex of a process that ends while holding it from its kernel robust list; here
   the waiters look at the holder instead. */
static int process_ended(int pid) {
    if (pid <= 0 || pid == getpid()) return 0;
    int saved = errno, ended = 0;
    if (kill(pid, 0) == 0 || errno == EPERM) {
        siginfo_t si;
        si.si_pid = 0;
        ended = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid;
    } else {
        ended = errno == ESRCH;
    }
    errno = saved;
    return ended;
}

/* A process-shared robust mutex whose holder's process has ended: the caller takes it over
   (the lock word stays taken) and reports EOWNERDEAD. Only one waiter wins the exchange. */
static int take_from_ended(pthread_mutex_t *m) {
    int holder = CR_LOAD(&R(m)->owner_process);
    if (!process_ended(holder) || !word_cas(&R(m)->owner_process, &holder, getpid(), 1)) return 0;
    word_swap(&M(m)->__lock, 2, 1);   /* others may sleep on it */
    CR_STORE(&R(m)->state, ROBUST_OWNER_DIED);
    return 1;
}

/* How long a waiter on a process-shared robust mutex sleeps before it looks at the holder. */
enum { HOLDER_CHECK_NS = 20 * 1000 * 1000 };

/* The lock word: 0 free, 1 locked, 2 locked with (possible) sleepers. `robust`: a
   process-shared robust mutex, whose waiters wake now and then to see whether the holder's
   process has ended (then 0, the word taken over). */
static int lock_word(volatile int *w, const struct timespec *abstime, int clock, int shared, pthread_mutex_t *robust) {
    int c = 0;
    if (word_cas(w, &c, 1, shared)) return 0;
    if (c != 2) c = word_swap(w, 2, shared);
    while (c != 0) {
        if (robust && take_from_ended(robust)) return 0;
        const struct timespec *limit = abstime;
        struct timespec soon;
        int sliced = 0;
        if (robust && clock_gettime(clock, &soon) == 0) {
            soon.tv_nsec += HOLDER_CHECK_NS;
            if (soon.tv_nsec >= 1000000000L) { soon.tv_sec++; soon.tv_nsec -= 1000000000L; }
            if (!abstime || soon.tv_sec < abstime->tv_sec || (soon.tv_sec == abstime->tv_sec && soon.tv_nsec < abstime->tv_nsec)) {
                limit = &soon;
                sliced = 1;
            }
        }
        int r = __crossrun_futex_wait(w, 2, limit, clock);
        if (r == EINVAL || (r == ETIMEDOUT && !sliced)) return r;
        c = word_swap(w, 2, shared);
    }
    return 0;
}

static void unlock_word(volatile int *w, int shared) {
    if (word_swap(w, 0, shared) == 2) __crossrun_futex_wake(w, 1);
}

static void forget_held(struct __crossrun_thread *t, pthread_mutex_t *m) {
    for (pthread_mutex_t **p = &t->robust_held; *p; p = &R(*p)->next_held)
        if (*p == m) { *p = R(m)->next_held; R(m)->next_held = 0; return; }
}

/* After the lock word is taken: the robust bookkeeping, and EOWNERDEAD or ENOTRECOVERABLE. */
static int robust_acquired(pthread_mutex_t *m, int tid) {
    int state = CR_LOAD(&R(m)->state);
    if (state == ROBUST_NOT_RECOVERABLE) {
        CR_STORE(&R(m)->owner_process, 0);
        unlock_word(&M(m)->__lock, is_shared(m));   /* pass the news on to the next waiter */
        return ENOTRECOVERABLE;
    }
    if (is_shared(m)) CR_STORE(&R(m)->owner_process, getpid());
    __atomic_store_n(&M(m)->__owner, tid, __ATOMIC_RELAXED);
    M(m)->__count = 1;
    struct __crossrun_thread *self = __crossrun_self();
    R(m)->next_held = self->robust_held;
    self->robust_held = m;
    if (state == ROBUST_OWNER_DIED) {
        CR_STORE(&R(m)->state, ROBUST_INCONSISTENT);
        return EOWNERDEAD;
    }
    return 0;
}

static int mutex_lock(pthread_mutex_t *m, const struct timespec *abstime, int clock, int try) {
    if (!valid_kind(m)) return EINVAL;
    int kind = kind_of(m), robust = M(m)->__kind & ROBUST_BIT, shared = is_shared(m);
    if (robust && CR_LOAD(&R(m)->state) == ROBUST_NOT_RECOVERABLE) return ENOTRECOVERABLE;
    if (robust || kind == PTHREAD_MUTEX_RECURSIVE || kind == PTHREAD_MUTEX_ERRORCHECK) {
        int tid = __crossrun_self()->tid;
        /* A process-shared mutex's owner is this thread only if its process is this one. */
        if (__atomic_load_n(&M(m)->__owner, __ATOMIC_RELAXED) == tid &&
            !(robust && shared && CR_LOAD(&R(m)->owner_process) != getpid())) {
            if (kind != PTHREAD_MUTEX_RECURSIVE) return try ? EBUSY : EDEADLK;
            if (M(m)->__count == 0xffffffffu) return EAGAIN;
            M(m)->__count++;
            return 0;
        }
        int zero = 0, r = 0;
        if (try) {
            r = word_cas(&M(m)->__lock, &zero, 1, shared) ? 0 : EBUSY;
            if (r && robust && shared && take_from_ended(m)) r = 0;
        } else {
            r = lock_word(&M(m)->__lock, abstime, clock, shared, robust && shared ? m : 0);
        }
        if (r) return r;
        if (robust) return robust_acquired(m, tid);
        __atomic_store_n(&M(m)->__owner, tid, __ATOMIC_RELAXED);
        M(m)->__count = 1;
        return 0;
    }
    if (try) {
        int zero = 0;
        return word_cas(&M(m)->__lock, &zero, 1, shared) ? 0 : EBUSY;
    }
    return lock_word(&M(m)->__lock, abstime, clock, shared, 0);
}

int pthread_mutex_lock(pthread_mutex_t *m) { return mutex_lock(m, 0, CLOCK_REALTIME, 0); }
int pthread_mutex_trylock(pthread_mutex_t *m) { return mutex_lock(m, 0, CLOCK_REALTIME, 1); }
int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abstime) {
    return mutex_lock(m, abstime, CLOCK_REALTIME, 0);
}
int pthread_mutex_clocklock(pthread_mutex_t *m, clockid_t clock, const struct timespec *abstime) {
    if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC) return EINVAL;
    return mutex_lock(m, abstime, clock, 0);
}

int pthread_mutex_unlock(pthread_mutex_t *m) {
    int kind = kind_of(m), robust = M(m)->__kind & ROBUST_BIT, shared = is_shared(m);
    if (robust || kind == PTHREAD_MUTEX_RECURSIVE || kind == PTHREAD_MUTEX_ERRORCHECK) {
        if (__atomic_load_n(&M(m)->__owner, __ATOMIC_RELAXED) != __crossrun_self()->tid ||
            (robust && shared && CR_LOAD(&R(m)->owner_process) != getpid())) return EPERM;
        if (--M(m)->__count > 0) return 0;
        __atomic_store_n(&M(m)->__owner, 0, __ATOMIC_RELAXED);
    }
    if (robust) {
        forget_held(__crossrun_self(), m);
        /* Unlocked without pthread_mutex_consistent after EOWNERDEAD: unusable for good. */
        int inconsistent = ROBUST_INCONSISTENT;
        CR_CAS(&R(m)->state, &inconsistent, ROBUST_NOT_RECOVERABLE);
        CR_STORE(&R(m)->owner_process, 0);   /* before the word: a holder is never 0 */
    }
    unlock_word(&M(m)->__lock, shared);
    return 0;
}

void __crossrun_release_robust_mutexes(struct __crossrun_thread *t) {
    while (t->robust_held) {
        pthread_mutex_t *m = t->robust_held;
        t->robust_held = R(m)->next_held;
        R(m)->next_held = 0;
        __atomic_store_n(&M(m)->__owner, 0, __ATOMIC_RELAXED);
        M(m)->__count = 0;
        int state = CR_LOAD(&R(m)->state);
        if (state != ROBUST_NOT_RECOVERABLE) CR_STORE(&R(m)->state, ROBUST_OWNER_DIED);
        CR_STORE(&R(m)->owner_process, 0);
        unlock_word(&M(m)->__lock, is_shared(m));
    }
}

int pthread_mutex_consistent(pthread_mutex_t *m) {
    if (!(M(m)->__kind & ROBUST_BIT) || CR_LOAD(&R(m)->state) != ROBUST_INCONSISTENT ||
        __atomic_load_n(&M(m)->__owner, __ATOMIC_RELAXED) != __crossrun_self()->tid) return EINVAL;
    CR_STORE(&R(m)->state, ROBUST_OK);
    return 0;
}

int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr) {
    for (unsigned i = 0; i < sizeof m->__size; i++) m->__size[i] = 0;
    M(m)->__kind = attr ? (attr->__align & (TYPE_MASK | ROBUST_BIT)) | (attr->__align & CR_ATTR_PSHARED ? PSHARED_BIT : 0)
                        : PTHREAD_MUTEX_NORMAL;
    return 0;
}

int pthread_mutex_destroy(pthread_mutex_t *m) {
    return CR_LOAD(&M(m)->__lock) ? EBUSY : 0;
}

int pthread_mutexattr_init(pthread_mutexattr_t *a) { a->__align = 0; return 0; }
int pthread_mutexattr_destroy(pthread_mutexattr_t *a) { (void)a; return 0; }
int pthread_mutexattr_settype(pthread_mutexattr_t *a, int type) {
    if (type < PTHREAD_MUTEX_NORMAL || type > PTHREAD_MUTEX_ADAPTIVE_NP) return EINVAL;
    a->__align = (a->__align & ~3) | type;
    return 0;
}
int pthread_mutexattr_gettype(const pthread_mutexattr_t *a, int *type) { *type = a->__align & 3; return 0; }
int pthread_mutexattr_setrobust(pthread_mutexattr_t *a, int robust) {
    if (robust != PTHREAD_MUTEX_STALLED && robust != PTHREAD_MUTEX_ROBUST) return EINVAL;
    a->__align = (a->__align & ~ROBUST_BIT) | (robust == PTHREAD_MUTEX_ROBUST ? ROBUST_BIT : 0);
    return 0;
}
int pthread_mutexattr_getrobust(const pthread_mutexattr_t *a, int *robust) {
    *robust = a->__align & ROBUST_BIT ? PTHREAD_MUTEX_ROBUST : PTHREAD_MUTEX_STALLED;
    return 0;
}

/* The priority protocol and ceiling are kept where glibc keeps them (protocol in bits 28-29,
   ceiling in bits 12-23) and reported back; a mutex locks the same under every protocol. The
   ceiling takes SCHED_FIFO's range, 1-99, as glibc checks it. */
enum { PROTOCOL_SHIFT = 28, PROTOCOL_MASK = 3 << 28, CEILING_SHIFT = 12, CEILING_MASK = 0xfff << 12 };
int pthread_mutexattr_setprotocol(pthread_mutexattr_t *a, int protocol) {
    if (protocol != PTHREAD_PRIO_NONE && protocol != PTHREAD_PRIO_INHERIT && protocol != PTHREAD_PRIO_PROTECT)
        return EINVAL;
    a->__align = (a->__align & ~PROTOCOL_MASK) | (protocol << PROTOCOL_SHIFT);
    return 0;
}
int pthread_mutexattr_getprotocol(const pthread_mutexattr_t *a, int *protocol) {
    *protocol = (a->__align & PROTOCOL_MASK) >> PROTOCOL_SHIFT;
    return 0;
}
int pthread_mutexattr_setprioceiling(pthread_mutexattr_t *a, int ceiling) {
    if (ceiling < 1 || ceiling > 99) return EINVAL;
    a->__align = (a->__align & ~CEILING_MASK) | (ceiling << CEILING_SHIFT);
    return 0;
}
int pthread_mutexattr_getprioceiling(const pthread_mutexattr_t *a, int *ceiling) {
    *ceiling = (a->__align & CEILING_MASK) >> CEILING_SHIFT;
    return 0;
}

/* Process-shared objects work between processes (in a MAP_SHARED mapping): their words
   change through __crossrun_shared_cas, and the futexes are the host's shared ones. */
static int set_pshared(int *bits, int pshared) {
    if (pshared != PTHREAD_PROCESS_PRIVATE && pshared != PTHREAD_PROCESS_SHARED) return EINVAL;
    *bits = (*bits & ~CR_ATTR_PSHARED) | (pshared == PTHREAD_PROCESS_SHARED ? CR_ATTR_PSHARED : 0);
    return 0;
}
static int get_pshared(int bits) { return bits & CR_ATTR_PSHARED ? PTHREAD_PROCESS_SHARED : PTHREAD_PROCESS_PRIVATE; }
int pthread_mutexattr_setpshared(pthread_mutexattr_t *a, int pshared) { return set_pshared(&a->__align, pshared); }
int pthread_mutexattr_getpshared(const pthread_mutexattr_t *a, int *pshared) { *pshared = get_pshared(a->__align); return 0; }
int pthread_condattr_setpshared(pthread_condattr_t *a, int pshared) { return set_pshared(&a->__align, pshared); }
int pthread_condattr_getpshared(const pthread_condattr_t *a, int *pshared) { *pshared = get_pshared(a->__align); return 0; }
int pthread_barrierattr_init(pthread_barrierattr_t *a) { a->__align = 0; return 0; }
int pthread_barrierattr_destroy(pthread_barrierattr_t *a) { (void)a; return 0; }
int pthread_barrierattr_setpshared(pthread_barrierattr_t *a, int pshared) { return set_pshared(&a->__align, pshared); }
int pthread_barrierattr_getpshared(const pthread_barrierattr_t *a, int *pshared) { *pshared = get_pshared(a->__align); return 0; }
int pthread_rwlockattr_init(pthread_rwlockattr_t *a) { a->__align = 0; return 0; }
int pthread_rwlockattr_destroy(pthread_rwlockattr_t *a) { (void)a; return 0; }
int pthread_rwlockattr_setpshared(pthread_rwlockattr_t *a, int pshared) {
    int bits = (int)a->__align;
    int r = set_pshared(&bits, pshared);
    a->__align = bits;
    return r;
}
int pthread_rwlockattr_getpshared(const pthread_rwlockattr_t *a, int *pshared) { *pshared = get_pshared((int)a->__align); return 0; }

/* --- condition variables --------------------------------------------------------------- */
/* seq changes at every signal; a waiter sleeps on the value it read before unlocking. */
struct cond { int seq; int waiters; int clock; int shared; };
_Static_assert(sizeof(struct cond) <= sizeof(pthread_cond_t), "pthread_cond_t holds a condition");
#define C(c) ((struct cond *)(c))

int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr) {
    for (unsigned i = 0; i < sizeof c->__size; i++) c->__size[i] = 0;
    C(c)->clock = attr && (attr->__align & 1) ? CLOCK_MONOTONIC : CLOCK_REALTIME;
    C(c)->shared = attr && (attr->__align & CR_ATTR_PSHARED);
    return 0;
}
int pthread_cond_destroy(pthread_cond_t *c) { (void)c; return 0; }

static int cond_wait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abstime, int clock) {
    if (abstime && __crossrun_check_timespec(abstime)) return EINVAL;
    int seq = CR_LOAD(&C(c)->seq), shared = C(c)->shared;
    word_add(&C(c)->waiters, 1, shared);
    int r = pthread_mutex_unlock(m);
    if (r) { word_add(&C(c)->waiters, -1, shared); return r; }
    r = __crossrun_cancellable_wait(&C(c)->seq, seq, abstime, clock);
    word_add(&C(c)->waiters, -1, shared);
    int locked = pthread_mutex_lock(m);   /* a robust mutex's EOWNERDEAD is the wait's result */
    __crossrun_testcancel();   /* cleanup handlers run with the mutex held, as POSIX says */
    if (locked == EOWNERDEAD || locked == ENOTRECOVERABLE) return locked;
    return r == ETIMEDOUT || r == EINVAL ? r : 0;
}

int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m) { return cond_wait(c, m, 0, CLOCK_REALTIME); }
int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abstime) {
    return cond_wait(c, m, abstime, C(c)->clock);
}
int pthread_cond_clockwait(pthread_cond_t *c, pthread_mutex_t *m, clockid_t clock, const struct timespec *abstime) {
    if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC) return EINVAL;
    return cond_wait(c, m, abstime, clock);
}

int pthread_cond_signal(pthread_cond_t *c) {
    word_add(&C(c)->seq, 1, C(c)->shared);
    if (CR_LOAD(&C(c)->waiters)) __crossrun_futex_wake(&C(c)->seq, 1);
    return 0;
}
int pthread_cond_broadcast(pthread_cond_t *c) {
    word_add(&C(c)->seq, 1, C(c)->shared);
    if (CR_LOAD(&C(c)->waiters)) __crossrun_futex_wake(&C(c)->seq, INT_MAX);
    return 0;
}

int pthread_condattr_init(pthread_condattr_t *a) { a->__align = 0; return 0; }
int pthread_condattr_destroy(pthread_condattr_t *a) { (void)a; return 0; }
int pthread_condattr_setclock(pthread_condattr_t *a, clockid_t clock) {
    if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC) return EINVAL;
    a->__align = (a->__align & ~1) | (clock == CLOCK_MONOTONIC);
    return 0;
}
int pthread_condattr_getclock(const pthread_condattr_t *a, clockid_t *clock) {
    *clock = (a->__align & 1) ? CLOCK_MONOTONIC : CLOCK_REALTIME;
    return 0;
}
