#define _GNU_SOURCE
#include <sys/prctl.h>
#include <time.h>
#include "CPosixLib.h"
#include <stdlib.h>
#include <string.h>
#include <libgen.h>
#include <sys/auxv.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

int crossrun_lc_all_mask(void) { return LC_ALL_MASK; }
locale_t crossrun_global_locale(void) { return LC_GLOBAL_LOCALE; }
size_t crossrun_mb_cur_max(void) { return MB_CUR_MAX; }
unsigned long crossrun_getauxval(unsigned long type) { return getauxval(type); }
int crossrun_strverscmp(const char *a, const char *b) { return strverscmp(a, b); }
int crossrun_sched_getcpu(void) { return sched_getcpu(); }
int crossrun_sched_getaffinity(int pid, size_t size, void *mask) { return sched_getaffinity(pid, size, mask); }
int crossrun_sched_setaffinity(int pid, size_t size, const void *mask) { return sched_setaffinity(pid, size, mask); }
long crossrun_raw_sched_getaffinity(int pid, size_t size, void *mask) { return syscall(SYS_sched_getaffinity, pid, size, mask); }
long crossrun_ioprio_get(int which, int who) { return syscall(SYS_ioprio_get, which, who); }
long crossrun_ioprio_set(int which, int who, int priority) { return syscall(SYS_ioprio_set, which, who, priority); }
int crossrun_prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5) {
    return prctl(option, a2, a3, a4, a5);
}
char *crossrun_xpg_basename(char *path) { return __xpg_basename(path); }

static struct dirent *glob_readdir(void *dir) { return readdir((DIR *)dir); }
static void glob_closedir(void *dir) { closedir((DIR *)dir); }

int crossrun_glob(const char *pattern, int flags, int (*errfunc)(const char *, int), glob_t *result,
                  crossrun_glob_opendir opendir_fn, crossrun_glob_stat stat_fn, crossrun_glob_stat lstat_fn) {
    memset(result, 0, sizeof *result);
    result->gl_opendir = opendir_fn;
    result->gl_readdir = glob_readdir;
    result->gl_closedir = glob_closedir;
    result->gl_stat = stat_fn;
    result->gl_lstat = lstat_fn;
    return glob(pattern, flags | GLOB_ALTDIRFUNC, errfunc, result);
}
int crossrun_wcwidth(wchar_t c) { return wcwidth(c); }
int crossrun_wcswidth(const wchar_t *s, size_t n) { return wcswidth(s, n); }

size_t crossrun_wcsftime(wchar_t *out, size_t max, const wchar_t *format, const struct tm *tm) { return wcsftime(out, max, format, tm); }
FILE *crossrun_open_wmemstream(wchar_t **buffer, size_t *length) { return open_wmemstream(buffer, length); }
