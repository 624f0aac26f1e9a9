#ifndef _TERMIO_H
#define _TERMIO_H
/* System V's terminal interface, as glibc's: <termios.h>, and struct termio with TCGETA and
   the other requests from <sys/ioctl.h>. */
#include <termios.h>
#include <sys/ioctl.h>
#endif
