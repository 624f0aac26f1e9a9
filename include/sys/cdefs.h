/* glibc's <sys/cdefs.h> helpers that programs use directly (declaration brackets, attribute
   spellings). Included by <features.h>. */
#ifndef _SYS_CDEFS_H
#define _SYS_CDEFS_H 1
#ifndef _FEATURES_H
#include <features.h>
#endif

#ifdef __cplusplus
#define __BEGIN_DECLS extern "C" {
#define __END_DECLS }
#define __THROW throw()
#else
#define __BEGIN_DECLS
#define __END_DECLS
#define __THROW
#endif
#define __THROWNL __THROW
#define __NTH(fct) fct
#define __LEAF
#define __LEAF_ATTR
#define __P(args) args
#define __PMT(args) args
#define __CONCAT(x, y) x##y
#define __STRING(x) #x
#define __ptr_t void *
#define __long_double_t long double

#if defined __GNUC__ || defined __clang__
#define __attribute_malloc__ __attribute__((__malloc__))
#define __attribute_pure__ __attribute__((__pure__))
#define __attribute_const__ __attribute__((__const__))
#define __attribute_used__ __attribute__((__used__))
#define __attribute_noinline__ __attribute__((__noinline__))
#define __attribute_deprecated__ __attribute__((__deprecated__))
#define __attribute_deprecated_msg__(msg) __attribute__((__deprecated__(msg)))
#define __attribute_format_arg__(x) __attribute__((__format_arg__(x)))
#define __attribute_format_strfmon__(a, b) __attribute__((__format__(__strfmon__, a, b)))
#define __attribute_warn_unused_result__ __attribute__((__warn_unused_result__))
#define __attribute_alloc_size__(params) __attribute__((__alloc_size__ params))
#define __nonnull(params) __attribute__((__nonnull__ params))
#define __returns_nonnull __attribute__((__returns_nonnull__))
#define __always_inline __inline __attribute__((__always_inline__))
#define __attribute_artificial__ __attribute__((__artificial__))
#define __extern_inline extern __inline __attribute__((__gnu_inline__))
#define __extern_always_inline extern __always_inline __attribute__((__gnu_inline__))
#define __glibc_unlikely(cond) __builtin_expect((cond), 0)
#define __glibc_likely(cond) __builtin_expect((cond), 1)
#define __glibc_has_attribute(attr) __has_attribute(attr)
#define __glibc_has_builtin(name) __has_builtin(name)
#define __glibc_has_extension(ext) __has_extension(ext)
#define __attribute_noreturn__ __attribute__((__noreturn__))
#else
#define __attribute_malloc__
#define __attribute_pure__
#define __attribute_const__
#define __attribute_used__
#define __attribute_noinline__
#define __attribute_deprecated__
#define __attribute_deprecated_msg__(msg)
#define __attribute_format_arg__(x)
#define __attribute_format_strfmon__(a, b)
#define __attribute_warn_unused_result__
#define __attribute_alloc_size__(params)
#define __nonnull(params)
#define __returns_nonnull
#define __always_inline __inline
#define __attribute_artificial__
#define __extern_inline extern __inline
#define __extern_always_inline extern __inline
#define __glibc_unlikely(cond) (cond)
#define __glibc_likely(cond) (cond)
#define __glibc_has_attribute(attr) 0
#define __glibc_has_builtin(name) 0
#define __glibc_has_extension(ext) 0
#define __attribute_noreturn__
#endif
#define __wur
#define __fortify_function __extern_always_inline __attribute_artificial__
#define __restrict_arr
#define __flexarr []
#define __glibc_c99_flexarr_available 1
/* Compilers that predefine these (tcc does) keep their own spelling. */
#ifndef __REDIRECT
#define __REDIRECT(name, proto, alias) name proto __asm__(#alias)
#endif
#ifndef __REDIRECT_NTH
#define __REDIRECT_NTH(name, proto, alias) name proto __asm__(#alias)
#endif
#define __ASMNAME(cname) #cname
#define __glibc_macro_warning(msg)
#define __HAVE_GENERIC_SELECTION 1
#define __WORDSIZE 64
#define __WORDSIZE_TIME64_COMPAT32 0
#define __SYSCALL_WORDSIZE 64
#define __LONG_DOUBLE_USES_FLOAT128 0
#endif
