#ifndef _CTYPE_H
#define _CTYPE_H
/* Real functions (not glibc's table macros), so each is one call the runtime serves. */
int isalnum(int);
int isalpha(int);
int isblank(int);
int iscntrl(int);
int isdigit(int);
int isgraph(int);
int islower(int);
int isprint(int);
int ispunct(int);
int isspace(int);
int isupper(int);
int isxdigit(int);
int isascii(int);
int tolower(int);
int toupper(int);
/* posixlib: the POSIX.1-2008 forms taking a locale object. */
#include <features.h>
#ifdef __USE_XOPEN2K8
#ifndef __locale_t_defined
#define __locale_t_defined 1
typedef struct __locale_struct *locale_t;
#endif
int isalnum_l(int, locale_t);
int isalpha_l(int, locale_t);
int isblank_l(int, locale_t);
int iscntrl_l(int, locale_t);
int isdigit_l(int, locale_t);
int isgraph_l(int, locale_t);
int islower_l(int, locale_t);
int isprint_l(int, locale_t);
int ispunct_l(int, locale_t);
int isspace_l(int, locale_t);
int isupper_l(int, locale_t);
int isxdigit_l(int, locale_t);
int tolower_l(int, locale_t);
int toupper_l(int, locale_t);
#endif
#if defined(__USE_MISC) || defined(__USE_XOPEN)
/* The low seven bits; and tolower/toupper under their XSI names. */
int toascii(int);
int _tolower(int);
int _toupper(int);
#endif
#endif
