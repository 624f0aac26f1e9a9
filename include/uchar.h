/* <uchar.h> (C11): UTF-16 and UTF-32 code units from and to the locale's multibyte
   characters (char32_t is wchar_t's UCS-4, as in glibc). */
#ifndef _UCHAR_H
#define _UCHAR_H 1
#include <_crossrun_types.h>
#ifndef __mbstate_t_defined
#define __mbstate_t_defined 1
typedef struct { int __count; union { unsigned int __wch; char __wchb[4]; } __value; } __mbstate_t;
typedef __mbstate_t mbstate_t;
#endif
typedef __UINT_LEAST16_TYPE__ char16_t;
typedef __UINT_LEAST32_TYPE__ char32_t;
size_t mbrtoc16(char16_t *__CR_RESTRICT, const char *__CR_RESTRICT, size_t, mbstate_t *__CR_RESTRICT);
size_t c16rtomb(char *__CR_RESTRICT, char16_t, mbstate_t *__CR_RESTRICT);
size_t mbrtoc32(char32_t *__CR_RESTRICT, const char *__CR_RESTRICT, size_t, mbstate_t *__CR_RESTRICT);
size_t c32rtomb(char *__CR_RESTRICT, char32_t, mbstate_t *__CR_RESTRICT);
#endif
