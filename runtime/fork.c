/* CrossRun's guest runtime: fork with pthread_atfork's handlers, as glibc runs them. The
 * process itself forks in the host primitive (__crossrun_fork: natively the host's fork,
 * emulated the CrossRun process with its engine). Target code on both backends. */
#define _GNU_SOURCE 1
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <pthread.h>

pid_t __crossrun_fork(void);
/* The thread library's (runtime/pthread.c) when the program has it: weak, so that a program
   without threads links fork alone. */
void __crossrun_thread_after_fork(void) __attribute__((weak));

/* Registered handlers, oldest first. The list only grows (there is no dlclose to remove a
 * library's handlers), so a walk from a snapshot of `last` backwards, or from `first` up to
 * that snapshot, never meets a freed entry; registration takes a spin lock. */
struct handler {
    void (*prepare)(void), (*parent)(void), (*child)(void);
    struct handler *next, *previous;
};
static struct handler *first, *last;
static int lock;

int pthread_atfork(void (*prepare)(void), void (*parent)(void), void (*child)(void)) {
    struct handler *h = malloc(sizeof *h);
    if (!h) return ENOMEM;
    h->prepare = prepare;
    h->parent = parent;
    h->child = child;
    h->next = 0;
    while (__atomic_exchange_n(&lock, 1, __ATOMIC_ACQUIRE)) {}
    h->previous = last;
    if (last) last->next = h; else first = h;
    __atomic_store_n(&last, h, __ATOMIC_RELEASE);
    __atomic_store_n(&lock, 0, __ATOMIC_RELEASE);
    return 0;
}

pid_t fork(void) {
    struct handler *end = __atomic_load_n(&last, __ATOMIC_ACQUIRE);
    for (struct handler *h = end; h; h = h->previous)
        if (h->prepare) h->prepare();
    int saved = errno;
    pid_t pid = __crossrun_fork();
    int error = errno;
    if (pid == 0 && __crossrun_thread_after_fork) __crossrun_thread_after_fork();
    if (pid >= 0) {
        for (struct handler *h = end ? first : 0; h; h = h == end ? 0 : h->next) {
            void (*f)(void) = pid == 0 ? h->child : h->parent;
            if (f) f();
        }
    } else {
        /* glibc runs the parent handlers after a failed fork too. */
        for (struct handler *h = end ? first : 0; h; h = h == end ? 0 : h->next)
            if (h->parent) h->parent();
    }
    errno = pid < 0 ? error : saved;
    return pid;
}
