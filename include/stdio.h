#ifndef _STDIO_H
#define _STDIO_H
#include <features.h>
#include <_crossrun_types.h>
#include <stdarg.h>

#ifndef __FILE_defined
#define __FILE_defined 1
typedef struct _IO_FILE FILE;
#endif
typedef struct { long __pos; struct { int __count; union { unsigned int __wch; char __wchb[4]; } __value; } __state; } fpos_t;

extern FILE *stdin;
extern FILE *stdout;
extern FILE *stderr;
#define stdin stdin
#define stdout stdout
#define stderr stderr

#define EOF (-1)
#define BUFSIZ 8192
#define FILENAME_MAX 4096
#define FOPEN_MAX 16
#define L_tmpnam 20
#define TMP_MAX 238328
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#if defined __USE_GNU && !defined SEEK_DATA
#define SEEK_DATA 3 /* lseek: the next data at or after the offset (glibc under _GNU_SOURCE) */
#define SEEK_HOLE 4 /* lseek: the next hole at or after the offset */
#endif
#define _IOFBF 0
#define _IOLBF 1
#define _IONBF 2

int printf(const char *__CR_RESTRICT, ...) __CR_PRINTF(1, 2);
int fprintf(FILE *__CR_RESTRICT, const char *__CR_RESTRICT, ...) __CR_PRINTF(2, 3);
int sprintf(char *__CR_RESTRICT, const char *__CR_RESTRICT, ...) __CR_PRINTF(2, 3);
int snprintf(char *__CR_RESTRICT, size_t, const char *__CR_RESTRICT, ...) __CR_PRINTF(3, 4);
int dprintf(int, const char *__CR_RESTRICT, ...) __CR_PRINTF(2, 3);
int vprintf(const char *__CR_RESTRICT, va_list) __CR_PRINTF(1, 0);
int vfprintf(FILE *__CR_RESTRICT, const char *__CR_RESTRICT, va_list) __CR_PRINTF(2, 0);
int vsprintf(char *__CR_RESTRICT, const char *__CR_RESTRICT, va_list) __CR_PRINTF(2, 0);
int vsnprintf(char *__CR_RESTRICT, size_t, const char *__CR_RESTRICT, va_list) __CR_PRINTF(3, 0);
int scanf(const char *__CR_RESTRICT, ...) __CR_SCANF(1, 2);
int fscanf(FILE *__CR_RESTRICT, const char *__CR_RESTRICT, ...) __CR_SCANF(2, 3);
int sscanf(const char *__CR_RESTRICT, const char *__CR_RESTRICT, ...) __CR_SCANF(2, 3);
int vscanf(const char *__CR_RESTRICT, va_list) __CR_SCANF(1, 0);
int vfscanf(FILE *__CR_RESTRICT, const char *__CR_RESTRICT, va_list) __CR_SCANF(2, 0);
int vsscanf(const char *__CR_RESTRICT, const char *__CR_RESTRICT, va_list) __CR_SCANF(2, 0);

FILE *fopen(const char *__CR_RESTRICT, const char *__CR_RESTRICT);
FILE *freopen(const char *__CR_RESTRICT, const char *__CR_RESTRICT, FILE *__CR_RESTRICT);
#if defined __USE_POSIX
FILE *fdopen(int, const char *);
#endif
FILE *tmpfile(void);
/* Run /bin/sh -c on the host (refused under --root). */
#if defined __USE_POSIX2
FILE *popen(const char *, const char *);
int pclose(FILE *);
#endif
char *tmpnam(char *);
int fclose(FILE *);
int fflush(FILE *);
void setbuf(FILE *__CR_RESTRICT, char *__CR_RESTRICT);
int setvbuf(FILE *__CR_RESTRICT, char *__CR_RESTRICT, int, size_t);
int fgetc(FILE *);
int getc(FILE *);
int getchar(void);
int ungetc(int, FILE *);
char *fgets(char *__CR_RESTRICT, int, FILE *__CR_RESTRICT);
int fputc(int, FILE *);
int putc(int, FILE *);
int putchar(int);
int fputs(const char *__CR_RESTRICT, FILE *__CR_RESTRICT);
int puts(const char *);
size_t fread(void *__CR_RESTRICT, size_t, size_t, FILE *__CR_RESTRICT);
size_t fwrite(const void *__CR_RESTRICT, size_t, size_t, FILE *__CR_RESTRICT);
int fgetpos(FILE *__CR_RESTRICT, fpos_t *__CR_RESTRICT);
int fsetpos(FILE *, const fpos_t *);
int fseek(FILE *, long, int);
long ftell(FILE *);
int fseeko(FILE *, off_t, int);
off_t ftello(FILE *);
void rewind(FILE *);
void clearerr(FILE *);
int feof(FILE *);
int ferror(FILE *);
#if defined __USE_POSIX
int fileno(FILE *);
#endif
void perror(const char *);
int remove(const char *);
int renameat(int, const char *, int, const char *);
#ifdef __USE_GNU
#define RENAME_NOREPLACE (1 << 0)
#define RENAME_EXCHANGE (1 << 1)
#define RENAME_WHITEOUT (1 << 2)
int renameat2(int, const char *, int, const char *, unsigned int);
#endif
int rename(const char *, const char *);
#if defined __USE_XOPEN2K8
ssize_t getline(char **__CR_RESTRICT, size_t *__CR_RESTRICT, FILE *__CR_RESTRICT);
ssize_t getdelim(char **__CR_RESTRICT, size_t *__CR_RESTRICT, int, FILE *__CR_RESTRICT);
#endif
/* posixlib: POSIX stream locking and unlocked I/O (a CrossRun program is single-threaded:
   the locks are free), memory streams. */
#ifdef __USE_POSIX199506
int getc_unlocked(FILE *);
int getchar_unlocked(void);
int putc_unlocked(int, FILE *);
int putchar_unlocked(int);
void flockfile(FILE *);
void funlockfile(FILE *);
int ftrylockfile(FILE *);
#endif
#ifdef __USE_MISC
int fgetc_unlocked(FILE *);
int fputc_unlocked(int, FILE *);
#endif
#ifdef __USE_XOPEN2K8
FILE *fmemopen(void *, size_t, const char *);
FILE *open_memstream(char **, size_t *);
#endif
/* end posixlib */
/* GNU and BSD additions (issue 14 point 8), under glibc's conditions. */
#ifdef __USE_GNU
int asprintf(char **__CR_RESTRICT, const char *__CR_RESTRICT, ...) __CR_PRINTF(2, 3);
int vasprintf(char **__CR_RESTRICT, const char *__CR_RESTRICT, va_list) __CR_PRINTF(2, 0);
char *fgets_unlocked(char *__CR_RESTRICT, int, FILE *__CR_RESTRICT);
int fputs_unlocked(const char *__CR_RESTRICT, FILE *__CR_RESTRICT);
#endif
#ifdef __USE_XOPEN2K8
int vdprintf(int, const char *__CR_RESTRICT, va_list) __CR_PRINTF(2, 0);
#endif
#ifdef __USE_MISC
void setbuffer(FILE *__CR_RESTRICT, char *__CR_RESTRICT, size_t);
void setlinebuf(FILE *);
void clearerr_unlocked(FILE *);
int feof_unlocked(FILE *);
int ferror_unlocked(FILE *);
int fileno_unlocked(FILE *);
int fflush_unlocked(FILE *);
size_t fread_unlocked(void *__CR_RESTRICT, size_t, size_t, FILE *__CR_RESTRICT);
size_t fwrite_unlocked(const void *__CR_RESTRICT, size_t, size_t, FILE *__CR_RESTRICT);
int getw(FILE *);
int putw(int, FILE *);
#endif
#ifdef __USE_GNU
/* A stream over the caller's functions (emulated: the host's stdio calls them as nested guest calls). */
typedef ssize_t cookie_read_function_t(void *, char *, size_t);
typedef ssize_t cookie_write_function_t(void *, const char *, size_t);
typedef int cookie_seek_function_t(void *, off_t *, int);
typedef int cookie_close_function_t(void *);
typedef struct {
    cookie_read_function_t *read;
    cookie_write_function_t *write;
    cookie_seek_function_t *seek;
    cookie_close_function_t *close;
} cookie_io_functions_t;
FILE *fopencookie(void *__CR_RESTRICT, const char *__CR_RESTRICT, cookie_io_functions_t);
#endif
#if defined __USE_MISC || defined __USE_XOPEN
/* A fresh name in DIR ($TMPDIR first, then DIR, P_tmpdir, /tmp), from malloc. */
char *tempnam(const char *, const char *);
#endif
#ifdef __USE_POSIX
#define L_ctermid 9
char *ctermid(char *);
#endif
/* The LFS64 names: off_t is already 64 bits, so they are the plain calls (and bind to them natively). */
#ifdef __USE_LARGEFILE64
#ifndef __off64_t_defined
#define __off64_t_defined 1
typedef off_t off64_t;
#endif
typedef fpos_t fpos64_t;
#define fopen64 fopen
#define freopen64 freopen
#define tmpfile64 tmpfile
#define fseeko64 fseeko
#define ftello64 ftello
#define fgetpos64 fgetpos
#define fsetpos64 fsetpos
#endif
#endif
