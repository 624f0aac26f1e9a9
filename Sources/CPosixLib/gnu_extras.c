#define _GNU_SOURCE 1
#include <fcntl.h>
#include <stdio_ext.h>
#include <sys/random.h>
#include <sys/sendfile.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <uchar.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "crossrun_gnu.h"

int crossrun_setresuid(unsigned r, unsigned e, unsigned s) { return setresuid(r, e, s); }
int crossrun_setresgid(unsigned r, unsigned e, unsigned s) { return setresgid(r, e, s); }
int crossrun_getresuid(unsigned *r, unsigned *e, unsigned *s) { return getresuid(r, e, s); }
int crossrun_getresgid(unsigned *r, unsigned *e, unsigned *s) { return getresgid(r, e, s); }
int crossrun_pipe2(int fds[2], int flags) { return pipe2(fds, flags); }
int crossrun_dup3(int from, int to, int flags) { return dup3(from, to, flags); }
int crossrun_syncfs(int fd) { return syncfs(fd); }
int crossrun_o_direct(void) { return O_DIRECT; }
int crossrun_mkostemps(char *template_, int suffixlen, int flags) { return mkostemps(template_, suffixlen, flags); }
const char *crossrun_strerrorname_np(int e) { return strerrorname_np(e); }
const char *crossrun_strerrordesc_np(int e) { return strerrordesc_np(e); }
const char *crossrun_sigabbrev_np(int s) { return sigabbrev_np(s); }
const char *crossrun_sigdescr_np(int s) { return sigdescr_np(s); }
long crossrun_getrandom(void *buffer, size_t length, unsigned flags) { return getrandom(buffer, length, flags); }
int crossrun_getentropy(void *buffer, size_t length) { return getentropy(buffer, length); }
_Static_assert(sizeof(struct sysinfo) == 112, "struct sysinfo is the LP64 guests' layout");
_Static_assert(sizeof(struct statfs) == 120, "struct statfs is the LP64 guests' layout");
int crossrun_sysinfo(void *out) { return sysinfo((struct sysinfo *)out); }
int crossrun_statfs(const char *path, void *out) { return statfs(path, (struct statfs *)out); }
int crossrun_fstatfs(int fd, void *out) { return fstatfs(fd, (struct statfs *)out); }
int crossrun_get_nprocs(void) { return get_nprocs(); }
int crossrun_get_nprocs_conf(void) { return get_nprocs_conf(); }
long crossrun_get_phys_pages(void) { return get_phys_pages(); }
long crossrun_get_avphys_pages(void) { return get_avphys_pages(); }
long crossrun_sendfile(int out, int in, long *offset, size_t count) { return sendfile(out, in, (off_t *)offset, count); }
size_t crossrun_fbufsize(FILE *f) { return __fbufsize(f); }
int crossrun_freading(FILE *f) { return __freading(f); }
int crossrun_fwriting(FILE *f) { return __fwriting(f); }
int crossrun_freadable(FILE *f) { return __freadable(f); }
int crossrun_fwritable(FILE *f) { return __fwritable(f); }
int crossrun_flbf(FILE *f) { return __flbf(f); }
void crossrun_fpurge(FILE *f) { __fpurge(f); }
size_t crossrun_fpending(FILE *f) { return __fpending(f); }
void crossrun_flushlbf(void) { _flushlbf(); }
int crossrun_fsetlocking(FILE *f, int type) { return __fsetlocking(f, type); }
size_t crossrun_mbrtoc16(unsigned short *out, const char *s, size_t n, void *state) {
    return mbrtoc16((char16_t *)out, s, n, (mbstate_t *)state);
}
size_t crossrun_c16rtomb(char *s, unsigned short c, void *state) { return c16rtomb(s, (char16_t)c, (mbstate_t *)state); }
_Static_assert(sizeof(struct drand48_data) == 24, "struct drand48_data is the LP64 guests' layout");
int crossrun_drand48_r(void *buffer, double *result) { return drand48_r(buffer, result); }
int crossrun_erand48_r(unsigned short xsubi[3], void *buffer, double *result) { return erand48_r(xsubi, buffer, result); }
int crossrun_lrand48_r(void *buffer, long *result) { return lrand48_r(buffer, result); }
int crossrun_nrand48_r(unsigned short xsubi[3], void *buffer, long *result) { return nrand48_r(xsubi, buffer, result); }
int crossrun_mrand48_r(void *buffer, long *result) { return mrand48_r(buffer, result); }
int crossrun_jrand48_r(unsigned short xsubi[3], void *buffer, long *result) { return jrand48_r(xsubi, buffer, result); }
int crossrun_srand48_r(long seed, void *buffer) { return srand48_r(seed, buffer); }
int crossrun_seed48_r(unsigned short seed16v[3], void *buffer) { return seed48_r(seed16v, buffer); }
int crossrun_lcong48_r(unsigned short param[7], void *buffer) { return lcong48_r(param, buffer); }
