/* glibc's struct utmpx: the same record as struct utmp, and the same database functions. */
#ifndef _UTMPX_H
#define _UTMPX_H 1
#include <features.h>
#include <_crossrun_types.h>
#include <stdint.h>
#include <sys/time.h>

#define __UT_LINESIZE 32
#define __UT_NAMESIZE 32
#define __UT_HOSTSIZE 256
#ifndef EMPTY
#define EMPTY 0
#define RUN_LVL 1
#define BOOT_TIME 2
#define NEW_TIME 3
#define OLD_TIME 4
#define INIT_PROCESS 5
#define LOGIN_PROCESS 6
#define USER_PROCESS 7
#define DEAD_PROCESS 8
#endif
#ifdef __USE_GNU
#define ACCOUNTING 9
#define UTMPX_FILE "/var/run/utmp"
#define UTMPX_FILENAME UTMPX_FILE
#define WTMPX_FILE "/var/log/wtmp"
#define WTMPX_FILENAME WTMPX_FILE
#endif
struct __exit_status { short e_termination; short e_exit; };
struct utmpx {
    short ut_type;
    pid_t ut_pid;
    char ut_line[__UT_LINESIZE];
    char ut_id[4];
    char ut_user[__UT_NAMESIZE];
    char ut_host[__UT_HOSTSIZE];
    struct __exit_status ut_exit;
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
void setutxent(void);
void endutxent(void);
struct utmpx *getutxent(void);
struct utmpx *getutxid(const struct utmpx *);
struct utmpx *getutxline(const struct utmpx *);
struct utmpx *pututxline(const struct utmpx *);
#ifdef __USE_GNU
int utmpxname(const char *);
void updwtmpx(const char *, const struct utmpx *);
struct utmp;
void getutmp(const struct utmpx *, struct utmp *);
void getutmpx(const struct utmp *, struct utmpx *);
#endif
#endif
