/* Unnamed POSIX semaphores (runtime/semaphore.c); glibc's 32-byte sem_t. */
#ifndef _SEMAPHORE_H
#define _SEMAPHORE_H 1
#include <features.h>
#include <_crossrun_types.h>
#include <time.h>
typedef union { char __size[32]; long __align; } sem_t;
#define SEM_FAILED ((sem_t *)0)
int sem_init(sem_t *, int, unsigned);
int sem_destroy(sem_t *);
int sem_wait(sem_t *);
int sem_trywait(sem_t *);
int sem_timedwait(sem_t *__CR_RESTRICT, const struct timespec *__CR_RESTRICT);
int sem_post(sem_t *);
#ifdef __USE_GNU
int sem_clockwait(sem_t *__CR_RESTRICT, clockid_t, const struct timespec *__CR_RESTRICT);
#endif
int sem_getvalue(sem_t *__CR_RESTRICT, int *__CR_RESTRICT);
#endif
