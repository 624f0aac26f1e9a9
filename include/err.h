#ifndef _ERR_H
#define _ERR_H 1
/* BSD error messages on stderr: "program: message", then the text of errno for the err/warn forms. */
#include <features.h>
#include <_crossrun_types.h>
void warn(const char *, ...) __CR_PRINTF(1, 2);
void vwarn(const char *, __builtin_va_list) __CR_PRINTF(1, 0);
void warnx(const char *, ...) __CR_PRINTF(1, 2);
void vwarnx(const char *, __builtin_va_list) __CR_PRINTF(1, 0);
__CR_NORETURN void err(int, const char *, ...) __CR_PRINTF(2, 3);
__CR_NORETURN void verr(int, const char *, __builtin_va_list) __CR_PRINTF(2, 0);
__CR_NORETURN void errx(int, const char *, ...) __CR_PRINTF(2, 3);
__CR_NORETURN void verrx(int, const char *, __builtin_va_list) __CR_PRINTF(2, 0);
#endif
