#ifndef _ERROR_H
#define _ERROR_H 1
/* GNU error(): flushes stdout, prints "argv[0]: message[: strerror(errnum)]" on stderr and
   exits with `status` unless it is 0. */
#include <features.h>
#include <_crossrun_types.h>
void error(int, int, const char *, ...) __CR_PRINTF(3, 4);
#endif
