/* The thread primitives the host provides (natively CNativeSupport/native_threads.c,
   emulated the scheduler in CrossRunEmulator), and the thread library's private state.
   Private to runtime/: not part of include/. */
#ifndef CROSSRUN_THREAD_H
#define CROSSRUN_THREAD_H
#include <pthread.h>
#include <time.h>
#include <limits.h>
#include <errno.h>
#include <signal.h>

/* Starts entry(arg) on a new thread with its own stack (stack_size bytes, 0 = 8 MiB) and TLS
   block. Stores the thread's id (> 0) in *tid_word before it runs; after the thread has
   ended, stores 0 there and wakes every futex waiter on it. Returns the id or -errno. */
long __crossrun_thread_spawn(void (*entry)(void *), void *arg, unsigned long stack_size, int *tid_word);
/* Ends the calling thread; the last one ends the process as exit(0). */
_Noreturn void __crossrun_thread_exit(void);
/* FUTEX_WAIT on a 32-bit word: EAGAIN if *addr != expected, ETIMEDOUT past *abstime on
   clockid (NULL: no limit), 0 when woken (or spuriously), EINVAL/EFAULT. */
int __crossrun_futex_wait(volatile int *addr, int expected, const struct timespec *abstime, int clockid);
/* Wakes up to count waiters on addr; returns how many. */
int __crossrun_futex_wake(volatile int *addr, int count);
/* Compare-and-swap on a 32-bit word that other processes may change too (a process-shared
   object in a MAP_SHARED mapping): returns the word's old value, stores `desired` if it was
   `expected`. The emulators' own atomic instructions are atomic between one process's
   threads only; this one is the host's, atomic for every process. */
int __crossrun_shared_cas(volatile int *addr, int expected, int desired);
/* The calling thread's id (the process id for the main thread). */
int __crossrun_gettid(void);
/* rt_tgsigqueueinfo as glibc's pthread_sigqueue sends it (SI_QUEUE, this pid and uid, the value). */
int __crossrun_tgsigqueue(int process, int thread, int sig, void *value);

/* One thread's descriptor: what pthread_t points to. */
struct __crossrun_thread {
    int tid;                       /* the host's tid word: 0 once the thread has ended */
    int detach;                    /* DETACH_* */
    void *(*start)(void *);
    void *arg;
    void *result;
    int cancel_disabled, cancel_async, cancel_pending;
    volatile int *waiting_on;      /* the futex word a cancellable wait sleeps on */
    struct __crossrun_cleanup *cleanup;
    struct { unsigned seq; void *value; } *specific;   /* PTHREAD_KEYS_MAX entries, lazily */
    unsigned long stack_size;
    char name[16];
    struct __crossrun_thread *next_dead;
    pthread_mutex_t *robust_held;  /* robust mutexes this thread holds (a list through them) */
    sigset_t start_mask;           /* its creator's mask, put in place once `current` is set */
    int sched_policy, sched_priority;   /* pthread_setschedparam's (0, 0: SCHED_OTHER) */
};
enum { DETACH_JOINABLE = 0, DETACH_DETACHED = 1, DETACH_JOINED = 2 };

/* The calling thread's descriptor (the main thread's is static, filled on first use). */
struct __crossrun_thread *__crossrun_self(void);
/* Ends the calling thread with `result`: cleanup handlers, key destructors, then the host. */
_Noreturn void __crossrun_thread_finish(void *result);
/* Marks the robust mutexes the calling thread still holds as abandoned by a dead owner and
   releases them (the next locker gets EOWNERDEAD). */
void __crossrun_release_robust_mutexes(struct __crossrun_thread *t);
/* In the child of a fork (runtime/fork.c): the one thread gets an id of its own (the new
   process id, as Linux gives it) and holds none of the robust mutexes its parent's thread held. */
void __crossrun_thread_after_fork(void);
/* Acts on a pending cancellation (pthread_exit(PTHREAD_CANCELED)) if enabled. */
void __crossrun_testcancel(void);
/* A cancellable futex wait: registers the word so pthread_cancel can wake the thread. */
int __crossrun_cancellable_wait(volatile int *addr, int expected, const struct timespec *abstime, int clockid);
/* Checks a timespec for the timed waits: 0 or EINVAL. */
int __crossrun_check_timespec(const struct timespec *ts);

#define CR_LOAD(p) __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define CR_STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)
#define CR_CAS(p, expected, desired) \
    __atomic_compare_exchange_n((p), (expected), (desired), 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)
#define CR_SWAP(p, v) __atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)
#define CR_ADD(p, v) __atomic_add_fetch((p), (v), __ATOMIC_SEQ_CST)

/* The process-shared bit of the attribute objects (pthread_mutexattr_setpshared and the
   others; glibc's bit too). */
enum { CR_ATTR_PSHARED = 0x100 };

/* CR_CAS on a word of a process-shared object (`shared`: __crossrun_shared_cas, atomic for
   every process) or of a private one (the program's own atomics). */
static inline int __crossrun_word_cas(volatile int *w, int *expected, int desired, int shared) {
    if (!shared) return CR_CAS(w, expected, desired);
    int old = __crossrun_shared_cas(w, *expected, desired);
    if (old == *expected) return 1;
    *expected = old;
    return 0;
}
/* CR_ADD likewise; returns the new value. */
static inline int __crossrun_word_add(volatile int *w, int delta, int shared) {
    if (!shared) return CR_ADD(w, delta);
    int old = CR_LOAD(w);
    while (!__crossrun_word_cas(w, &old, old + delta, 1)) {}
    return old + delta;
}
#endif
