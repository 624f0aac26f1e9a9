/* POSIX threads: creation, joining, exit, cancellation, cleanup handlers, keys, once,
   attributes, names. Guest code over the host primitives of crossrun_thread.h, the same on
   every target and backend (doc/ARCHITECTURE.md, "Threads"). */
#include "crossrun_thread.h"
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int tgkill(pid_t, pid_t, int);   /* <signal.h> declares it only under _GNU_SOURCE */

static _Thread_local struct __crossrun_thread *current;
static struct __crossrun_thread main_thread;
/* Ended detached threads whose descriptors wait for the host to let go of their tid word. */
static struct __crossrun_thread *dead;

struct __crossrun_thread *__crossrun_self(void) {
    struct __crossrun_thread *t = current;
    if (!t) {   /* only the main thread starts without one */
        t = &main_thread;
        if (!t->tid) t->tid = __crossrun_gettid();
        current = t;
    }
    return t;
}

void __crossrun_thread_after_fork(void) {
    struct __crossrun_thread *self = __crossrun_self();
    self->tid = __crossrun_gettid();
    self->robust_held = 0;
}

static void push_dead(struct __crossrun_thread *t) {
    struct __crossrun_thread *head = CR_LOAD(&dead);
    do { t->next_dead = head; } while (!CR_CAS(&dead, &head, t));
}

/* Frees the descriptors of ended detached threads the host no longer touches. */
static void reap(void) {
    struct __crossrun_thread *list = CR_SWAP(&dead, (struct __crossrun_thread *)0);
    while (list) {
        struct __crossrun_thread *next = list->next_dead;
        if (CR_LOAD(&list->tid) == 0) free(list);
        else push_dead(list);
        list = next;
    }
}

/* Joined descriptors kept for the next pthread_create, as glibc keeps a joined thread's
   descriptor with its cached stack: a pthread_t used after its join (pthread_getschedparam,
   pthread_kill) finds an ended thread (tid 0: ESRCH), not freed memory, until a new thread
   takes the descriptor over. At most CACHE_MAX; the rest are freed. */
enum { CACHE_MAX = 64 };
static struct __crossrun_thread *cache;
static int cache_count, cache_lock;

static void cache_acquire(void) { while (CR_SWAP(&cache_lock, 1)) sched_yield(); }
static void cache_release(void) { CR_STORE(&cache_lock, 0); }

static void cache_put(struct __crossrun_thread *t) {
    cache_acquire();
    int kept = cache_count < CACHE_MAX;
    if (kept) { t->next_dead = cache; cache = t; cache_count++; }
    cache_release();
    if (!kept) free(t);
}

static struct __crossrun_thread *cache_take(void) {
    cache_acquire();
    struct __crossrun_thread *t = cache;
    if (t) { cache = t->next_dead; cache_count--; }
    cache_release();
    if (!t) return calloc(1, sizeof *t);
    memset(t, 0, sizeof *t);
    return t;
}

/* --- attributes ------------------------------------------------------------------------ */
/* Zero is each default (a guard size not set is glibc's one page). */
struct attr { unsigned long stack_size; int detach, inherit, scope, policy, priority, guard_set; unsigned long guard_size; };
_Static_assert(sizeof(struct attr) <= sizeof(pthread_attr_t), "pthread_attr_t holds the attributes");
#define DEFAULT_STACK (8ul << 20)

int pthread_attr_init(pthread_attr_t *a) {
    for (unsigned i = 0; i < sizeof a->__size; i++) a->__size[i] = 0;
    return 0;
}
int pthread_attr_destroy(pthread_attr_t *a) { (void)a; return 0; }
int pthread_attr_setdetachstate(pthread_attr_t *a, int state) {
    if (state != PTHREAD_CREATE_JOINABLE && state != PTHREAD_CREATE_DETACHED) return EINVAL;
    ((struct attr *)a)->detach = state;
    return 0;
}
int pthread_attr_getdetachstate(const pthread_attr_t *a, int *state) {
    *state = ((const struct attr *)a)->detach;
    return 0;
}
int pthread_attr_setstacksize(pthread_attr_t *a, size_t size) {
    if (size < PTHREAD_STACK_MIN) return EINVAL;
    ((struct attr *)a)->stack_size = size;
    return 0;
}
int pthread_attr_getstacksize(const pthread_attr_t *a, size_t *size) {
    unsigned long s = ((const struct attr *)a)->stack_size;
    *size = s ? s : DEFAULT_STACK;
    return 0;
}

int pthread_attr_setguardsize(pthread_attr_t *a, size_t size) {
    ((struct attr *)a)->guard_size = size;
    ((struct attr *)a)->guard_set = 1;
    return 0;
}
int pthread_attr_getguardsize(const pthread_attr_t *a, size_t *size) {
    const struct attr *at = (const struct attr *)a;
    *size = at->guard_set ? at->guard_size : 4096;
    return 0;
}
/* Linux threads are system-scope only. */
int pthread_attr_setscope(pthread_attr_t *a, int scope) {
    if (scope == PTHREAD_SCOPE_SYSTEM) return 0;
    return scope == PTHREAD_SCOPE_PROCESS ? ENOTSUP : EINVAL;
}
int pthread_attr_getscope(const pthread_attr_t *a, int *scope) { (void)a; *scope = PTHREAD_SCOPE_SYSTEM; return 0; }
/* Scheduling attributes are kept and reported; every thread runs with the default policy. */
int pthread_attr_setinheritsched(pthread_attr_t *a, int inherit) {
    if (inherit != PTHREAD_INHERIT_SCHED && inherit != PTHREAD_EXPLICIT_SCHED) return EINVAL;
    ((struct attr *)a)->inherit = inherit;
    return 0;
}
int pthread_attr_getinheritsched(const pthread_attr_t *a, int *inherit) { *inherit = ((const struct attr *)a)->inherit; return 0; }
int pthread_attr_setschedpolicy(pthread_attr_t *a, int policy) {
    if (policy != SCHED_OTHER && policy != SCHED_FIFO && policy != SCHED_RR) return EINVAL;
    ((struct attr *)a)->policy = policy;
    return 0;
}
int pthread_attr_getschedpolicy(const pthread_attr_t *a, int *policy) { *policy = ((const struct attr *)a)->policy; return 0; }
int pthread_attr_setschedparam(pthread_attr_t *a, const struct sched_param *p) {
    ((struct attr *)a)->priority = p->sched_priority;
    return 0;
}
int pthread_attr_getschedparam(const pthread_attr_t *a, struct sched_param *p) {
    p->sched_priority = ((const struct attr *)a)->priority;
    return 0;
}

/* --- creation, exit, joining ----------------------------------------------------------- */
/* A new thread starts with every signal blocked (pthread_create blocks them around the spawn,
   as glibc does) until it knows who it is: a handler that ran before `current` was set would
   see the main thread's descriptor in pthread_self, and keep it for the thread's whole life. */
static void thread_entry(void *p) {
    struct __crossrun_thread *t = p;
    current = t;
    pthread_sigmask(SIG_SETMASK, &t->start_mask, NULL);
    __crossrun_thread_finish(t->start(t->arg));
}

int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *), void *arg) {
    reap();
    struct __crossrun_thread *t = cache_take();
    if (!t) return EAGAIN;
    const struct attr *a = (const struct attr *)attr;
    t->start = start;
    t->arg = arg;
    t->detach = a && a->detach == PTHREAD_CREATE_DETACHED ? DETACH_DETACHED : DETACH_JOINABLE;
    t->stack_size = a && a->stack_size ? a->stack_size : DEFAULT_STACK;
    __crossrun_self();   /* the main thread's descriptor exists before any other thread */
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &t->start_mask);   /* the new thread inherits this mask */
    long id = __crossrun_thread_spawn(thread_entry, t, t->stack_size, &t->tid);
    pthread_sigmask(SIG_SETMASK, &t->start_mask, NULL);
    if (id < 0) {
        cache_put(t);
        return id == -ENOMEM ? EAGAIN : (int)-id;
    }
    *thread = (pthread_t)t;
    return 0;
}

static void run_key_destructors(struct __crossrun_thread *t);

_Noreturn void __crossrun_thread_finish(void *result) {
    struct __crossrun_thread *t = __crossrun_self();
    t->result = result;
    t->cancel_disabled = 1;
    while (t->cleanup) {
        struct __crossrun_cleanup *c = t->cleanup;
        t->cleanup = c->__next;
        c->__routine(c->__arg);
    }
    run_key_destructors(t);
    __crossrun_release_robust_mutexes(t);
    free(t->specific);
    t->specific = 0;
    if (t != &main_thread) {
        int old = DETACH_JOINABLE;
        if (!CR_CAS(&t->detach, &old, DETACH_JOINED) && old == DETACH_DETACHED) push_dead(t);
    } else {
        /* Nobody creates the main thread, so its tid word is the runtime's to clear: it may
           be joined now (its descriptor is static; its stack stays until the process ends). */
        CR_STORE(&t->tid, 0);
        __crossrun_futex_wake(&t->tid, INT_MAX);
    }
    __crossrun_thread_exit();
}

void pthread_exit(void *result) { __crossrun_thread_finish(result); }

/* Waits for the thread's tid word to become 0 (until abstime on CLOCK_REALTIME; NULL: no
   limit; try: not at all), then takes its result and frees its descriptor. */
static int join(pthread_t thread, void **result, const struct timespec *abstime, int clock, int try) {
    struct __crossrun_thread *t = (struct __crossrun_thread *)thread;
    if (t == __crossrun_self()) return EDEADLK;
    if (CR_LOAD(&t->detach) == DETACH_DETACHED) return EINVAL;
    if (abstime && __crossrun_check_timespec(abstime)) return EINVAL;
    if (!try) __crossrun_testcancel();
    int tid;
    while ((tid = CR_LOAD(&t->tid)) != 0) {
        if (try) return EBUSY;
        int r = __crossrun_cancellable_wait(&t->tid, tid, abstime, clock);
        __crossrun_testcancel();
        if (r == ETIMEDOUT && CR_LOAD(&t->tid) != 0) return ETIMEDOUT;
    }
    if (result) *result = t->result;
    if (t != &main_thread) cache_put(t);
    return 0;
}

int pthread_join(pthread_t thread, void **result) { return join(thread, result, 0, CLOCK_REALTIME, 0); }
int pthread_tryjoin_np(pthread_t thread, void **result) { return join(thread, result, 0, CLOCK_REALTIME, 1); }
int pthread_timedjoin_np(pthread_t thread, void **result, const struct timespec *abstime) {
    return join(thread, result, abstime, CLOCK_REALTIME, 0);
}
int pthread_clockjoin_np(pthread_t thread, void **result, clockid_t clock, const struct timespec *abstime) {
    if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC) return EINVAL;
    return join(thread, result, abstime, clock, 0);
}

int pthread_detach(pthread_t thread) {
    struct __crossrun_thread *t = (struct __crossrun_thread *)thread;
    int old = DETACH_JOINABLE;
    if (CR_CAS(&t->detach, &old, DETACH_DETACHED)) return 0;
    if (old != DETACH_JOINED) return EINVAL;
    /* It has already ended: nobody will join it. */
    if (t != &main_thread) { CR_STORE(&t->detach, DETACH_DETACHED); push_dead(t); }
    return 0;
}

pthread_t pthread_self(void) { return (pthread_t)__crossrun_self(); }
int pthread_equal(pthread_t a, pthread_t b) { return a == b; }

int pthread_getattr_np(pthread_t thread, pthread_attr_t *attr) {
    struct __crossrun_thread *t = (struct __crossrun_thread *)thread;
    pthread_attr_init(attr);
    struct attr *a = (struct attr *)attr;
    a->detach = CR_LOAD(&t->detach) == DETACH_DETACHED ? PTHREAD_CREATE_DETACHED : PTHREAD_CREATE_JOINABLE;
    a->stack_size = t->stack_size ? t->stack_size : DEFAULT_STACK;
    return 0;
}

int pthread_setname_np(pthread_t thread, const char *name) {
    struct __crossrun_thread *t = (struct __crossrun_thread *)thread;
    unsigned n = 0;
    while (name[n]) if (++n > 15) return ERANGE;
    for (unsigned i = 0; i <= n; i++) t->name[i] = name[i];
    return 0;
}

int pthread_getname_np(pthread_t thread, char *buf, size_t len) {
    struct __crossrun_thread *t = (struct __crossrun_thread *)thread;
    unsigned n = 0;
    while (n < 15 && t->name[n]) n++;
    if (len < n + 1) return ERANGE;
    for (unsigned i = 0; i < n; i++) buf[i] = t->name[i];
    buf[n] = 0;
    return 0;
}

/* --- cancellation and cleanup ---------------------------------------------------------- */
void __crossrun_testcancel(void) {
    struct __crossrun_thread *t = __crossrun_self();
    if (!t->cancel_disabled && CR_LOAD(&t->cancel_pending)) __crossrun_thread_finish(PTHREAD_CANCELED);
}

void pthread_testcancel(void) { __crossrun_testcancel(); }

int __crossrun_cancellable_wait(volatile int *addr, int expected, const struct timespec *abstime, int clockid) {
    struct __crossrun_thread *t = __crossrun_self();
    CR_STORE(&t->waiting_on, addr);
    int r;
    if (!t->cancel_disabled && CR_LOAD(&t->cancel_pending)) r = 0;   /* the caller acts on it */
    else r = __crossrun_futex_wait(addr, expected, abstime, clockid);
    CR_STORE(&t->waiting_on, (volatile int *)0);
    return r;
}

/* The target may have checked for a request just before this one and not be asleep yet, so
   a wake-up could come too early: while it is still registered on the same word, wake it
   again after letting it run (a few rounds; extra wake-ups are spurious ones, which every
   wait tolerates). */
int pthread_cancel(pthread_t thread) {
    struct __crossrun_thread *t = (struct __crossrun_thread *)thread;
    CR_STORE(&t->cancel_pending, 1);
    if (t == __crossrun_self()) return 0;
    volatile int *w = CR_LOAD(&t->waiting_on);
    for (int round = 0; w && round < 8; round++) {
        __crossrun_futex_wake(w, INT_MAX);
        sched_yield();
        if (CR_LOAD(&t->waiting_on) != w) break;
    }
    return 0;
}

int pthread_setcancelstate(int state, int *old) {
    if (state != PTHREAD_CANCEL_ENABLE && state != PTHREAD_CANCEL_DISABLE) return EINVAL;
    struct __crossrun_thread *t = __crossrun_self();
    if (old) *old = t->cancel_disabled ? PTHREAD_CANCEL_DISABLE : PTHREAD_CANCEL_ENABLE;
    t->cancel_disabled = state == PTHREAD_CANCEL_DISABLE;
    return 0;
}

/* Asynchronous cancellation is accepted but acts as deferred (at the cancellation points). */
int pthread_setcanceltype(int type, int *old) {
    if (type != PTHREAD_CANCEL_DEFERRED && type != PTHREAD_CANCEL_ASYNCHRONOUS) return EINVAL;
    struct __crossrun_thread *t = __crossrun_self();
    if (old) *old = t->cancel_async ? PTHREAD_CANCEL_ASYNCHRONOUS : PTHREAD_CANCEL_DEFERRED;
    t->cancel_async = type == PTHREAD_CANCEL_ASYNCHRONOUS;
    return 0;
}

void __crossrun_cleanup_push(struct __crossrun_cleanup *c, void (*routine)(void *), void *arg) {
    struct __crossrun_thread *t = __crossrun_self();
    c->__routine = routine;
    c->__arg = arg;
    c->__next = t->cleanup;
    t->cleanup = c;
}

void __crossrun_cleanup_pop(struct __crossrun_cleanup *c, int execute) {
    __crossrun_self()->cleanup = c->__next;
    if (execute) c->__routine(c->__arg);
}

/* --- keys ------------------------------------------------------------------------------ */
/* A key is in use while its sequence number is odd; a thread's value counts only if it was
   stored under the key's current sequence number (so a deleted and re-created key reads NULL). */
static struct { unsigned seq; void (*destructor)(void *); } keys[PTHREAD_KEYS_MAX];
static pthread_mutex_t keys_lock = PTHREAD_MUTEX_INITIALIZER;

int pthread_key_create(pthread_key_t *key, void (*destructor)(void *)) {
    pthread_mutex_lock(&keys_lock);
    for (unsigned k = 0; k < PTHREAD_KEYS_MAX; k++) {
        if (keys[k].seq & 1) continue;
        if (keys[k].seq == 0xfffffffeu) continue;   /* worn out */
        keys[k].destructor = destructor;
        CR_STORE(&keys[k].seq, keys[k].seq + 1);
        *key = k;
        pthread_mutex_unlock(&keys_lock);
        return 0;
    }
    pthread_mutex_unlock(&keys_lock);
    return EAGAIN;
}

int pthread_key_delete(pthread_key_t key) {
    if (key >= PTHREAD_KEYS_MAX) return EINVAL;
    pthread_mutex_lock(&keys_lock);
    int r = EINVAL;
    if (keys[key].seq & 1) { CR_STORE(&keys[key].seq, keys[key].seq + 1); r = 0; }
    pthread_mutex_unlock(&keys_lock);
    return r;
}

void *pthread_getspecific(pthread_key_t key) {
    if (key >= PTHREAD_KEYS_MAX) return 0;
    struct __crossrun_thread *t = __crossrun_self();
    if (!t->specific || t->specific[key].seq != CR_LOAD(&keys[key].seq)) return 0;
    return t->specific[key].value;
}

int pthread_setspecific(pthread_key_t key, const void *value) {
    if (key >= PTHREAD_KEYS_MAX) return EINVAL;
    unsigned seq = CR_LOAD(&keys[key].seq);
    if (!(seq & 1)) return EINVAL;
    struct __crossrun_thread *t = __crossrun_self();
    if (!t->specific) {
        t->specific = calloc(PTHREAD_KEYS_MAX, sizeof *t->specific);
        if (!t->specific) return ENOMEM;
    }
    t->specific[key].seq = seq;
    t->specific[key].value = (void *)value;
    return 0;
}

/* POSIX: destructors of non-NULL values run (the value reset to NULL first), repeated while
   destructors set values again, at most PTHREAD_DESTRUCTOR_ITERATIONS rounds. */
static void run_key_destructors(struct __crossrun_thread *t) {
    if (!t->specific) return;
    for (int round = 0; round < PTHREAD_DESTRUCTOR_ITERATIONS; round++) {
        int ran = 0;
        for (unsigned k = 0; k < PTHREAD_KEYS_MAX; k++) {
            unsigned seq = CR_LOAD(&keys[k].seq);
            void (*destructor)(void *) = keys[k].destructor;
            void *value = t->specific[k].value;
            if (!(seq & 1) || t->specific[k].seq != seq || !value || !destructor) continue;
            t->specific[k].value = 0;
            destructor(value);
            ran = 1;
        }
        if (!ran) break;
    }
}

/* --- once ------------------------------------------------------------------------------ */
enum { ONCE_NEW, ONCE_RUNNING, ONCE_WAITED, ONCE_DONE };

int pthread_once(pthread_once_t *once, void (*routine)(void)) {
    for (;;) {
        int v = CR_LOAD(once);
        if (v == ONCE_DONE) return 0;
        if (v == ONCE_NEW) {
            if (!CR_CAS(once, &v, ONCE_RUNNING)) continue;
            routine();
            if (CR_SWAP(once, ONCE_DONE) == ONCE_WAITED) __crossrun_futex_wake(once, INT_MAX);
            return 0;
        }
        if (v == ONCE_RUNNING && !CR_CAS(once, &v, ONCE_WAITED)) continue;
        __crossrun_futex_wait(once, ONCE_WAITED, 0, CLOCK_REALTIME);
    }
}

/* --- signals --------------------------------------------------------------------------- */
int pthread_sigmask(int how, const sigset_t *set, sigset_t *old) {
    int saved = errno;
    int r = sigprocmask(how, set, old) ? errno : 0;
    errno = saved;
    return r;
}

/* The signal to the thread's host or emulated tid: its handler runs on that thread. */
int pthread_kill(pthread_t thread, int sig) {
    struct __crossrun_thread *t = (struct __crossrun_thread *)thread;
    int tid = CR_LOAD(&t->tid);
    if (tid == 0) return ESRCH;   /* it ended */
    int saved = errno;
    int r = tgkill(getpid(), tid, sig) ? errno : 0;
    errno = saved;
    return r;
}

/* sigqueue to one thread: its handler runs on that thread with si_code SI_QUEUE and the value. */
int pthread_sigqueue(pthread_t thread, int sig, const union sigval value) {
    struct __crossrun_thread *t = (struct __crossrun_thread *)thread;
    int tid = CR_LOAD(&t->tid);
    if (tid == 0) return ESRCH;   /* it ended */
    int saved = errno;
    int r = __crossrun_tgsigqueue(getpid(), tid, sig, value.sival_ptr) ? errno : 0;
    errno = saved;
    return r;
}

int __crossrun_check_timespec(const struct timespec *ts) {
    return ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000L ? EINVAL : 0;
}
