#ifndef _SYS_PARAM_H
#define _SYS_PARAM_H 1
/* BSD-style system parameters and helper macros, with glibc's Linux values. */
#include <features.h>
#include <stddef.h>
#include <sys/types.h>
#include <limits.h>
#include <endian.h>
#include <signal.h>
#define HZ 100
#define EXEC_PAGESIZE 4096
#define NOGROUP (-1)
#define MAXHOSTNAMELEN 64
#define NBBY CHAR_BIT
#define NGROUPS 65536
#define MAXSYMLINKS 20
#define CANBSIZ 255
#define MAXPATHLEN PATH_MAX
#define NOFILE 256
#define NCARGS 131072
#define DEV_BSIZE 512
#define setbit(a, i) ((a)[(i) / NBBY] |= 1 << ((i) % NBBY))
#define clrbit(a, i) ((a)[(i) / NBBY] &= ~(1 << ((i) % NBBY)))
#define isset(a, i) ((a)[(i) / NBBY] & (1 << ((i) % NBBY)))
#define isclr(a, i) (((a)[(i) / NBBY] & (1 << ((i) % NBBY))) == 0)
#ifndef howmany
#define howmany(x, y) (((x) + ((y) - 1)) / (y))
#endif
#ifdef __GNUC__
#define roundup(x, y) (__builtin_constant_p(y) && powerof2(y) ? (((x) + (y) - 1) & ~((y) - 1)) : ((((x) + ((y) - 1)) / (y)) * (y)))
#else
#define roundup(x, y) ((((x) + ((y) - 1)) / (y)) * (y))
#endif
#define powerof2(x) ((((x) - 1) & (x)) == 0)
#define MIN(a, b) (((a) < (b)) ? (a) : (b))
#define MAX(a, b) (((a) > (b)) ? (a) : (b))
#endif
