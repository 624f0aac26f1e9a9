#ifndef _STRING_H
#define _STRING_H
#include <features.h>
#include <_crossrun_types.h>

void *memcpy(void *__CR_RESTRICT, const void *__CR_RESTRICT, size_t);
void *memmove(void *, const void *, size_t);
void *memset(void *, int, size_t);
int memcmp(const void *, const void *, size_t);
void *memchr(const void *, int, size_t);
char *strcpy(char *__CR_RESTRICT, const char *__CR_RESTRICT);
char *strncpy(char *__CR_RESTRICT, const char *__CR_RESTRICT, size_t);
#ifdef __USE_XOPEN2K8
char *stpcpy(char *__CR_RESTRICT, const char *__CR_RESTRICT);
#endif
char *strcat(char *__CR_RESTRICT, const char *__CR_RESTRICT);
char *strncat(char *__CR_RESTRICT, const char *__CR_RESTRICT, size_t);
int strcmp(const char *, const char *);
int strncmp(const char *, const char *, size_t);
int strcoll(const char *, const char *);
size_t strxfrm(char *__CR_RESTRICT, const char *__CR_RESTRICT, size_t);
char *strchr(const char *, int);
char *strrchr(const char *, int);
size_t strspn(const char *, const char *);
size_t strcspn(const char *, const char *);
char *strpbrk(const char *, const char *);
char *strstr(const char *, const char *);
char *strtok(char *__CR_RESTRICT, const char *__CR_RESTRICT);
#ifdef __USE_POSIX
char *strtok_r(char *__CR_RESTRICT, const char *__CR_RESTRICT, char **__CR_RESTRICT);
#endif
size_t strlen(const char *);
#ifdef __USE_XOPEN2K8
size_t strnlen(const char *, size_t);
#endif
char *strerror(int);
/* The POSIX and BSD names, declared under glibc's conditions (a strict ISO C program may use them itself). */
#if defined __USE_XOPEN_EXTENDED || defined __USE_XOPEN2K8
char *strdup(const char *);
#endif
#ifdef __USE_XOPEN2K8
char *strndup(const char *, size_t);
char *strsignal(int);
#endif
#ifdef __USE_MISC
#include <strings.h>
#endif
/* posixlib: POSIX.1-2008, BSD and GNU additions, declared under glibc's conditions. */
#ifdef __USE_XOPEN2K8
char *stpncpy(char *__CR_RESTRICT, const char *__CR_RESTRICT, size_t);
#endif
#ifdef __USE_XOPEN2K8
#ifndef __locale_t_defined
#define __locale_t_defined 1
typedef struct __locale_struct *locale_t;
#endif
int strcoll_l(const char *, const char *, locale_t);
size_t strxfrm_l(char *__CR_RESTRICT, const char *__CR_RESTRICT, size_t, locale_t);
char *strerror_l(int, locale_t);
#endif
#ifdef __USE_MISC
char *strsep(char **__CR_RESTRICT, const char *__CR_RESTRICT);
void explicit_bzero(void *, size_t);
#endif
#ifdef __USE_GNU
void *memmem(const void *, size_t, const void *, size_t);
void *memrchr(const void *, int, size_t);
void *mempcpy(void *__CR_RESTRICT, const void *__CR_RESTRICT, size_t);
void *rawmemchr(const void *, int);
char *strchrnul(const char *, int);
char *strcasestr(const char *, const char *);
int strverscmp(const char *, const char *);
#endif
/* strerror_r: the XSI form (an int) unless _GNU_SOURCE asks for GNU's (a string), as glibc. */
int __xpg_strerror_r(int, char *, size_t);
#if defined __USE_XOPEN2K && !defined __USE_GNU
#define strerror_r __xpg_strerror_r
#elif defined __USE_GNU
char *strerror_r(int, char *, size_t);
#endif
#if defined __USE_GNU && !defined basename
/* GNU basename (not the one <libgen.h> selects): never modifies its argument. */
char *basename(const char *);
#endif
/* end posixlib */
/* GNU/BSD additions real programs use (issue 14 point 8), under glibc's conditions. */
#if defined __USE_MISC || defined __USE_XOPEN
void *memccpy(void *__CR_RESTRICT, const void *__CR_RESTRICT, int, size_t);
#endif
#ifdef __USE_GNU
/* Names and descriptions from glibc's tables ("EINVAL", "Invalid argument"; "INT",
   "Interrupt"); NULL for an unknown number. */
const char *strerrorname_np(int);
const char *strerrordesc_np(int);
const char *sigabbrev_np(int);
const char *sigdescr_np(int);
#endif
#endif
