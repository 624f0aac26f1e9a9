/* Pseudo-terminal pairs (emulated: the host's ptys behind guest descriptors; refused under --root). */
#ifndef _PTY_H
#define _PTY_H 1
#include <features.h>
#include <termios.h>
#include <sys/ioctl.h>
/* A new pty pair: *master and *slave, the slave's name copied to NAME unless NULL (no size is
   given: glibc writes the whole name), its settings from TERMP and WINP unless NULL. */
int openpty(int *, int *, char *, const struct termios *, const struct winsize *);
/* openpty, then fork: the child's controlling terminal and standard streams are the slave
   (login_tty), the parent gets the master (guest code, runtime/pty.c). */
int forkpty(int *, char *, const struct termios *, const struct winsize *);
#endif
