// unistd.h, stdlib.h and string.h calls glibc declares only under _GNU_SOURCE (which Swift's Glibc module is not
// built with), wrapped in gnu_extras.c for LibcUnistdExt and LibcStdlibGNU.
#ifndef CROSSRUN_GNU_H
#define CROSSRUN_GNU_H
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
#endif
