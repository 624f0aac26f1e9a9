/* Shared basic types of CrossRun's C library headers (LP64 Linux: glibc-compatible). */
#ifndef _CROSSRUN_TYPES_H
#define _CROSSRUN_TYPES_H
#define __need_size_t
#define __need_NULL
#define __need_wchar_t
#include <stddef.h>
typedef long ssize_t;
typedef long off_t;
typedef long time_t;
typedef long clock_t;
typedef long suseconds_t;
typedef int pid_t;
typedef unsigned int uid_t;
typedef unsigned int gid_t;
typedef unsigned int id_t;
typedef unsigned int mode_t;
typedef unsigned long dev_t;
typedef unsigned long ino_t;
typedef long blksize_t;
typedef long blkcnt_t;
typedef int clockid_t;
#if defined(__x86_64__)
typedef unsigned long nlink_t;
#else
typedef unsigned int nlink_t;
#endif
#if defined(__GNUC__)
#define __CR_NORETURN __attribute__((__noreturn__))
#define __CR_PRINTF(f, a) __attribute__((__format__(__printf__, f, a)))
#define __CR_SCANF(f, a) __attribute__((__format__(__scanf__, f, a)))
#else
#define __CR_NORETURN
#define __CR_PRINTF(f, a)
#define __CR_SCANF(f, a)
#endif
#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 199901L
#define __CR_RESTRICT restrict
#else
#define __CR_RESTRICT __restrict
#endif
#endif
