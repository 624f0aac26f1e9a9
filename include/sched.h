/* Scheduling: sched_yield, with glibc's policy numbers and sched_param. */
#ifndef _SCHED_H
#define _SCHED_H 1
#include <features.h>
#include <_crossrun_types.h>
#define SCHED_OTHER 0
#define SCHED_FIFO 1
#define SCHED_RR 2
struct sched_param { int sched_priority; };
int sched_yield(void);
#endif
