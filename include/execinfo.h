#ifndef _EXECINFO_H
#define _EXECINFO_H 1
/* Backtraces. backtrace walks the calling thread's frame records (build with
   -fno-omit-frame-pointer; the walk stops at the first record outside the thread's stack or not
   above the previous one), so it sees the program's own functions; backtrace_symbols names them
   from the linked image's symbol table as glibc does: "prog(func+0x1c) [0x...]", "[0x...]" for
   an address outside the image. The same on every target and backend. */
#include <features.h>
int backtrace(void **, int);
char **backtrace_symbols(void *const *, int);
void backtrace_symbols_fd(void *const *, int, int);
#endif
