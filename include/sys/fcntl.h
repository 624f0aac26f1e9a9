#ifndef _SYS_FCNTL_H_ALIAS
#define _SYS_FCNTL_H_ALIAS
/* The same as <fcntl.h>, as glibc has it under this name too. */
#include <fcntl.h>
#endif
