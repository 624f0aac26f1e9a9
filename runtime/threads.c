/* C11 <threads.h> over the POSIX thread library. */
#include "crossrun_thread.h"
#include <threads.h>
#include <stdlib.h>
#include <stdint.h>

static int result_of(int error) {
    switch (error) {
    case 0: return thrd_success;
    case ENOMEM: return thrd_nomem;
    case ETIMEDOUT: return thrd_timedout;
    case EBUSY: return thrd_busy;
    default: return thrd_error;
    }
}

struct start { thrd_start_t function; void *arg; };

static void *thread_start(void *p) {
    struct start s = *(struct start *)p;
    free(p);
    return (void *)(intptr_t)s.function(s.arg);
}

int thrd_create(thrd_t *thread, thrd_start_t function, void *arg) {
    struct start *s = malloc(sizeof *s);
    if (!s) return thrd_nomem;
    s->function = function;
    s->arg = arg;
    pthread_t t;
    int r = pthread_create(&t, 0, thread_start, s);
    if (r) { free(s); return r == EAGAIN ? thrd_nomem : thrd_error; }
    *thread = t;
    return thrd_success;
}

int thrd_equal(thrd_t a, thrd_t b) { return a == b; }
thrd_t thrd_current(void) { return pthread_self(); }
int thrd_sleep(const struct timespec *duration, struct timespec *remaining) {
    if (nanosleep(duration, remaining) == 0) return 0;
    return errno == EINTR ? -1 : -2;
}
void thrd_yield(void) { sched_yield(); }
void thrd_exit(int result) { pthread_exit((void *)(intptr_t)result); }
int thrd_detach(thrd_t thread) { return result_of(pthread_detach(thread)); }
int thrd_join(thrd_t thread, int *result) {
    void *value;
    int r = pthread_join(thread, &value);
    if (r == 0 && result) *result = (int)(intptr_t)value;
    return result_of(r);
}

void call_once(once_flag *flag, void (*function)(void)) { pthread_once(flag, function); }

int mtx_init(mtx_t *m, int type) {
    if (type != mtx_plain && type != mtx_timed && type != (mtx_plain | mtx_recursive)
        && type != (mtx_timed | mtx_recursive)) return thrd_error;
    pthread_mutex_init(m, 0);
    if (type & mtx_recursive) m->__data.__kind = PTHREAD_MUTEX_RECURSIVE;
    return thrd_success;
}
int mtx_lock(mtx_t *m) { return result_of(pthread_mutex_lock(m)); }
int mtx_timedlock(mtx_t *m, const struct timespec *t) { return result_of(pthread_mutex_timedlock(m, t)); }
int mtx_trylock(mtx_t *m) { return result_of(pthread_mutex_trylock(m)); }
int mtx_unlock(mtx_t *m) { return result_of(pthread_mutex_unlock(m)); }
void mtx_destroy(mtx_t *m) { pthread_mutex_destroy(m); }

int cnd_init(cnd_t *c) { return result_of(pthread_cond_init(c, 0)); }
int cnd_signal(cnd_t *c) { return result_of(pthread_cond_signal(c)); }
int cnd_broadcast(cnd_t *c) { return result_of(pthread_cond_broadcast(c)); }
int cnd_wait(cnd_t *c, mtx_t *m) { return result_of(pthread_cond_wait(c, m)); }
int cnd_timedwait(cnd_t *c, mtx_t *m, const struct timespec *t) { return result_of(pthread_cond_timedwait(c, m, t)); }
void cnd_destroy(cnd_t *c) { pthread_cond_destroy(c); }

int tss_create(tss_t *key, tss_dtor_t destructor) { return result_of(pthread_key_create(key, destructor)); }
void *tss_get(tss_t key) { return pthread_getspecific(key); }
int tss_set(tss_t key, void *value) { return result_of(pthread_setspecific(key, value)); }
void tss_delete(tss_t key) { pthread_key_delete(key); }
