#ifndef _SYS_UNISTD_H_ALIAS
#define _SYS_UNISTD_H_ALIAS
/* The same as <unistd.h>, as glibc has it under this name too. */
#include <unistd.h>
#endif
