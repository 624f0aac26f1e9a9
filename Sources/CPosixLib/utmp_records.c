#define _GNU_SOURCE 1
#include <utmp.h>
#include "crossrun_utmp.h"

void crossrun_setutent(void) { setutent(); }
void crossrun_endutent(void) { endutent(); }
const void *crossrun_getutent(void) { return getutent(); }
const void *crossrun_getutid(const void *entry) { return getutid(entry); }
const void *crossrun_getutline(const void *entry) { return getutline(entry); }
const void *crossrun_pututline(const void *entry) { return pututline(entry); }
int crossrun_utmpname(const char *file) { return utmpname(file); }
void crossrun_updwtmp(const char *file, const void *entry) { updwtmp(file, entry); }
unsigned long crossrun_utmp_size(void) { return sizeof(struct utmp); }
