/* <sys/sendfile.h>: copies between descriptors in the kernel (the host's). */
#ifndef _SYS_SENDFILE_H
#define _SYS_SENDFILE_H 1
#include <features.h>
#include <_crossrun_types.h>
ssize_t sendfile(int, int, off_t *, size_t);
#ifdef __USE_LARGEFILE64
#define sendfile64 sendfile
#endif
#endif
