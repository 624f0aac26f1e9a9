/* <ftw.h>: file tree walks (guest code from runtime/ftw.c). Each directory's names are read
   and the directory closed before its entries are visited, so nopenfd does not matter; the
   walk is as deep as paths may be long (PATH_MAX: a longer path fails the walk with -1,
   as its stat does). Entries come in readdir order, as in glibc. */
#ifndef _FTW_H
#define _FTW_H 1
#include <features.h>
#include <sys/stat.h>
enum { FTW_F, FTW_D, FTW_DNR, FTW_NS, FTW_SL, FTW_DP, FTW_SLN };
#define FTW_F FTW_F
#define FTW_D FTW_D
#define FTW_DNR FTW_DNR
#define FTW_NS FTW_NS
#define FTW_SL FTW_SL
#define FTW_DP FTW_DP
#define FTW_SLN FTW_SLN
/* nftw flags. */
enum { FTW_PHYS = 1, FTW_MOUNT = 2, FTW_CHDIR = 4, FTW_DEPTH = 8
#ifdef __USE_GNU
       , FTW_ACTIONRETVAL = 16
#endif
};
#define FTW_PHYS FTW_PHYS
#define FTW_MOUNT FTW_MOUNT
#define FTW_CHDIR FTW_CHDIR
#define FTW_DEPTH FTW_DEPTH
#ifdef __USE_GNU
#define FTW_ACTIONRETVAL FTW_ACTIONRETVAL
/* What a function returns under FTW_ACTIONRETVAL. */
enum { FTW_CONTINUE = 0, FTW_STOP = 1, FTW_SKIP_SUBTREE = 2, FTW_SKIP_SIBLINGS = 3 };
#define FTW_CONTINUE FTW_CONTINUE
#define FTW_STOP FTW_STOP
#define FTW_SKIP_SUBTREE FTW_SKIP_SUBTREE
#define FTW_SKIP_SIBLINGS FTW_SKIP_SIBLINGS
#endif
struct FTW { int base; int level; };
typedef int (*__ftw_func_t)(const char *, const struct stat *, int);
typedef int (*__nftw_func_t)(const char *, const struct stat *, int, struct FTW *);
int ftw(const char *, __ftw_func_t, int);
int nftw(const char *, __nftw_func_t, int, int);
/* The LFS64 names: off_t, ino_t and the counts are already 64 bits, so they are the plain
   ones (as musl does; natively they bind to the plain host calls). */
#ifdef __USE_LARGEFILE64
#define ftw64 ftw
#define nftw64 nftw
#endif
#endif
