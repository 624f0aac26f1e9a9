#ifndef CROSSRUN_UTMP_H
#define CROSSRUN_UTMP_H
/// <utmp.h> for emulated guests: the host's functions on the host's struct utmp (384 bytes on
/// x86-64), passed as bytes.
void crossrun_setutent(void);
void crossrun_endutent(void);
const void *crossrun_getutent(void);
const void *crossrun_getutid(const void *entry);
const void *crossrun_getutline(const void *entry);
const void *crossrun_pututline(const void *entry);
int crossrun_utmpname(const char *file);
void crossrun_updwtmp(const char *file, const void *entry);
/// sizeof(struct utmp) on the host.
unsigned long crossrun_utmp_size(void);
#endif
