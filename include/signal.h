#ifndef _SIGNAL_H
#define _SIGNAL_H
#include <features.h>
#include <_crossrun_types.h>
#include <_crossrun_pthread_types.h>   /* pthread_t, for pthread_kill (as glibc) */
typedef int sig_atomic_t;
typedef void (*__sighandler_t)(int);
typedef __sighandler_t sighandler_t;
#ifdef __USE_MISC
typedef __sighandler_t sig_t;   /* the BSD name (glibc: _DEFAULT_SOURCE) */
#endif
#ifndef __sigset_t_defined
#define __sigset_t_defined 1
typedef struct { unsigned long __val[16]; } sigset_t;
#endif
#define SIG_ERR ((__sighandler_t)-1)
#define SIG_DFL ((__sighandler_t)0)
#define SIG_IGN ((__sighandler_t)1)
#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGIOT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGSTKFLT 16
#define SIGURG 23
#define SIGXCPU 24
#define SIGXFSZ 25
#define SIGVTALRM 26
#define SIGPROF 27
#define SIGWINCH 28
#define SIGIO 29
#define SIGPOLL SIGIO
#define SIGPWR 30
#define SIGSYS 31
/* Linux's numbering is the same on x86-64, aarch64 and riscv64. glibc computes the
   real-time range at run time (it keeps two for itself); these are its usual values. */
#define SIGRTMIN 34
#define SIGRTMAX 64
#define NSIG 65
#define _NSIG 65
#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
#define SA_NOCLDSTOP 1
#define SA_SIGINFO 4
#define SA_ONSTACK 0x08000000
#define SA_RESTART 0x10000000
#define SA_NODEFER 0x40000000
#define SA_RESETHAND 0x80000000
/* stack_t's ss_flags (sigaltstack). */
#define SS_ONSTACK 1
#define SS_DISABLE 2
/* The smallest alternate signal stack (glibc's constants per architecture), and a usual size. */
#if defined(__aarch64__)
#define MINSIGSTKSZ 5120
#define SIGSTKSZ 16384
#else
#define MINSIGSTKSZ 2048
#define SIGSTKSZ 8192
#endif
union sigval { int sival_int; void *sival_ptr; };
typedef union sigval sigval_t;
/* glibc's siginfo_t of 64-bit Linux, the same on x86-64, aarch64 and riscv64 (128 bytes: signal,
   errno, code, then the union at offset 16). Emulated: waitid fills it from the host's; an
   SA_SIGINFO handler gets si_signo, si_code (SI_USER, SI_TKILL for raise) and the sender. */
typedef struct {
    int si_signo;
    int si_errno;
    int si_code;
    int __pad0;
    union {
        int _pad[28];
        struct { pid_t si_pid; uid_t si_uid; } _kill;
        struct { int si_tid; int si_overrun; union sigval si_sigval; } _timer;
        struct { pid_t si_pid; uid_t si_uid; union sigval si_sigval; } _rt;
        struct { pid_t si_pid; uid_t si_uid; int si_status; clock_t si_utime; clock_t si_stime; } _sigchld;
        struct {
            void *si_addr;
            short si_addr_lsb;
            union { struct { void *_lower; void *_upper; } _addr_bnd; unsigned int _pkey; } _bounds;
        } _sigfault;
        struct { long si_band; int si_fd; } _sigpoll;
        struct { void *_call_addr; int _syscall; unsigned int _arch; } _sigsys;
    } _sifields;
} siginfo_t;
#define si_pid _sifields._kill.si_pid
#define si_uid _sifields._kill.si_uid
#define si_timerid _sifields._timer.si_tid
#define si_overrun _sifields._timer.si_overrun
#define si_status _sifields._sigchld.si_status
#define si_utime _sifields._sigchld.si_utime
#define si_stime _sifields._sigchld.si_stime
#define si_value _sifields._rt.si_sigval
#define si_int _sifields._rt.si_sigval.sival_int
#define si_ptr _sifields._rt.si_sigval.sival_ptr
#define si_addr _sifields._sigfault.si_addr
#define si_addr_lsb _sifields._sigfault.si_addr_lsb
#define si_band _sifields._sigpoll.si_band
#define si_fd _sifields._sigpoll.si_fd
#define si_call_addr _sifields._sigsys._call_addr
#define si_syscall _sifields._sigsys._syscall
#define si_arch _sifields._sigsys._arch
/* si_code values. */
#define SI_ASYNCNL (-60)
#define SI_TKILL (-6)
#define SI_SIGIO (-5)
#define SI_ASYNCIO (-4)
#define SI_MESGQ (-3)
#define SI_TIMER (-2)
#define SI_QUEUE (-1)
#define SI_USER 0
#define SI_KERNEL 0x80
#define ILL_ILLOPC 1
#define ILL_ILLOPN 2
#define ILL_ILLADR 3
#define ILL_ILLTRP 4
#define ILL_PRVOPC 5
#define ILL_PRVREG 6
#define ILL_COPROC 7
#define ILL_BADSTK 8
#define FPE_INTDIV 1
#define FPE_INTOVF 2
#define FPE_FLTDIV 3
#define FPE_FLTOVF 4
#define FPE_FLTUND 5
#define FPE_FLTRES 6
#define FPE_FLTINV 7
#define FPE_FLTSUB 8
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define BUS_ADRALN 1
#define BUS_ADRERR 2
#define BUS_OBJERR 3
#define TRAP_BRKPT 1
#define TRAP_TRACE 2
#define CLD_EXITED 1
#define CLD_KILLED 2
#define CLD_DUMPED 3
#define CLD_TRAPPED 4
#define CLD_STOPPED 5
#define CLD_CONTINUED 6
#define POLL_IN 1
#define POLL_OUT 2
#define POLL_MSG 3
#define POLL_ERR 4
#define POLL_PRI 5
#define POLL_HUP 6
struct sigaction {
    union { __sighandler_t sa_handler; void (*sa_sigaction)(int, siginfo_t *, void *); } __sigaction_handler;
    sigset_t sa_mask;
    int sa_flags;
    void (*sa_restorer)(void);
};
#define sa_handler __sigaction_handler.sa_handler
#define sa_sigaction __sigaction_handler.sa_sigaction
/* How a POSIX timer (timer_create) notifies: glibc's 64-byte struct sigevent of 64-bit Linux. */
#define SIGEV_SIGNAL 0
#define SIGEV_NONE 1
#define SIGEV_THREAD 2
#define SIGEV_THREAD_ID 4
typedef struct sigevent {
    union sigval sigev_value;
    int sigev_signo;
    int sigev_notify;
    union {
        int _pad[12];
        pid_t _tid;
        struct { void (*_function)(union sigval); void *_attribute; } _sigev_thread;
    } _sigev_un;
} sigevent_t;
#define sigev_notify_function _sigev_un._sigev_thread._function
#define sigev_notify_attributes _sigev_un._sigev_thread._attribute
#define sigev_notify_thread_id _sigev_un._tid
__sighandler_t signal(int, __sighandler_t);
int raise(int);
int kill(pid_t, int);
int sigaction(int, const struct sigaction *__CR_RESTRICT, struct sigaction *__CR_RESTRICT);
int sigprocmask(int, const sigset_t *__CR_RESTRICT, sigset_t *__CR_RESTRICT);
/* The calling thread's mask (glibc declares it here, not in <pthread.h>). */
int pthread_sigmask(int, const sigset_t *__CR_RESTRICT, sigset_t *__CR_RESTRICT);
int sigemptyset(sigset_t *);
int sigfillset(sigset_t *);
int sigaddset(sigset_t *, int);
int sigdelset(sigset_t *, int);
int sigismember(const sigset_t *, int);
/* Takes a pending signal of the set (waiting for one), without running its handler. */
int sigwait(const sigset_t *__CR_RESTRICT, int *__CR_RESTRICT);
/* As sigwait, returning the signal (-1 and errno on failure) with its siginfo_t; sigtimedwait
   gives up after the timeout with EAGAIN. */
struct timespec;
int sigwaitinfo(const sigset_t *__CR_RESTRICT, siginfo_t *__CR_RESTRICT);
int sigtimedwait(const sigset_t *__CR_RESTRICT, siginfo_t *__CR_RESTRICT, const struct timespec *__CR_RESTRICT);
/* The signals raised while blocked and not yet delivered. */
int sigpending(sigset_t *);
/* Writes "S: description" (or just the description) and a newline to stderr. */
void psignal(int, const char *);
/* Waits for a signal with the mask replaced by the set; returns -1 (EINTR) after its handler. */
int sigsuspend(const sigset_t *);
/* kill with a value: an SA_SIGINFO handler sees si_code SI_QUEUE and si_value. */
int sigqueue(pid_t, int, const union sigval);
/* Handlers with SA_ONSTACK run on this stack (a stack overflow's SIGSEGV handler). */
#ifndef __stack_t_defined
#define __stack_t_defined 1
typedef struct { void *ss_sp; int ss_flags; __SIZE_TYPE__ ss_size; } stack_t;
#endif
int sigaltstack(const stack_t *__CR_RESTRICT, stack_t *__CR_RESTRICT);
/* kill(-pgrp, sig). */
int killpg(pid_t, int);
/* Sends a signal to one thread of the process (its handler runs on that thread). */
int pthread_kill(pthread_t, int);
#ifdef __USE_MISC
/* SVID names: ssignal is signal, gsignal is raise. */
__sighandler_t ssignal(int, __sighandler_t);
int gsignal(int);
/* BSD's masks of signals 1 to 32 in an int (bit N-1: signal N), obsolete but still in glibc:
   sigblock adds to the mask, sigsetmask replaces it (dropping signals above 32), both
   returning the old one; siggetmask returns it. */
#define sigmask(sig) ((int)(1u << ((sig) - 1)))
int sigblock(int);
int sigsetmask(int);
int siggetmask(void);
#endif
#ifdef __USE_XOPEN2K8
/* psignal's text plus where the signal came from, from a siginfo_t. */
void psiginfo(const siginfo_t *, const char *);
#endif
/* The BSD sigpause takes a one-word mask; the X/Open one (the name __xpg_sigpause, which
   glibc's header maps sigpause to) a signal to unblock while waiting; __sigpause is either. */
int __sigpause(int, int);
int __xpg_sigpause(int);
#ifdef __USE_XOPEN_EXTENDED
int sigpause(int) __asm__("__xpg_sigpause");
#endif
#if defined __USE_XOPEN_EXTENDED || defined __USE_MISC
/* Whether sig interrupts system calls (EINTR) instead of restarting them (SA_RESTART). */
int siginterrupt(int, int);
#endif
#ifdef __USE_MISC
/* The obsolete alternate-stack interface: ENOSYS in glibc. */
struct sigstack { void *ss_sp; int ss_onstack; };
int sigstack(struct sigstack *, struct sigstack *);
#endif
#ifdef __USE_XOPEN_EXTENDED
/* System V's simplified signal management. */
#define SIG_HOLD ((__sighandler_t)2)
int sighold(int);
int sigrelse(int);
int sigignore(int);
__sighandler_t sigset(int, __sighandler_t);
#endif
#ifdef __USE_GNU
/* sigqueue to one thread of this process. */
int pthread_sigqueue(pthread_t, int, const union sigval);
/* The signal to thread `tid` of process `tgid`. */
int tgkill(pid_t, pid_t, int);
int sigisemptyset(const sigset_t *);
int sigandset(sigset_t *, const sigset_t *, const sigset_t *);
int sigorset(sigset_t *, const sigset_t *, const sigset_t *);
#endif
#endif
