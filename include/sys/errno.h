#ifndef _SYS_ERRNO_H_ALIAS
#define _SYS_ERRNO_H_ALIAS
/* The same as <errno.h>, as glibc has it under this name too. */
#include <errno.h>
#endif
