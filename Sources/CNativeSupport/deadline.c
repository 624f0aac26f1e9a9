#define _GNU_SOURCE
#include "CNativeSupport.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* --- the outcome record ------------------------------------------------------------------ */

char *crossrun_outcome_path;

void crossrun_outcome_set_path(const char *path) { crossrun_outcome_path = path ? strdup(path) : NULL; }

static pid_t original_pid;
__attribute__((constructor)) static void remember_original_pid(void) { original_pid = getpid(); }

int crossrun_is_original_process(void) { return getpid() == original_pid; }

void crossrun_become_original_process(void) { original_pid = getpid(); }

void crossrun_outcome_write(const char *record, size_t length) {
    const char *path = crossrun_outcome_path;
    if (!path || !crossrun_is_original_process()) return;   /* a forked child's end is not the run's */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return;
    while (length > 0) {
        ssize_t n = write(fd, record, length);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        record += n;
        length -= (size_t)n;
    }
    close(fd);
}

/* --- the deadline watchdog ----------------------------------------------------------------- */

struct crossrun_deadline {
    pthread_t thread, target;
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    struct timespec deadline;
    int signal;
    void (*expire)(void *);
    void *context;
    long hard_exit_ms;
    char *hard_report, *hard_record;
    int stopped;      /* guarded by mutex */
    int expired;      /* atomic */
};

static struct timespec after(struct timespec t, uint64_t ms) {
    t.tv_sec += (time_t)(ms / 1000);
    t.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) { t.tv_sec++; t.tv_nsec -= 1000000000L; }
    return t;
}

/* Waits until `until` or cancellation; returns whether cancelled. Called with the mutex held. */
static int wait_until(crossrun_deadline *d, struct timespec until) {
    while (!d->stopped) {
        int rc = pthread_cond_timedwait(&d->cond, &d->mutex, &until);
        if (rc == ETIMEDOUT) return d->stopped;
    }
    return 1;
}

static void *deadline_main(void *p) {
    crossrun_deadline *d = p;
    pthread_mutex_lock(&d->mutex);
    if (wait_until(d, d->deadline)) { pthread_mutex_unlock(&d->mutex); return NULL; }
    pthread_mutex_unlock(&d->mutex);
    __atomic_store_n(&d->expired, 1, __ATOMIC_SEQ_CST);
    if (d->expire) d->expire(d->context);
    /* Interrupt whatever the watched thread blocks in (sleep, read, poll…), again and again
       until it ends the run, or the hard limit passes. */
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    struct timespec hard = after(now, d->hard_exit_ms < 0 ? 0 : (uint64_t)d->hard_exit_ms);
    for (;;) {
        if (d->signal) pthread_kill(d->target, d->signal);
        clock_gettime(CLOCK_MONOTONIC, &now);
        struct timespec next = after(now, 20);
        pthread_mutex_lock(&d->mutex);
        int cancelled = wait_until(d, next);
        pthread_mutex_unlock(&d->mutex);
        if (cancelled) return NULL;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (d->hard_exit_ms >= 0 && (now.tv_sec > hard.tv_sec || (now.tv_sec == hard.tv_sec && now.tv_nsec >= hard.tv_nsec))) break;
    }
    /* The program defeated the polite stop (it blocks or handles the signal, or host code does
       not return): end the process from here, with CrossRun's report. */
    if (d->hard_record) crossrun_outcome_write(d->hard_record, strlen(d->hard_record));
    if (d->hard_report) {
        ssize_t unused = write(2, d->hard_report, strlen(d->hard_report));
        (void)unused;
    }
    _exit(124);
}

/* The mutex and the condition variable the watchdog waits on (CLOCK_MONOTONIC). */
static void init_sync(crossrun_deadline *d) {
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&d->cond, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&d->mutex, NULL);
}

/* Starts the watchdog thread with every signal blocked: it must not take the program's. */
static int launch(crossrun_deadline *d) {
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&d->thread, NULL, deadline_main, d);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

crossrun_deadline *crossrun_deadline_start(uint64_t milliseconds, int signal, void (*expire)(void *), void *context,
                                           long hard_exit_ms, const char *hard_report, const char *hard_record) {
    crossrun_deadline *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    init_sync(d);
    clock_gettime(CLOCK_MONOTONIC, &d->deadline);
    d->deadline = after(d->deadline, milliseconds);
    d->target = pthread_self();
    d->signal = signal;
    d->expire = expire;
    d->context = context;
    d->hard_exit_ms = hard_exit_ms;
    d->hard_report = hard_report ? strdup(hard_report) : NULL;
    d->hard_record = hard_record ? strdup(hard_record) : NULL;
    if (launch(d) != 0) {
        free(d->hard_report);
        free(d->hard_record);
        free(d);
        return NULL;
    }
    return d;
}

crossrun_deadline *crossrun_deadline_after_fork(crossrun_deadline *d) {
    if (!d) return NULL;
    /* Only the forking thread exists now: the mutex may have been held by the lost watchdog. */
    init_sync(d);
    d->stopped = 0;
    d->target = pthread_self();
    return launch(d) == 0 ? d : NULL;
}

int crossrun_deadline_expired(const crossrun_deadline *d) {
    return d ? __atomic_load_n(&d->expired, __ATOMIC_SEQ_CST) : 0;
}

void crossrun_deadline_cancel(crossrun_deadline *d) {
    if (!d) return;
    pthread_mutex_lock(&d->mutex);
    d->stopped = 1;
    pthread_cond_broadcast(&d->cond);
    pthread_mutex_unlock(&d->mutex);
    pthread_join(d->thread, NULL);
    pthread_cond_destroy(&d->cond);
    pthread_mutex_destroy(&d->mutex);
    free(d->hard_report);
    free(d->hard_record);
    free(d);
}

/* --- the scheduler's time slice ------------------------------------------------------------ */

struct crossrun_ticker {
    crossrun_deadline sync;   /* the watchdog's thread, mutex, condition variable and stop flag */
    clockid_t cpu_clock;      /* CPU time of the thread that started it (the one emulating) */
    uint64_t milliseconds;
    void (*tick)(void *);
    void *context;
    int ticked;               /* atomic */
};

static uint64_t cpu_ms(clockid_t clock) {
    struct timespec ts;
    if (clock_gettime(clock, &ts) != 0) clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Ticks per `milliseconds` of the emulating thread's CPU time (checked every quarter slice),
   so a loaded host, which delays that thread, does not make slices shorter in guest work. */
static void *ticker_main(void *p) {
    crossrun_ticker *t = p;
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    uint64_t last = cpu_ms(t->cpu_clock);
    uint64_t step = t->milliseconds / 4 ? t->milliseconds / 4 : 1;
    pthread_mutex_lock(&t->sync.mutex);
    for (;;) {
        next = after(next, step);
        if (wait_until(&t->sync, next)) break;
        uint64_t now = cpu_ms(t->cpu_clock);
        if (now - last < t->milliseconds) continue;
        last = now;
        __atomic_store_n(&t->ticked, 1, __ATOMIC_SEQ_CST);
        if (t->tick) t->tick(t->context);
    }
    pthread_mutex_unlock(&t->sync.mutex);
    return NULL;
}

crossrun_ticker *crossrun_ticker_start(uint64_t milliseconds, void (*tick)(void *), void *context) {
    crossrun_ticker *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    init_sync(&t->sync);
    t->milliseconds = milliseconds ? milliseconds : 1;
    if (pthread_getcpuclockid(pthread_self(), &t->cpu_clock) != 0) t->cpu_clock = CLOCK_MONOTONIC;
    t->tick = tick;
    t->context = context;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&t->sync.thread, NULL, ticker_main, t);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        pthread_cond_destroy(&t->sync.cond);
        pthread_mutex_destroy(&t->sync.mutex);
        free(t);
        return NULL;
    }
    return t;
}

int crossrun_ticker_take(crossrun_ticker *t) {
    return t ? __atomic_exchange_n(&t->ticked, 0, __ATOMIC_SEQ_CST) : 0;
}

int *crossrun_ticker_flag(crossrun_ticker *t) {
    return t ? &t->ticked : NULL;
}

void crossrun_ticker_cancel(crossrun_ticker *t) {
    if (!t) return;
    pthread_mutex_lock(&t->sync.mutex);
    t->sync.stopped = 1;
    pthread_cond_broadcast(&t->sync.cond);
    pthread_mutex_unlock(&t->sync.mutex);
    pthread_join(t->sync.thread, NULL);
    pthread_cond_destroy(&t->sync.cond);
    pthread_mutex_destroy(&t->sync.mutex);
    free(t);
}

static void interrupt_only(int sig) { (void)sig; }

void crossrun_install_interrupt_signal(int sig) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = interrupt_only;   /* no SA_RESTART: blocking calls return EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}
