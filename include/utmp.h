/* Only login_tty (the login records are not offered). */
#ifndef _UTMP_H
#define _UTMP_H 1
#include <features.h>
/* Makes FD the caller's controlling terminal and its standard input, output and error (a new
   session first); FD itself is closed. Emulated this is the CrossRun process's session. */
int login_tty(int);
#endif
