#ifndef _SETJMP_H
#define _SETJMP_H
/* glibc's layout: registers, the saved-mask flag, a 128-byte signal mask. */
#if defined(__x86_64__)
typedef long __jmp_buf[8];
#elif defined(__aarch64__)
typedef unsigned long long __jmp_buf[22];
#else /* riscv64 */
typedef struct { long __pc; long __regs[12]; long __sp; double __fpregs[12]; } __jmp_buf[1];
#endif
typedef struct { unsigned long __val[16]; } __sigset_t;
struct __jmp_buf_tag { __jmp_buf __jmpbuf; int __mask_was_saved; __sigset_t __saved_mask; };
typedef struct __jmp_buf_tag jmp_buf[1];
typedef struct __jmp_buf_tag sigjmp_buf[1];

int setjmp(jmp_buf) __attribute__((__returns_twice__));
int _setjmp(struct __jmp_buf_tag *) __attribute__((__returns_twice__));
int __sigsetjmp(struct __jmp_buf_tag *, int) __attribute__((__returns_twice__));
__attribute__((__noreturn__)) void longjmp(jmp_buf, int);
__attribute__((__noreturn__)) void _longjmp(struct __jmp_buf_tag *, int);
__attribute__((__noreturn__)) void siglongjmp(sigjmp_buf, int);
#define sigsetjmp(env, savemask) __sigsetjmp(env, savemask)
/* As glibc: setjmp does not save the signal mask. */
#define setjmp(env) _setjmp(env)
#endif
