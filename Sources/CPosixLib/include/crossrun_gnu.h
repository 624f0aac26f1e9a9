// unistd.h, stdlib.h and string.h calls glibc declares only under _GNU_SOURCE (which Swift's Glibc module is not
// built with), wrapped in gnu_extras.c for LibcUnistdExt and LibcStdlibGNU.
#ifndef CROSSRUN_GNU_H
#define CROSSRUN_GNU_H
#include <stddef.h>
#include <stdio.h>
int crossrun_setresuid(unsigned r, unsigned e, unsigned s);
int crossrun_setresgid(unsigned r, unsigned e, unsigned s);
int crossrun_getresuid(unsigned *r, unsigned *e, unsigned *s);
int crossrun_getresgid(unsigned *r, unsigned *e, unsigned *s);
int crossrun_pipe2(int fds[2], int flags);
int crossrun_dup3(int from, int to, int flags);
int crossrun_syncfs(int fd);
/// The host's O_DIRECT (a pipe2 flag: "packet mode").
int crossrun_o_direct(void);
/// mkostemps (mkstemp with a suffix and open flags).
int crossrun_mkostemps(char *template_, int suffixlen, int flags);
/// strerrorname_np, strerrordesc_np, sigabbrev_np, sigdescr_np: NULL when unknown.
const char *crossrun_strerrorname_np(int e);
const char *crossrun_strerrordesc_np(int e);
const char *crossrun_sigabbrev_np(int s);
const char *crossrun_sigdescr_np(int s);
/// getrandom/getentropy (sys/random.h).
long crossrun_getrandom(void *buffer, size_t length, unsigned flags);
int crossrun_getentropy(void *buffer, size_t length);
/// sysinfo into a 112-byte struct sysinfo; statfs/fstatfs into a 120-byte struct statfs
/// (the x86-64 host's layouts, which are every LP64 guest's).
int crossrun_sysinfo(void *out);
int crossrun_statfs(const char *path, void *out);
int crossrun_fstatfs(int fd, void *out);
int crossrun_get_nprocs(void);
int crossrun_get_nprocs_conf(void);
long crossrun_get_phys_pages(void);
long crossrun_get_avphys_pages(void);
/// sendfile (sys/sendfile.h).
long crossrun_sendfile(int out, int in, long *offset, size_t count);
/// stdio_ext.h on a host stream.
size_t crossrun_fbufsize(FILE *f);
int crossrun_freading(FILE *f);
int crossrun_fwriting(FILE *f);
int crossrun_freadable(FILE *f);
int crossrun_fwritable(FILE *f);
int crossrun_flbf(FILE *f);
void crossrun_fpurge(FILE *f);
size_t crossrun_fpending(FILE *f);
void crossrun_flushlbf(void);
int crossrun_fsetlocking(FILE *f, int type);
/// The reentrant drand48 family over a 24-byte struct drand48_data (one LP64 layout).
int crossrun_drand48_r(void *buffer, double *result);
int crossrun_erand48_r(unsigned short xsubi[3], void *buffer, double *result);
int crossrun_lrand48_r(void *buffer, long *result);
int crossrun_nrand48_r(unsigned short xsubi[3], void *buffer, long *result);
int crossrun_mrand48_r(void *buffer, long *result);
int crossrun_jrand48_r(unsigned short xsubi[3], void *buffer, long *result);
int crossrun_srand48_r(long seed, void *buffer);
int crossrun_seed48_r(unsigned short seed16v[3], void *buffer);
int crossrun_lcong48_r(unsigned short param[7], void *buffer);
/// mbrtoc16/c16rtomb (uchar.h) with the state as glibc's mbstate_t.
size_t crossrun_mbrtoc16(unsigned short *out, const char *s, size_t n, void *state);
size_t crossrun_c16rtomb(char *s, unsigned short c, void *state);
#endif
