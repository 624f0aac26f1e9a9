#ifndef _GNU_LIBC_VERSION_H
#define _GNU_LIBC_VERSION_H 1
/* The C library's version at run time: the glibc 2.36 CrossRun's headers describe. */
const char *gnu_get_libc_version(void);
const char *gnu_get_libc_release(void);
#endif
