#ifndef _SYS_SIGNAL_H_ALIAS
#define _SYS_SIGNAL_H_ALIAS
/* The same as <signal.h>, as glibc has it under this name too. */
#include <signal.h>
#endif
