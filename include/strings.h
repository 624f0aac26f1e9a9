#ifndef _STRINGS_H
#define _STRINGS_H
#include <features.h>
#include <_crossrun_types.h>
int strcasecmp(const char *, const char *);
int strncasecmp(const char *, const char *, size_t);
int ffs(int);
int bcmp(const void *, const void *, size_t);
void bcopy(const void *, void *, size_t);
void bzero(void *, size_t);
char *index(const char *, int);
char *rindex(const char *, int);
#ifdef __USE_XOPEN2K8
#ifndef __locale_t_defined
#define __locale_t_defined 1
typedef struct __locale_struct *locale_t;
#endif
int strcasecmp_l(const char *, const char *, locale_t);
int strncasecmp_l(const char *, const char *, size_t, locale_t);
#endif
#ifdef __USE_MISC
int ffsl(long);
__extension__ int ffsll(long long);
#endif
#endif
