#ifndef _SYS_STATVFS_H
#define _SYS_STATVFS_H
#include <features.h>
#include <_crossrun_types.h>
typedef unsigned long fsblkcnt_t;
typedef unsigned long fsfilcnt_t;
struct statvfs {
    unsigned long f_bsize; unsigned long f_frsize; fsblkcnt_t f_blocks; fsblkcnt_t f_bfree; fsblkcnt_t f_bavail;
    fsfilcnt_t f_files; fsfilcnt_t f_ffree; fsfilcnt_t f_favail; unsigned long f_fsid; unsigned long f_flag;
    unsigned long f_namemax; unsigned int f_type; int __f_spare[5];
};
#define ST_RDONLY 1
#define ST_NOSUID 2
int statvfs(const char *__CR_RESTRICT, struct statvfs *__CR_RESTRICT);
int fstatvfs(int, struct statvfs *);
/* The LFS64 names: off_t, ino_t and the counts are already 64 bits, so they are the plain
   ones (as musl does; natively they bind to the plain host calls). */
#ifdef __USE_LARGEFILE64
#define statvfs64 statvfs
#define fstatvfs64 fstatvfs
typedef fsblkcnt_t fsblkcnt64_t;
typedef fsfilcnt_t fsfilcnt64_t;
#endif
#endif
