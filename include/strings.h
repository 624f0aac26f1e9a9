#ifndef _STRINGS_H
#define _STRINGS_H
#include <_crossrun_types.h>
int strcasecmp(const char *, const char *);
int strncasecmp(const char *, const char *, size_t);
int ffs(int);
#endif
