#define _GNU_SOURCE 1
#include <fcntl.h>
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
