// The host glibc interfaces the POSIX library additions are served by: wide characters,
// locales, regex, glob, fnmatch, langinfo, scatter/gather I/O and the auxiliary vector
// (headers Swift's Glibc module does not cover), plus wrappers for what glibc declares only
// under _GNU_SOURCE or as macros.
#ifndef CROSSRUN_POSIXLIB_H
#define CROSSRUN_POSIXLIB_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <wchar.h>
#include <wctype.h>
#include <locale.h>
#include <langinfo.h>
#include <regex.h>
#include <glob.h>
#include <fnmatch.h>
#include <sys/uio.h>
#include <dirent.h>
#include <sys/stat.h>

/// LC_ALL_MASK and LC_GLOBAL_LOCALE (macros).
int crossrun_lc_all_mask(void);
locale_t crossrun_global_locale(void);
/// MB_CUR_MAX of the calling thread's locale.
size_t crossrun_mb_cur_max(void);
/// getauxval (sys/auxv.h).
unsigned long crossrun_getauxval(unsigned long type);
/// wcwidth/wcswidth (X/Open: declared under _XOPEN_SOURCE).
int crossrun_wcwidth(wchar_t c);
int crossrun_wcswidth(const wchar_t *s, size_t n);
/// GNU-only string functions.
int crossrun_strverscmp(const char *a, const char *b);
char *crossrun_xpg_basename(char *path);
/// sched.h's GNU CPU queries.
int crossrun_sched_getcpu(void);
int crossrun_sched_getaffinity(int pid, size_t size, void *mask);
/// The raw system call: the bytes of the mask the kernel wrote (glibc's wrapper returns 0).
long crossrun_raw_sched_getaffinity(int pid, size_t size, void *mask);
/// ioprio_get/ioprio_set (no glibc wrapper): the host's, with Linux's numbers.
long crossrun_ioprio_get(int which, int who);
long crossrun_ioprio_set(int which, int who, int priority);
/// sched_setaffinity (glibc declares it only under _GNU_SOURCE). 0 or -1 (errno).
int crossrun_sched_setaffinity(int pid, size_t size, const void *mask);
/// prctl with its four unsigned long arguments (Swift cannot call the variadic C function).
int crossrun_prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5);

/// glob with its directory access redirected: `opendir`, `stat` and `lstat` receive the names
/// glob builds (the guest's) and answer for them; readdir/closedir work on what opendir returned.
typedef void *(*crossrun_glob_opendir)(const char *);
typedef int (*crossrun_glob_stat)(const char *, struct stat *);
int crossrun_glob(const char *pattern, int flags, int (*errfunc)(const char *, int), glob_t *result,
                  crossrun_glob_opendir opendir_fn, crossrun_glob_stat stat_fn, crossrun_glob_stat lstat_fn);
struct tm;
/// wcsftime (Swift's Glibc module does not import it).
size_t crossrun_wcsftime(wchar_t *out, size_t max, const wchar_t *format, const struct tm *tm);
/// open_wmemstream (Swift's Glibc module does not import it).
FILE *crossrun_open_wmemstream(wchar_t **buffer, size_t *length);
#include "crossrun_gnu.h"
#include "crossrun_breadth.h"
#include "crossrun_timers.h"
#include "crossrun_unistd_gaps.h"
#include "crossrun_utmp.h"
#include "crossrun_fs_admin.h"
#endif
