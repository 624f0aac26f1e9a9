#ifndef _WAIT_H_ALIAS
#define _WAIT_H_ALIAS
/* The same as <sys/wait.h>, as glibc has it under this name too. */
#include <sys/wait.h>
#endif
