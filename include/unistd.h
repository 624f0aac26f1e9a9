#ifndef _UNISTD_H
#define _UNISTD_H
#include <_crossrun_types.h>
/* posixlib: the POSIX/X/Open versions and options glibc 2.36 announces (only options the
   runtime really provides: no _POSIX_THREADS). */
#include <features.h>
#ifdef __USE_XOPEN2K8
#define _POSIX_VERSION 200809L
#define _POSIX2_VERSION 200809L
#define _XOPEN_VERSION 700
#elif defined __USE_XOPEN2K
#define _POSIX_VERSION 200112L
#define _POSIX2_VERSION 200112L
#define _XOPEN_VERSION 600
#else
#define _POSIX_VERSION 199506L
#define _POSIX2_VERSION 199209L
#define _XOPEN_VERSION 500
#endif
#define _POSIX2_C_VERSION _POSIX2_VERSION
#define _POSIX2_C_BIND _POSIX2_VERSION
#define _XOPEN_XCU_VERSION 4
#define _XOPEN_XPG2 1
#define _XOPEN_XPG3 1
#define _XOPEN_XPG4 1
#define _XOPEN_UNIX 1
#define _POSIX_JOB_CONTROL 1
#define _POSIX_SAVED_IDS 1
#define _POSIX_NO_TRUNC 1
#define _POSIX_VDISABLE '\0'
#define _POSIX_REGEXP 1
#define _POSIX_TIMERS 200809L
#define _POSIX_MONOTONIC_CLOCK 0
#define _POSIX_CPUTIME 0
/* end posixlib */
#define STDIN_FILENO 0
#define STDOUT_FILENO 1
#define STDERR_FILENO 2
#define F_OK 0
#define X_OK 1
#define W_OK 2
#define R_OK 4
#ifndef SEEK_SET
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#endif
#if defined __USE_GNU && !defined SEEK_DATA
#define SEEK_DATA 3
#define SEEK_HOLE 4
#endif
#if defined __USE_MISC && !defined L_SET
#define L_SET SEEK_SET /* the old BSD names */
#define L_INCR SEEK_CUR
#define L_XTND SEEK_END
#endif
#define _SC_CLK_TCK 2
#define _SC_OPEN_MAX 4
#define _SC_PAGESIZE 30
#define _SC_PAGE_SIZE _SC_PAGESIZE
#define _SC_NPROCESSORS_CONF 83
#define _SC_NPROCESSORS_ONLN 84
ssize_t read(int, void *, size_t);
ssize_t write(int, const void *, size_t);
int close(int);
off_t lseek(int, off_t, int);
int access(const char *, int);
int unlink(const char *);
int rmdir(const char *);
char *getcwd(char *, size_t);
int chdir(const char *);
#if defined __USE_XOPEN_EXTENDED || defined __USE_XOPEN2K8
/* Emulated: the guest's directory becomes the descriptor's (inside --root only). */
int fchdir(int);
#endif
pid_t getpid(void);
/* SIGALRM after the time given (emulated: delivered to a guest handler at the next library call). */
unsigned int alarm(unsigned int);
#if defined __USE_MISC || (defined __USE_XOPEN_EXTENDED && !defined __USE_XOPEN2K8)
unsigned int ualarm(unsigned int, unsigned int);
#endif
pid_t getppid(void);
/* Process groups and sessions: the host's (an emulated program is its CrossRun process). */
pid_t getpgrp(void);
/* The foreground process group of the terminal on the descriptor (job-control shells). */
pid_t tcgetpgrp(int);
int tcsetpgrp(int, pid_t);
pid_t getpgid(pid_t);
int setpgid(pid_t, pid_t);
pid_t getsid(pid_t);
pid_t setsid(void);
/* Waits for a signal (emulated: a handled one from outside runs the guest's handler and
   pause returns -1 with EINTR; other guest threads do not run meanwhile). */
int pause(void);
/* Emulated: the CrossRun process forks, engine and all. */
pid_t fork(void);
/* Emulated as fork (the child gets a copy, as POSIX allows). */
pid_t vfork(void);
/* Replace the process with a host program (it runs natively; refused under --root). */
int execve(const char *, char *const[], char *const[]);
int execv(const char *, char *const[]);
int execvp(const char *, char *const[]);
int execl(const char *, const char *, ...);
int execle(const char *, const char *, ...);
int execlp(const char *, const char *, ...);
int isatty(int);
unsigned int sleep(unsigned int);
int usleep(unsigned int);
int dup(int);
int dup2(int, int);
int pipe(int[2]);
__CR_NORETURN void _exit(int);
long sysconf(int);
int getopt(int, char *const[], const char *);
/* Files, identity, terminals and configuration (issue 14). */
#define _SC_ARG_MAX 0
#define _SC_CHILD_MAX 1
#define _SC_NGROUPS_MAX 3
#define _SC_STREAM_MAX 5
#define _SC_TZNAME_MAX 6
#define _SC_VERSION 29
#define _SC_RTSIG_MAX 31
#define _SC_LINE_MAX 43
#define _SC_IOV_MAX 60
#define _SC_GETGR_R_SIZE_MAX 69
#define _SC_GETPW_R_SIZE_MAX 70
#define _SC_LOGIN_NAME_MAX 71
#define _SC_TTY_NAME_MAX 72
#define _SC_PHYS_PAGES 85
#define _SC_AVPHYS_PAGES 86
#define _SC_XOPEN_VERSION 89
#define _SC_SYMLOOP_MAX 173
#define _SC_HOST_NAME_MAX 180
#define _PC_LINK_MAX 0
#define _PC_MAX_CANON 1
#define _PC_MAX_INPUT 2
#define _PC_NAME_MAX 3
#define _PC_PATH_MAX 4
#define _PC_PIPE_BUF 5
ssize_t pread(int, void *, size_t, off_t);
ssize_t pwrite(int, const void *, size_t, off_t);
int faccessat(int, const char *, int, int);
int unlinkat(int, const char *, int);
ssize_t readlinkat(int, const char *__CR_RESTRICT, char *__CR_RESTRICT, size_t);
int symlinkat(const char *, int, const char *);
int linkat(int, const char *, int, const char *, int);
int fchownat(int, const char *, uid_t, gid_t, int);
#if defined __USE_MISC || (defined __USE_XOPEN && !defined __USE_XOPEN2K)
/* Emulated, only the guest's view of paths moves (see doc/ISOLATION.md); root only. */
int chroot(const char *);
#endif
#ifdef __USE_MISC
/* Closes every descriptor from the given one up (emulated: CrossRun's own stay open). */
void closefrom(int);
#endif
#ifdef __USE_GNU
#define CLOSE_RANGE_UNSHARE (1U << 1)
#define CLOSE_RANGE_CLOEXEC (1U << 2)
int close_range(unsigned int, unsigned int, int);
#endif
#ifdef __USE_MISC
/* Guest code (runtime/daemon.c): fork, the parent exits, setsid, chdir("/"), stdio to /dev/null. */
int daemon(int, int);
/* Emulated, EPERM: a guest does not rename the host. */
int sethostname(const char *, size_t);
#endif
int fsync(int);
int fdatasync(int);
int ftruncate(int, off_t);
int truncate(const char *, off_t);
ssize_t readlink(const char *__CR_RESTRICT, char *__CR_RESTRICT, size_t);
int symlink(const char *, const char *);
int link(const char *, const char *);
int chown(const char *, uid_t, gid_t);
int fchown(int, uid_t, gid_t);
int lchown(const char *, uid_t, gid_t);
uid_t getuid(void);
uid_t geteuid(void);
gid_t getgid(void);
gid_t getegid(void);
char *ttyname(int);
int ttyname_r(int, char *, size_t);
int gethostname(char *, size_t);
long pathconf(const char *, int);
long fpathconf(int, int);
extern char *optarg;
extern int optind, opterr, optopt;
/* The environment vector: __environ always, environ under _GNU_SOURCE, as glibc has them. */
extern char **__environ;
#ifdef __USE_GNU
extern char **environ;
#endif
/* Identity, descriptors and system interfaces real programs use (issue 14 point 8), under
   glibc's conditions. Ids are the host process's (the one running the guest), as natively. */
int setuid(uid_t);
int setgid(gid_t);
int getgroups(int, gid_t[]);
char *getlogin(void);
#ifdef __USE_GNU
int euidaccess(const char *, int);
int eaccess(const char *, int);
#endif
#ifdef __USE_XOPEN2K
int seteuid(uid_t);
int setegid(gid_t);
#endif
#if defined __USE_MISC || defined __USE_XOPEN_EXTENDED
int setreuid(uid_t, uid_t);
int setregid(gid_t, gid_t);
void sync(void);
#define F_ULOCK 0
#define F_LOCK 1
#define F_TLOCK 2
#define F_TEST 3
int lockf(int, int, off_t);
#endif
#if defined __USE_MISC || defined __USE_XOPEN
int nice(int);
#endif
#ifdef __USE_POSIX199506
int getlogin_r(char *, size_t);
#endif
#ifdef __USE_POSIX2
#define _CS_PATH 0
#define _CS_GNU_LIBC_VERSION 2
#define _CS_GNU_LIBPTHREAD_VERSION 3
size_t confstr(int, char *, size_t);
#endif
#ifdef __USE_MISC
/* At most 256 bytes (EIO beyond); under --deterministic the fixed stream. */
int getentropy(void *, size_t);
/* System call N (<sys/syscall.h>) with up to six argument words: the kernel natively, the
   emulator's shims emulated (ENOSYS for the others). */
long syscall(long, ...);
int getpagesize(void);
int getdtablesize(void);
char *getusershell(void);
void setusershell(void);
void endusershell(void);
#endif
#ifdef __USE_GNU
int setresuid(uid_t, uid_t, uid_t);
int setresgid(gid_t, gid_t, gid_t);
int getresuid(uid_t *, uid_t *, uid_t *);
int getresgid(gid_t *, gid_t *, gid_t *);
int pipe2(int[2], int);
int dup3(int, int, int);
int syncfs(int);
/* The calling thread's id (the process id in the main thread). */
pid_t gettid(void);
int execvpe(const char *, char *const[], char *const[]);
/* Copies between descriptors in the kernel (offsets are updated when given). */
ssize_t copy_file_range(int, off_t *, int, off_t *, size_t, unsigned int);
#endif
#if defined(__USE_MISC) || defined(__USE_XOPEN)
/* Swaps each pair of bytes (an odd last byte is left alone). */
void swab(const void *__CR_RESTRICT, void *__CR_RESTRICT, ssize_t);
#endif
#ifdef __USE_MISC
/* The current directory into a PATH_MAX buffer (obsolete: getcwd). */
char *getwd(char *);
/* Prompts on /dev/tty (else stderr) and reads a line without echo (from /dev/tty, else stdin). */
char *getpass(const char *);
#endif
/* The LFS64 names: off_t is already 64 bits, so they are the plain calls (and bind to them natively). */
#ifdef __USE_LARGEFILE64
#ifndef __off64_t_defined
#define __off64_t_defined 1
typedef off_t off64_t;
#endif
#define lseek64 lseek
#define pread64 pread
#define pwrite64 pwrite
#define ftruncate64 ftruncate
#define truncate64 truncate
#define lockf64 lockf
#endif
#endif
