#ifndef _LIBGEN_H
#define _LIBGEN_H 1
/* POSIX basename/dirname (they may modify their argument); basename is glibc's XPG one. */
char *dirname(char *);
char *__xpg_basename(char *);
#define basename __xpg_basename
#endif
