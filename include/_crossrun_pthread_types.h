/* The pthread object types (glibc's sizes and alignments per architecture), shared by
   <pthread.h> and <sys/types.h>. */
#ifndef _CROSSRUN_PTHREAD_TYPES_H
#define _CROSSRUN_PTHREAD_TYPES_H
#if defined(__aarch64__)
#define __CR_SIZEOF_PTHREAD_ATTR 64
#define __CR_SIZEOF_PTHREAD_MUTEX 48
#define __CR_SIZEOF_PTHREAD_MUTEXATTR 8
#define __CR_SIZEOF_PTHREAD_CONDATTR 8
#define __CR_SIZEOF_PTHREAD_BARRIERATTR 8
#else /* x86-64, riscv64 */
#define __CR_SIZEOF_PTHREAD_ATTR 56
#define __CR_SIZEOF_PTHREAD_MUTEX 40
#define __CR_SIZEOF_PTHREAD_MUTEXATTR 4
#define __CR_SIZEOF_PTHREAD_CONDATTR 4
#define __CR_SIZEOF_PTHREAD_BARRIERATTR 4
#endif
#define __CR_SIZEOF_PTHREAD_COND 48
#define __CR_SIZEOF_PTHREAD_RWLOCK 56
#define __CR_SIZEOF_PTHREAD_RWLOCKATTR 8
#define __CR_SIZEOF_PTHREAD_BARRIER 32

typedef unsigned long pthread_t;
typedef unsigned int pthread_key_t;
typedef int pthread_once_t;
typedef volatile int pthread_spinlock_t;

typedef union pthread_attr_t { char __size[__CR_SIZEOF_PTHREAD_ATTR]; long __align; } pthread_attr_t;
/* The fields the runtime uses are named so the static initializers can set the kind. */
typedef union {
    struct __crossrun_mutex { int __lock; int __kind; int __owner; unsigned __count; int __waiters; } __data;
    char __size[__CR_SIZEOF_PTHREAD_MUTEX];
    long __align;
} pthread_mutex_t;
typedef union { char __size[__CR_SIZEOF_PTHREAD_MUTEXATTR]; int __align; } pthread_mutexattr_t;
typedef union { char __size[__CR_SIZEOF_PTHREAD_COND]; long long __align; } pthread_cond_t;
typedef union { char __size[__CR_SIZEOF_PTHREAD_CONDATTR]; int __align; } pthread_condattr_t;
typedef union { char __size[__CR_SIZEOF_PTHREAD_RWLOCK]; long __align; } pthread_rwlock_t;
typedef union { char __size[__CR_SIZEOF_PTHREAD_RWLOCKATTR]; long __align; } pthread_rwlockattr_t;
typedef union { char __size[__CR_SIZEOF_PTHREAD_BARRIER]; long __align; } pthread_barrier_t;
typedef union { char __size[__CR_SIZEOF_PTHREAD_BARRIERATTR]; int __align; } pthread_barrierattr_t;
#endif
