#ifndef _SYS_WAIT_H
#define _SYS_WAIT_H
#include <_crossrun_types.h>
#include <signal.h>
#include <features.h>
/* Linux's status encoding, the same on every target: exit status in bits 8-15, the
   terminating signal in bits 0-6, 0x80 a core dump, 0x7f in the low byte a stopped child. */
#define WEXITSTATUS(s) (((s) & 0xff00) >> 8)
#define WTERMSIG(s) ((s) & 0x7f)
#define WSTOPSIG(s) WEXITSTATUS(s)
#define WIFEXITED(s) (WTERMSIG(s) == 0)
#define WIFSIGNALED(s) (((signed char)(((s) & 0x7f) + 1) >> 1) > 0)
#define WIFSTOPPED(s) (((s) & 0xff) == 0x7f)
#define WIFCONTINUED(s) ((s) == 0xffff)
#define WCOREDUMP(s) ((s) & 0x80)
#define W_EXITCODE(ret, sig) ((ret) << 8 | (sig))
#define W_STOPCODE(sig) ((sig) << 8 | 0x7f)
#define WCOREFLAG 0x80
#define WNOHANG 1
#define WUNTRACED 2
#define WSTOPPED 2
#define WEXITED 4
#define WCONTINUED 8
#define WNOWAIT 0x01000000
pid_t wait(int *);
pid_t waitpid(pid_t, int *, int);
/* waitid's id kinds (Linux's: P_PIDFD takes a pidfd). */
typedef enum { P_ALL, P_PID, P_PGID, P_PIDFD } idtype_t;
int waitid(idtype_t, id_t, siginfo_t *, int);
#ifdef __USE_MISC
#include <features.h>
struct rusage;
pid_t wait3(int *, int, struct rusage *);
pid_t wait4(pid_t, int *, int, struct rusage *);
#endif
#endif
