#ifndef _ULIMIT_H
#define _ULIMIT_H
#include <features.h>
/* glibc's commands: the file-size limit in 512-byte blocks, and the descriptor limit. */
enum {
    UL_GETFSIZE = 1,
#define UL_GETFSIZE UL_GETFSIZE
    UL_SETFSIZE,
#define UL_SETFSIZE UL_SETFSIZE
    __UL_GETMAXBRK,
    __UL_GETOPENMAX
};
long ulimit(int, ...);
#endif
