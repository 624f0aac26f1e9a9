#ifndef _SYS_SYSLOG_H_ALIAS
#define _SYS_SYSLOG_H_ALIAS
/* The same as <syslog.h>, as glibc has it under this name too. */
#include <syslog.h>
#endif
