#ifndef _SYS_TERMIOS_H_ALIAS
#define _SYS_TERMIOS_H_ALIAS
/* The same as <termios.h>, as glibc has it under this name too. */
#include <termios.h>
#endif
