/* Process and thread attributes (Linux's prctl; the option numbers are the same on every
   Linux architecture). Emulated, the options below act on the CrossRun process and its host
   thread, which every guest thread shares (PR_SET_NAME names that one host thread); any other
   option is EINVAL. */
#ifndef _SYS_PRCTL_H
#define _SYS_PRCTL_H 1
#include <features.h>

#define PR_SET_PDEATHSIG 1
#define PR_GET_PDEATHSIG 2
#define PR_GET_DUMPABLE 3
#define PR_SET_DUMPABLE 4
#define PR_SET_NAME 15
#define PR_GET_NAME 16
#define PR_GET_TIMERSLACK 30
#define PR_SET_TIMERSLACK 29
#define PR_SET_CHILD_SUBREAPER 36
#define PR_GET_CHILD_SUBREAPER 37
#define PR_SET_NO_NEW_PRIVS 38
#define PR_GET_NO_NEW_PRIVS 39
#define PR_SET_THP_DISABLE 41
#define PR_GET_THP_DISABLE 42

int prctl(int, ...);
#endif
