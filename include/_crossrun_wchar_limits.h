#ifndef _CROSSRUN_WCHAR_LIMITS_H
#define _CROSSRUN_WCHAR_LIMITS_H
/* WCHAR_MIN and WCHAR_MAX, shared by <stdint.h> and <wchar.h>: wchar_t is int on x86-64 and
   riscv64 and unsigned int on aarch64; a compiler that says so (__WCHAR_MAX__) is believed. */
#if defined(__WCHAR_MAX__)
#define WCHAR_MAX __WCHAR_MAX__
#if defined(__WCHAR_MIN__)
#define WCHAR_MIN __WCHAR_MIN__
#elif defined(__WCHAR_UNSIGNED__) || __WCHAR_MAX__ > 2147483647
#define WCHAR_MIN 0u
#else
#define WCHAR_MIN (-2147483647 - 1)
#endif
#elif defined(__aarch64__)
#define WCHAR_MIN 0u
#define WCHAR_MAX 4294967295u
#else
#define WCHAR_MIN (-2147483647 - 1)
#define WCHAR_MAX 2147483647
#endif
#endif
