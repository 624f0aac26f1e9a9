#ifndef _WCHAR_H
#define _WCHAR_H 1
/* Wide characters and strings (wchar_t is 4 bytes, ISO 10646, on every target), with
   glibc's C and C.UTF-8 locales: conversions follow the LC_CTYPE setlocale chose. */
#include <features.h>
#include <_crossrun_types.h>
#ifndef __FILE_defined
#define __FILE_defined 1
typedef struct _IO_FILE FILE;
#endif
#ifndef _WINT_T
#define _WINT_T 1
typedef unsigned int wint_t;
#endif
#ifndef __mbstate_t_defined
#define __mbstate_t_defined 1
typedef struct { int __count; union { unsigned int __wch; char __wchb[4]; } __value; } __mbstate_t;
typedef __mbstate_t mbstate_t;
#endif
#ifndef WEOF
#define WEOF (0xffffffffu)
#endif
#include <_crossrun_wchar_limits.h>
struct tm;

wchar_t *wcscpy(wchar_t *__CR_RESTRICT, const wchar_t *__CR_RESTRICT);
wchar_t *wcsncpy(wchar_t *__CR_RESTRICT, const wchar_t *__CR_RESTRICT, size_t);
wchar_t *wcscat(wchar_t *__CR_RESTRICT, const wchar_t *__CR_RESTRICT);
wchar_t *wcsncat(wchar_t *__CR_RESTRICT, const wchar_t *__CR_RESTRICT, size_t);
int wcscmp(const wchar_t *, const wchar_t *);
int wcsncmp(const wchar_t *, const wchar_t *, size_t);
int wcscoll(const wchar_t *, const wchar_t *);
size_t wcsxfrm(wchar_t *__CR_RESTRICT, const wchar_t *__CR_RESTRICT, size_t);
wchar_t *wcschr(const wchar_t *, wchar_t);
wchar_t *wcsrchr(const wchar_t *, wchar_t);
size_t wcscspn(const wchar_t *, const wchar_t *);
size_t wcsspn(const wchar_t *, const wchar_t *);
wchar_t *wcspbrk(const wchar_t *, const wchar_t *);
wchar_t *wcsstr(const wchar_t *__CR_RESTRICT, const wchar_t *__CR_RESTRICT);
wchar_t *wcstok(wchar_t *__CR_RESTRICT, const wchar_t *__CR_RESTRICT, wchar_t **__CR_RESTRICT);
size_t wcslen(const wchar_t *);
wchar_t *wmemchr(const wchar_t *, wchar_t, size_t);
int wmemcmp(const wchar_t *, const wchar_t *, size_t);
wchar_t *wmemcpy(wchar_t *__CR_RESTRICT, const wchar_t *__CR_RESTRICT, size_t);
wchar_t *wmemmove(wchar_t *, const wchar_t *, size_t);
wchar_t *wmemset(wchar_t *, wchar_t, size_t);

wint_t btowc(int);
int wctob(wint_t);
int mbsinit(const mbstate_t *);
size_t mbrtowc(wchar_t *__CR_RESTRICT, const char *__CR_RESTRICT, size_t, mbstate_t *__CR_RESTRICT);
size_t wcrtomb(char *__CR_RESTRICT, wchar_t, mbstate_t *__CR_RESTRICT);
size_t mbrlen(const char *__CR_RESTRICT, size_t, mbstate_t *__CR_RESTRICT);
size_t mbsrtowcs(wchar_t *__CR_RESTRICT, const char **__CR_RESTRICT, size_t, mbstate_t *__CR_RESTRICT);
size_t wcsrtombs(char *__CR_RESTRICT, const wchar_t **__CR_RESTRICT, size_t, mbstate_t *__CR_RESTRICT);

double wcstod(const wchar_t *__CR_RESTRICT, wchar_t **__CR_RESTRICT);
long double wcstold(const wchar_t *__CR_RESTRICT, wchar_t **__CR_RESTRICT);
size_t wcsftime(wchar_t *__CR_RESTRICT, size_t, const wchar_t *__CR_RESTRICT, const struct tm *__CR_RESTRICT);
float wcstof(const wchar_t *__CR_RESTRICT, wchar_t **__CR_RESTRICT);
long wcstol(const wchar_t *__CR_RESTRICT, wchar_t **__CR_RESTRICT, int);
unsigned long wcstoul(const wchar_t *__CR_RESTRICT, wchar_t **__CR_RESTRICT, int);
long long wcstoll(const wchar_t *__CR_RESTRICT, wchar_t **__CR_RESTRICT, int);
unsigned long long wcstoull(const wchar_t *__CR_RESTRICT, wchar_t **__CR_RESTRICT, int);

int fwide(FILE *, int);
int fwprintf(FILE *__CR_RESTRICT, const wchar_t *__CR_RESTRICT, ...);
int wprintf(const wchar_t *__CR_RESTRICT, ...);
int swprintf(wchar_t *__CR_RESTRICT, size_t, const wchar_t *__CR_RESTRICT, ...);
int vfwprintf(FILE *__CR_RESTRICT, const wchar_t *__CR_RESTRICT, __builtin_va_list);
int vwprintf(const wchar_t *__CR_RESTRICT, __builtin_va_list);
int vswprintf(wchar_t *__CR_RESTRICT, size_t, const wchar_t *__CR_RESTRICT, __builtin_va_list);
/* Exact for ASCII text (doc/LIBC.md). */
int swscanf(const wchar_t *__CR_RESTRICT, const wchar_t *__CR_RESTRICT, ...);
int vswscanf(const wchar_t *__CR_RESTRICT, const wchar_t *__CR_RESTRICT, __builtin_va_list);
int fwscanf(FILE *__CR_RESTRICT, const wchar_t *__CR_RESTRICT, ...);
int wscanf(const wchar_t *__CR_RESTRICT, ...);
int vfwscanf(FILE *__CR_RESTRICT, const wchar_t *__CR_RESTRICT, __builtin_va_list);
int vwscanf(const wchar_t *__CR_RESTRICT, __builtin_va_list);
wint_t fgetwc(FILE *);
wint_t getwc(FILE *);
wint_t getwchar(void);
wint_t fputwc(wchar_t, FILE *);
wint_t putwc(wchar_t, FILE *);
wint_t putwchar(wchar_t);
wchar_t *fgetws(wchar_t *__CR_RESTRICT, int, FILE *__CR_RESTRICT);
int fputws(const wchar_t *__CR_RESTRICT, FILE *__CR_RESTRICT);
wint_t ungetwc(wint_t, FILE *);
#ifdef __USE_GNU
/* The plain calls (one stream lock is as good as none here). */
wint_t getwc_unlocked(FILE *);
wint_t getwchar_unlocked(void);
wint_t fgetwc_unlocked(FILE *);
wint_t fputwc_unlocked(wchar_t, FILE *);
wint_t putwc_unlocked(wchar_t, FILE *);
wint_t putwchar_unlocked(wchar_t);
wchar_t *fgetws_unlocked(wchar_t *__CR_RESTRICT, int, FILE *__CR_RESTRICT);
int fputws_unlocked(const wchar_t *__CR_RESTRICT, FILE *__CR_RESTRICT);
#endif

#ifdef __USE_XOPEN2K8
FILE *open_wmemstream(wchar_t **, size_t *);
int wcscasecmp(const wchar_t *, const wchar_t *);
int wcsncasecmp(const wchar_t *, const wchar_t *, size_t);
wchar_t *wcsdup(const wchar_t *);
size_t wcsnlen(const wchar_t *, size_t);
wchar_t *wcpcpy(wchar_t *__CR_RESTRICT, const wchar_t *__CR_RESTRICT);
wchar_t *wcpncpy(wchar_t *__CR_RESTRICT, const wchar_t *__CR_RESTRICT, size_t);
size_t mbsnrtowcs(wchar_t *__CR_RESTRICT, const char **__CR_RESTRICT, size_t, size_t, mbstate_t *__CR_RESTRICT);
size_t wcsnrtombs(char *__CR_RESTRICT, const wchar_t **__CR_RESTRICT, size_t, size_t, mbstate_t *__CR_RESTRICT);
#ifndef __locale_t_defined
#define __locale_t_defined 1
typedef struct __locale_struct *locale_t;
#endif
int wcscasecmp_l(const wchar_t *, const wchar_t *, locale_t);
int wcsncasecmp_l(const wchar_t *, const wchar_t *, size_t, locale_t);
int wcscoll_l(const wchar_t *, const wchar_t *, locale_t);
size_t wcsxfrm_l(wchar_t *, const wchar_t *, size_t, locale_t);
#endif
#ifdef __USE_GNU
#ifndef __locale_t_defined
#define __locale_t_defined 1
typedef struct __locale_struct *locale_t;
#endif
long wcstol_l(const wchar_t *__CR_RESTRICT, wchar_t **__CR_RESTRICT, int, locale_t);
unsigned long wcstoul_l(const wchar_t *__CR_RESTRICT, wchar_t **__CR_RESTRICT, int, locale_t);
long long wcstoll_l(const wchar_t *__CR_RESTRICT, wchar_t **__CR_RESTRICT, int, locale_t);
unsigned long long wcstoull_l(const wchar_t *__CR_RESTRICT, wchar_t **__CR_RESTRICT, int, locale_t);
double wcstod_l(const wchar_t *__CR_RESTRICT, wchar_t **__CR_RESTRICT, locale_t);
float wcstof_l(const wchar_t *__CR_RESTRICT, wchar_t **__CR_RESTRICT, locale_t);
long double wcstold_l(const wchar_t *__CR_RESTRICT, wchar_t **__CR_RESTRICT, locale_t);
size_t wcsftime_l(wchar_t *__CR_RESTRICT, size_t, const wchar_t *__CR_RESTRICT, const struct tm *__CR_RESTRICT, locale_t);
#endif
#ifdef __USE_XOPEN
int wcwidth(wchar_t);
int wcswidth(const wchar_t *, size_t);
#endif
#ifdef __USE_GNU
wchar_t *wcschrnul(const wchar_t *, wchar_t);
wchar_t *wmempcpy(wchar_t *__CR_RESTRICT, const wchar_t *__CR_RESTRICT, size_t);
#endif
#endif
