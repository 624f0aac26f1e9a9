/* <sys/sysinfo.h>: the host's memory, load and process figures (struct sysinfo has one
   layout on every LP64 target). */
#ifndef _SYS_SYSINFO_H
#define _SYS_SYSINFO_H 1
struct sysinfo {
    long uptime;
    unsigned long loads[3];
    unsigned long totalram;
    unsigned long freeram;
    unsigned long sharedram;
    unsigned long bufferram;
    unsigned long totalswap;
    unsigned long freeswap;
    unsigned short procs;
    unsigned short pad;
    unsigned long totalhigh;
    unsigned long freehigh;
    unsigned int mem_unit;
    char _f[0];
};
#define SI_LOAD_SHIFT 16
int sysinfo(struct sysinfo *);
int get_nprocs_conf(void);
int get_nprocs(void);
long get_phys_pages(void);
long get_avphys_pages(void);
#endif
