/* Scheduling: sched_yield, with glibc's policy numbers and sched_param. */
#ifndef _SCHED_H
#define _SCHED_H 1
#include <features.h>
#include <_crossrun_types.h>
#define SCHED_OTHER 0
#define SCHED_FIFO 1
#define SCHED_RR 2
#ifdef __USE_GNU
#define SCHED_BATCH 3
#define SCHED_IDLE 5
#define SCHED_RESET_ON_FORK 0x40000000
#endif
struct sched_param { int sched_priority; };
int sched_yield(void);
/* The host's answer (the same numbers on every target: Linux's). */
int sched_get_priority_max(int);
int sched_get_priority_min(int);
#ifdef __USE_GNU
/* CPU sets: glibc's 1024-CPU cpu_set_t and macros. */
#define CPU_SETSIZE 1024
typedef unsigned long __cpu_mask;
#define __NCPUBITS (8 * sizeof(__cpu_mask))
typedef struct { __cpu_mask __bits[CPU_SETSIZE / __NCPUBITS]; } cpu_set_t;
#define __CPUELT(cpu) ((cpu) / __NCPUBITS)
#define __CPUMASK(cpu) ((__cpu_mask)1 << ((cpu) % __NCPUBITS))
#define CPU_ZERO(set) do { for (unsigned __i = 0; __i < CPU_SETSIZE / __NCPUBITS; __i++) (set)->__bits[__i] = 0; } while (0)
#define CPU_SET(cpu, set) ((size_t)(cpu) < CPU_SETSIZE ? (set)->__bits[__CPUELT(cpu)] |= __CPUMASK(cpu) : 0)
#define CPU_CLR(cpu, set) ((size_t)(cpu) < CPU_SETSIZE ? (set)->__bits[__CPUELT(cpu)] &= ~__CPUMASK(cpu) : 0)
#define CPU_ISSET(cpu, set) ((size_t)(cpu) < CPU_SETSIZE ? ((set)->__bits[__CPUELT(cpu)] & __CPUMASK(cpu)) != 0 : 0)
static __inline__ int __crossrun_cpu_count(const cpu_set_t *set) {
    int n = 0;
    for (unsigned i = 0; i < CPU_SETSIZE / __NCPUBITS; i++)
        for (__cpu_mask m = set->__bits[i]; m; m &= m - 1) n++;
    return n;
}
#define CPU_COUNT(set) __crossrun_cpu_count(set)
static __inline__ int __crossrun_cpu_equal(const cpu_set_t *a, const cpu_set_t *b) {
    for (unsigned i = 0; i < CPU_SETSIZE / __NCPUBITS; i++)
        if (a->__bits[i] != b->__bits[i]) return 0;
    return 1;
}
#define CPU_EQUAL(a, b) __crossrun_cpu_equal(a, b)
#define __CROSSRUN_CPU_OP(dest, a, b, op) do { for (unsigned __i = 0; __i < CPU_SETSIZE / __NCPUBITS; __i++) \
    (dest)->__bits[__i] = (a)->__bits[__i] op (b)->__bits[__i]; } while (0)
#define CPU_AND(dest, a, b) __CROSSRUN_CPU_OP(dest, a, b, &)
#define CPU_OR(dest, a, b) __CROSSRUN_CPU_OP(dest, a, b, |)
#define CPU_XOR(dest, a, b) __CROSSRUN_CPU_OP(dest, a, b, ^)
int sched_getcpu(void);
int sched_getaffinity(pid_t, size_t, cpu_set_t *);
int sched_setaffinity(pid_t, size_t, const cpu_set_t *);
#endif
#endif
