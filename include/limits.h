#ifndef _CROSSRUN_LIMITS_H
#define _CROSSRUN_LIMITS_H
/* The compiler's own limits (CHAR_BIT, INT_MAX, ...), plus POSIX ones. */
#include_next <limits.h>
#define SSIZE_MAX LONG_MAX
#define PATH_MAX 4096
#define NAME_MAX 255
#define PIPE_BUF 4096
#endif
