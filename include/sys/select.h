#ifndef _SYS_SELECT_H
#define _SYS_SELECT_H
#include <features.h>
#include <_crossrun_types.h>
#include <sys/time.h>
/* Only sigset_t from <signal.h>, as glibc's (pselect's mask). */
#ifndef __sigset_t_defined
#define __sigset_t_defined 1
typedef struct { unsigned long __val[16]; } sigset_t;
#endif
#ifndef _CROSSRUN_TIMESPEC
#define _CROSSRUN_TIMESPEC
struct timespec { time_t tv_sec; long tv_nsec; };
#endif
#define FD_SETSIZE 1024
typedef long __fd_mask;
#define __NFDBITS (8 * (int)sizeof(__fd_mask))
typedef struct { __fd_mask fds_bits[FD_SETSIZE / __NFDBITS]; } fd_set;
#define FD_ZERO(s) do { unsigned __i; fd_set *__s = (s); for (__i = 0; __i < FD_SETSIZE / __NFDBITS; __i++) __s->fds_bits[__i] = 0; } while (0)
#define FD_SET(d, s) ((void)((s)->fds_bits[(d) / __NFDBITS] |= (__fd_mask)(1UL << ((d) % __NFDBITS))))
#define FD_CLR(d, s) ((void)((s)->fds_bits[(d) / __NFDBITS] &= ~(__fd_mask)(1UL << ((d) % __NFDBITS))))
#define FD_ISSET(d, s) (((s)->fds_bits[(d) / __NFDBITS] & (__fd_mask)(1UL << ((d) % __NFDBITS))) != 0)
#ifdef __USE_MISC
/* The BSD names of the word type and its width. */
typedef __fd_mask fd_mask;
#define NFDBITS __NFDBITS
#endif
int select(int, fd_set *__CR_RESTRICT, fd_set *__CR_RESTRICT, fd_set *__CR_RESTRICT, struct timeval *__CR_RESTRICT);
int pselect(int, fd_set *__CR_RESTRICT, fd_set *__CR_RESTRICT, fd_set *__CR_RESTRICT, const struct timespec *__CR_RESTRICT,
            const sigset_t *__CR_RESTRICT);
#endif
