/* Login records (glibc's struct utmp) and login_tty. Emulated: the host's utmp functions on
   the host's files (under --root, only files the program names inside the root: the default
   database is empty there). */
#ifndef _UTMP_H
#define _UTMP_H 1
#include <features.h>
#include <_crossrun_types.h>
#include <stdint.h>

#define UT_LINESIZE 32
#define UT_NAMESIZE 32
#define UT_HOSTSIZE 256
#define EMPTY 0
#define RUN_LVL 1
#define BOOT_TIME 2
#define NEW_TIME 3
#define OLD_TIME 4
#define INIT_PROCESS 5
#define LOGIN_PROCESS 6
#define USER_PROCESS 7
#define DEAD_PROCESS 8
#define ACCOUNTING 9
#define _PATH_UTMP "/var/run/utmp"
#define _PATH_WTMP "/var/log/wtmp"
#define UTMP_FILE _PATH_UTMP
#define UTMP_FILENAME _PATH_UTMP
#define WTMP_FILE _PATH_WTMP
#define WTMP_FILENAME _PATH_WTMP

struct lastlog {
#if defined(__aarch64__)
    time_t ll_time;
#else
    int32_t ll_time;
#endif
    char ll_line[UT_LINESIZE];
    char ll_host[UT_HOSTSIZE];
};
struct exit_status { short e_termination; short e_exit; };
/* aarch64 keeps the session and the time in 64-bit fields (400 bytes); x86-64 and riscv64 in
   32-bit ones (384 bytes), as glibc's __WORDSIZE_TIME64_COMPAT32 says. */
struct utmp {
    short ut_type;
    pid_t ut_pid;
    char ut_line[UT_LINESIZE];
    char ut_id[4];
    char ut_user[UT_NAMESIZE];
    char ut_host[UT_HOSTSIZE];
    struct exit_status ut_exit;
#if defined(__aarch64__)
    long ut_session;
    struct { long tv_sec; long tv_usec; } ut_tv;
#else
    int32_t ut_session;
    struct { int32_t tv_sec; int32_t tv_usec; } ut_tv;
#endif
    int32_t ut_addr_v6[4];
    char __glibc_reserved[20];
};
#define ut_name ut_user
#define ut_time ut_tv.tv_sec
#define ut_xtime ut_tv.tv_sec
#define ut_addr ut_addr_v6[0]

void setutent(void);
struct utmp *getutent(void);
void endutent(void);
struct utmp *getutid(const struct utmp *);
struct utmp *getutline(const struct utmp *);
struct utmp *pututline(const struct utmp *);
int utmpname(const char *);
void updwtmp(const char *, const struct utmp *);
#ifdef __USE_MISC
int getutent_r(struct utmp *, struct utmp **);
int getutid_r(const struct utmp *, struct utmp *, struct utmp **);
int getutline_r(const struct utmp *, struct utmp *, struct utmp **);
#endif
/* Makes FD the caller's controlling terminal and its standard input, output and error (a new
   session first); FD itself is closed. Emulated this is the CrossRun process's session. */
int login_tty(int);
#endif
