#ifndef _STDLIB_H
#define _STDLIB_H
#include <features.h>
#include <_crossrun_types.h>

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1
#define RAND_MAX 2147483647
/* The LC_CTYPE locale's longest character: 1 in "C", 6 in "C.UTF-8". */
size_t __ctype_get_mb_cur_max(void);
#define MB_CUR_MAX (__ctype_get_mb_cur_max())

typedef struct { int quot; int rem; } div_t;
typedef struct { long quot; long rem; } ldiv_t;
typedef struct { long long quot; long long rem; } lldiv_t;

void *malloc(size_t);
void *calloc(size_t, size_t);
void *realloc(void *, size_t);
void free(void *);
#ifdef __USE_ISOC11
void *aligned_alloc(size_t, size_t);
#endif
#ifdef __USE_XOPEN2K
int posix_memalign(void **, size_t, size_t);
#endif

__CR_NORETURN void abort(void);
__CR_NORETURN void exit(int);
__CR_NORETURN void _Exit(int);
__CR_NORETURN void quick_exit(int);
int atexit(void (*)(void));
int at_quick_exit(void (*)(void));

char *getenv(const char *);
#ifdef __USE_XOPEN2K
int setenv(const char *, const char *, int);
int unsetenv(const char *);
#endif
#if defined __USE_MISC || defined __USE_XOPEN
int putenv(char *);
#endif
#ifdef __USE_MISC
int clearenv(void);
#endif
int system(const char *);

int atoi(const char *);
long atol(const char *);
long long atoll(const char *);
double atof(const char *);
long strtol(const char *__CR_RESTRICT, char **__CR_RESTRICT, int);
long long strtoll(const char *__CR_RESTRICT, char **__CR_RESTRICT, int);
unsigned long strtoul(const char *__CR_RESTRICT, char **__CR_RESTRICT, int);
unsigned long long strtoull(const char *__CR_RESTRICT, char **__CR_RESTRICT, int);
double strtod(const char *__CR_RESTRICT, char **__CR_RESTRICT);
float strtof(const char *__CR_RESTRICT, char **__CR_RESTRICT);
long double strtold(const char *__CR_RESTRICT, char **__CR_RESTRICT);

int rand(void);
void srand(unsigned int);
#if defined __USE_MISC || defined __USE_XOPEN_EXTENDED
long random(void);
void srandom(unsigned int);
#endif
#if defined __USE_MISC || defined __USE_XOPEN_EXTENDED
char *initstate(unsigned int, char *, size_t);
char *setstate(char *);
#endif

void qsort(void *, size_t, size_t, int (*)(const void *, const void *));
void *bsearch(const void *, const void *, size_t, size_t, int (*)(const void *, const void *));

int abs(int);
long labs(long);
long long llabs(long long);
div_t div(int, int);
ldiv_t ldiv(long, long);
lldiv_t lldiv(long long, long long);

int mblen(const char *, size_t);
int mbtowc(wchar_t *__CR_RESTRICT, const char *__CR_RESTRICT, size_t);
int wctomb(char *, wchar_t);
size_t mbstowcs(wchar_t *__CR_RESTRICT, const char *__CR_RESTRICT, size_t);
size_t wcstombs(char *__CR_RESTRICT, const wchar_t *__CR_RESTRICT, size_t);

#if defined __USE_XOPEN_EXTENDED || defined __USE_XOPEN2K8
int mkstemp(char *);
#endif
#if defined __USE_XOPEN_EXTENDED || defined __USE_MISC
char *realpath(const char *__CR_RESTRICT, char *__CR_RESTRICT);
#endif
/* posixlib: POSIX, BSD and GNU additions, declared under glibc's conditions. */
#ifdef __USE_MISC
/* As glibc: <sys/types.h> (and through it fd_set) and <alloca.h> come with <stdlib.h>. */
#include <sys/types.h>
#include <alloca.h>
void *reallocarray(void *, size_t, size_t);
#endif
#if defined __USE_MISC || defined __USE_XOPEN
void srand48(long);
double drand48(void);
double erand48(unsigned short[3]);
long lrand48(void);
long nrand48(unsigned short[3]);
long mrand48(void);
long jrand48(unsigned short[3]);
unsigned short *seed48(unsigned short[3]);
void lcong48(unsigned short[7]);
#endif
#ifdef __USE_MISC
unsigned int arc4random(void);
void arc4random_buf(void *, size_t);
unsigned int arc4random_uniform(unsigned int);
#endif
#ifdef __USE_XOPEN2K8
char *mkdtemp(char *);
#endif
#ifdef __USE_GNU
#ifndef __locale_t_defined
#define __locale_t_defined 1
typedef struct __locale_struct *locale_t;
#endif
double strtod_l(const char *__CR_RESTRICT, char **__CR_RESTRICT, locale_t);
long double strtold_l(const char *__CR_RESTRICT, char **__CR_RESTRICT, locale_t);
float strtof_l(const char *__CR_RESTRICT, char **__CR_RESTRICT, locale_t);
long strtol_l(const char *__CR_RESTRICT, char **__CR_RESTRICT, int, locale_t);
unsigned long strtoul_l(const char *__CR_RESTRICT, char **__CR_RESTRICT, int, locale_t);
long long strtoll_l(const char *__CR_RESTRICT, char **__CR_RESTRICT, int, locale_t);
unsigned long long strtoull_l(const char *__CR_RESTRICT, char **__CR_RESTRICT, int, locale_t);
void qsort_r(void *, size_t, size_t, int (*)(const void *, const void *, void *), void *);
char *secure_getenv(const char *);
#endif
/* end posixlib */
/* GNU/BSD additions real programs use (issue 14 point 8), under glibc's conditions. */
#ifdef __USE_POSIX
int rand_r(unsigned int *);
#endif
#if defined __USE_MISC || (defined __USE_XOPEN_EXTENDED && !defined __USE_XOPEN2K8)
char *mktemp(char *);
#endif
#if defined __USE_MISC || defined __USE_XOPEN_EXTENDED
long a64l(const char *);
char *l64a(long);
void *valloc(size_t);
char *ecvt(double, int, int *__CR_RESTRICT, int *__CR_RESTRICT);
char *fcvt(double, int, int *__CR_RESTRICT, int *__CR_RESTRICT);
char *gcvt(double, int, char *);
#endif
#if defined __USE_XOPEN_EXTENDED || defined __USE_XOPEN2K8
int getsubopt(char **__CR_RESTRICT, char *const *__CR_RESTRICT, char **__CR_RESTRICT);
#endif
#ifdef __USE_MISC
/* The reentrant drand48 family: the generator's state in the caller's struct. */
struct drand48_data {
    unsigned short __x[3];
    unsigned short __old_x[3];
    unsigned short __c;
    unsigned short __init;
    unsigned long long __a;
};
int drand48_r(struct drand48_data *__CR_RESTRICT, double *__CR_RESTRICT);
int erand48_r(unsigned short[3], struct drand48_data *__CR_RESTRICT, double *__CR_RESTRICT);
int lrand48_r(struct drand48_data *__CR_RESTRICT, long *__CR_RESTRICT);
int nrand48_r(unsigned short[3], struct drand48_data *__CR_RESTRICT, long *__CR_RESTRICT);
int mrand48_r(struct drand48_data *__CR_RESTRICT, long *__CR_RESTRICT);
int jrand48_r(unsigned short[3], struct drand48_data *__CR_RESTRICT, long *__CR_RESTRICT);
int srand48_r(long, struct drand48_data *);
int seed48_r(unsigned short[3], struct drand48_data *);
int lcong48_r(unsigned short[7], struct drand48_data *);
int mkstemps(char *, int);
int getloadavg(double[], int);
int rpmatch(const char *);
long long strtoq(const char *__CR_RESTRICT, char **__CR_RESTRICT, int);
unsigned long long strtouq(const char *__CR_RESTRICT, char **__CR_RESTRICT, int);
#endif
#ifdef __USE_MISC
/* Called at exit with the exit status and the argument, in reverse order of registration with atexit's. */
int on_exit(void (*)(int, void *), void *);
/* random's generator on the caller's state (glibc's layout). */
struct random_data {
    int *fptr;
    int *rptr;
    int *state;
    int rand_type;
    int rand_deg;
    int rand_sep;
    int *end_ptr;
};
int random_r(struct random_data *__CR_RESTRICT, int *__CR_RESTRICT);
int srandom_r(unsigned int, struct random_data *);
int initstate_r(unsigned int, char *__CR_RESTRICT, size_t, struct random_data *__CR_RESTRICT);
int setstate_r(char *__CR_RESTRICT, struct random_data *__CR_RESTRICT);
#endif
#if defined __USE_XOPEN2K || defined __USE_XOPEN_EXTENDED
/* The master side of a new pseudo-terminal, and its slave's permissions, lock and name. */
int posix_openpt(int);
int grantpt(int);
int unlockpt(int);
char *ptsname(int);
#endif
#ifdef __USE_GNU
int ptsname_r(int, char *, size_t);
int getpt(void);
#endif
#ifdef __USE_GNU
/* C23's strfrom: snprintf with a format of only %[.prec]{a,A,e,E,f,F,g,G}. */
int strfromd(char *__CR_RESTRICT, size_t, const char *__CR_RESTRICT, double);
int strfromf(char *__CR_RESTRICT, size_t, const char *__CR_RESTRICT, float);
int strfroml(char *__CR_RESTRICT, size_t, const char *__CR_RESTRICT, long double);
#endif
#ifdef __USE_GNU
int mkostemp(char *, int);
int mkostemps(char *, int, int);
char *canonicalize_file_name(const char *);
#endif
#ifdef __USE_LARGEFILE64
#define mkstemp64 mkstemp
#define mkstemps64 mkstemps
#define mkostemp64 mkostemp
#define mkostemps64 mkostemps
#endif
#endif
