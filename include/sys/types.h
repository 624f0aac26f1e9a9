#ifndef _SYS_TYPES_H
#define _SYS_TYPES_H
#include <features.h>
#include <_crossrun_types.h>
#include <_crossrun_pthread_types.h>
/* As glibc: fd_set and select come with <sys/types.h> under _DEFAULT_SOURCE/_GNU_SOURCE. */
#ifdef __USE_MISC
#include <sys/select.h>
#endif
#endif
