/* <sys/statfs.h>: Linux file system statistics (struct statfs has one layout on every LP64
   target: x86-64's equals the generic one). */
#ifndef _SYS_STATFS_H
#define _SYS_STATFS_H 1
#include <features.h>
#include <_crossrun_types.h>
typedef unsigned long __fsblkcnt_t;
typedef unsigned long __fsfilcnt_t;
typedef struct { int __val[2]; } __fsid_t;
struct statfs {
    long f_type;
    long f_bsize;
    __fsblkcnt_t f_blocks;
    __fsblkcnt_t f_bfree;
    __fsblkcnt_t f_bavail;
    __fsfilcnt_t f_files;
    __fsfilcnt_t f_ffree;
    __fsid_t f_fsid;
    long f_namelen;
    long f_frsize;
    long f_flags;
    long f_spare[4];
};
int statfs(const char *, struct statfs *);
int fstatfs(int, struct statfs *);
#ifdef __USE_LARGEFILE64
#define statfs64 statfs
#define fstatfs64 fstatfs
#endif
#endif
