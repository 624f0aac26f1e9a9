#ifndef _SYS_UCONTEXT_H
#define _SYS_UCONTEXT_H
/* The machine context a SA_SIGINFO handler's third argument points to, with the layout of the
   Linux kernel's signal frame (as glibc declares it) for each target. Types only: CrossRun
   provides no getcontext/setcontext. Emulated, a handler's context holds the general
   registers, stack pointer and PC at the library call the signal came in (the PC is that
   call's stub) and the mask from before the handler; what the handler changes in it is not
   applied when it returns. */
#include <features.h>
#include <signal.h>

#ifndef __stack_t_defined
#define __stack_t_defined 1
typedef struct { void *ss_sp; int ss_flags; __SIZE_TYPE__ ss_size; } stack_t;
#endif

#if defined(__x86_64__)
typedef long long greg_t;
#define __NGREG 23
#ifdef __USE_GNU
#define NGREG __NGREG
enum {
    REG_R8 = 0, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15, REG_RDI, REG_RSI,
    REG_RBP, REG_RBX, REG_RDX, REG_RAX, REG_RCX, REG_RSP, REG_RIP, REG_EFL, REG_CSGSFS, REG_ERR,
    REG_TRAPNO, REG_OLDMASK, REG_CR2
};
#endif
typedef greg_t gregset_t[__NGREG];
struct _libc_fpxreg { unsigned short significand[4]; unsigned short exponent; unsigned short __glibc_reserved1[3]; };
struct _libc_xmmreg { unsigned int element[4]; };
struct _libc_fpstate {
    unsigned short cwd, swd, ftw, fop;
    unsigned long long rip, rdp;
    unsigned int mxcsr, mxcr_mask;
    struct _libc_fpxreg _st[8];
    struct _libc_xmmreg _xmm[16];
    unsigned int __glibc_reserved1[24];
};
typedef struct _libc_fpstate *fpregset_t;
typedef struct { gregset_t gregs; fpregset_t fpregs; unsigned long long __reserved1[8]; } mcontext_t;
typedef struct ucontext_t {
    unsigned long uc_flags;
    struct ucontext_t *uc_link;
    stack_t uc_stack;
    mcontext_t uc_mcontext;
    sigset_t uc_sigmask;
    struct _libc_fpstate __fpregs_mem;
    unsigned long long __ssp[4];
} ucontext_t;

#elif defined(__aarch64__)
typedef unsigned long greg_t;
#define NGREG 34
typedef greg_t gregset_t[NGREG];
typedef struct { unsigned long long __fpregs[64]; unsigned int fpsr, fpcr; } fpregset_t;
typedef struct {
    unsigned long long fault_address;
    unsigned long long regs[31];
    unsigned long long sp;
    unsigned long long pc;
    unsigned long long pstate;
    unsigned char __reserved[4096] __attribute__((__aligned__(16)));
} mcontext_t;
typedef struct ucontext_t {
    unsigned long uc_flags;
    struct ucontext_t *uc_link;
    stack_t uc_stack;
    sigset_t uc_sigmask;
    mcontext_t uc_mcontext;
} ucontext_t;

#elif defined(__riscv) && __riscv_xlen == 64
typedef unsigned long __riscv_mc_gp_state[32];
#define NGREG 32
#define REG_PC 0
#define REG_RA 1
#define REG_SP 2
#define REG_TP 4
#define REG_S0 8
#define REG_S1 9
#define REG_A0 10
#define REG_S2 18
#define REG_NARGS 8
typedef unsigned long greg_t;
typedef unsigned long gregset_t[NGREG];
struct __riscv_mc_f_ext_state { unsigned int __f[32]; unsigned int __fcsr; };
struct __riscv_mc_d_ext_state { unsigned long long __f[32]; unsigned int __fcsr; };
struct __riscv_mc_q_ext_state {
    unsigned long long __f[64] __attribute__((__aligned__(16)));
    unsigned int __fcsr;
    unsigned int __glibc_reserved[3];
};
union __riscv_mc_fp_state {
    struct __riscv_mc_f_ext_state __f;
    struct __riscv_mc_d_ext_state __d;
    struct __riscv_mc_q_ext_state __q;
};
typedef union __riscv_mc_fp_state fpregset_t;
typedef struct mcontext_t { __riscv_mc_gp_state __gregs; union __riscv_mc_fp_state __fpregs; } mcontext_t;
typedef struct ucontext_t {
    unsigned long __uc_flags;
    struct ucontext_t *uc_link;
    stack_t uc_stack;
    sigset_t uc_sigmask;
    mcontext_t uc_mcontext;
} ucontext_t;
#else
#error "sys/ucontext.h: unsupported target"
#endif

#endif
