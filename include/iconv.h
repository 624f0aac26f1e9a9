#ifndef _ICONV_H
#define _ICONV_H
#include <_crossrun_types.h>
/* Character set conversion, as glibc's (the host's converters and names: iconv -l). */
typedef void *iconv_t;
iconv_t iconv_open(const char *tocode, const char *fromcode);
size_t iconv(iconv_t cd, char **__restrict inbuf, size_t *__restrict inbytesleft,
             char **__restrict outbuf, size_t *__restrict outbytesleft);
int iconv_close(iconv_t cd);
#endif
