/* Feature-test macros with glibc 2.36's conventions, so code written for glibc takes its
   usual paths: _GNU_SOURCE selects everything; _DEFAULT_SOURCE (implied when no other
   feature macro is given and the compiler is not in a strict -std=cNN mode) selects POSIX.1-2008
   plus the BSD/SVID extensions; _POSIX_C_SOURCE, _XOPEN_SOURCE, _ISOC*_SOURCE select what
   they name. The results are glibc's __USE_* macros, which CrossRun's headers test. */
#ifndef _FEATURES_H
#define _FEATURES_H 1

#undef __USE_ISOC11
#undef __USE_ISOC99
#undef __USE_ISOC95
#undef __USE_POSIX
#undef __USE_POSIX2
#undef __USE_POSIX199309
#undef __USE_POSIX199506
#undef __USE_XOPEN
#undef __USE_XOPEN_EXTENDED
#undef __USE_UNIX98
#undef __USE_XOPEN2K
#undef __USE_XOPEN2KXSI
#undef __USE_XOPEN2K8
#undef __USE_XOPEN2K8XSI
#undef __USE_LARGEFILE
#undef __USE_LARGEFILE64
#undef __USE_MISC
#undef __USE_ATFILE
#undef __USE_GNU
#undef __USE_FORTIFY_LEVEL

#define __GNUC_PREREQ(maj, min) ((__GNUC__ << 16) + __GNUC_MINOR__ >= ((maj) << 16) + (min))
#if defined __clang_major__
#define __glibc_clang_prereq(maj, min) ((__clang_major__ << 16) + __clang_minor__ >= ((maj) << 16) + (min))
#else
#define __glibc_clang_prereq(maj, min) 0
#endif

/* The deprecated BSD/SVID spellings mean _DEFAULT_SOURCE. */
#if (defined _BSD_SOURCE || defined _SVID_SOURCE) && !defined _DEFAULT_SOURCE
#define _DEFAULT_SOURCE 1
#endif

#ifdef _GNU_SOURCE
#undef _ISOC95_SOURCE
#define _ISOC95_SOURCE 1
#undef _ISOC99_SOURCE
#define _ISOC99_SOURCE 1
#undef _ISOC11_SOURCE
#define _ISOC11_SOURCE 1
#undef _POSIX_SOURCE
#define _POSIX_SOURCE 1
#undef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#undef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#undef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#undef _LARGEFILE64_SOURCE
#define _LARGEFILE64_SOURCE 1
#undef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE 1
#undef _ATFILE_SOURCE
#define _ATFILE_SOURCE 1
#endif

/* Nothing asked for (or only _DEFAULT_SOURCE): the default set. */
#if defined _DEFAULT_SOURCE || (!defined __STRICT_ANSI__ && !defined _ISOC99_SOURCE && !defined _ISOC11_SOURCE \
    && !defined _POSIX_SOURCE && !defined _POSIX_C_SOURCE && !defined _XOPEN_SOURCE)
#undef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE 1
#endif

#if (defined __STDC_VERSION__ && __STDC_VERSION__ >= 201112L) || defined _ISOC11_SOURCE
#define __USE_ISOC11 1
#endif
#if (defined __STDC_VERSION__ && __STDC_VERSION__ >= 199901L) || defined _ISOC99_SOURCE || defined __USE_ISOC11
#define __USE_ISOC99 1
#endif
#if (defined __STDC_VERSION__ && __STDC_VERSION__ >= 199409L) || defined _ISOC95_SOURCE || defined __USE_ISOC99
#define __USE_ISOC95 1
#endif

#ifdef _DEFAULT_SOURCE
#if !defined _POSIX_SOURCE && !defined _POSIX_C_SOURCE
#define __USE_POSIX_IMPLICITLY 1
#endif
#undef _POSIX_SOURCE
#define _POSIX_SOURCE 1
#undef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

/* glibc: outside strict ISO mode (or with X/Open 500 and later) POSIX is on unless a POSIX level
   was asked for, even when only an ISO C level (_ISOC99_SOURCE…) was. */
#if (!defined __STRICT_ANSI__ || (defined _XOPEN_SOURCE && (_XOPEN_SOURCE - 0) >= 500)) && !defined _POSIX_SOURCE \
    && !defined _POSIX_C_SOURCE
#define _POSIX_SOURCE 1
#if defined _XOPEN_SOURCE && (_XOPEN_SOURCE - 0) < 500
#define _POSIX_C_SOURCE 2
#elif defined _XOPEN_SOURCE && (_XOPEN_SOURCE - 0) < 600
#define _POSIX_C_SOURCE 199506L
#elif defined _XOPEN_SOURCE && (_XOPEN_SOURCE - 0) < 700
#define _POSIX_C_SOURCE 200112L
#else
#define _POSIX_C_SOURCE 200809L
#endif
#define __USE_POSIX_IMPLICITLY 1
#endif

/* _XOPEN_SOURCE implies a POSIX level (glibc's table); 500 and later need 199506L at least. */
#if defined _XOPEN_SOURCE && (!defined _POSIX_C_SOURCE || (_POSIX_C_SOURCE - 0) < 199506L)
#if (_XOPEN_SOURCE - 0) >= 700
#undef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#elif (_XOPEN_SOURCE - 0) >= 600
#undef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200112L
#elif (_XOPEN_SOURCE - 0) >= 500
#undef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 199506L
#else
#undef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 2
#endif
#endif
#if defined _POSIX_SOURCE && !defined _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 1
#endif

#if defined _POSIX_C_SOURCE && (_POSIX_C_SOURCE - 0) >= 1
#define __USE_POSIX 1
#endif
#if (defined _POSIX_C_SOURCE && (_POSIX_C_SOURCE - 0) >= 2) || defined _XOPEN_SOURCE
#define __USE_POSIX2 1
#endif
#if defined _POSIX_C_SOURCE && (_POSIX_C_SOURCE - 0) >= 199309L
#define __USE_POSIX199309 1
#endif
#if defined _POSIX_C_SOURCE && (_POSIX_C_SOURCE - 0) >= 199506L
#define __USE_POSIX199506 1
#endif
#if defined _POSIX_C_SOURCE && (_POSIX_C_SOURCE - 0) >= 200112L
#define __USE_XOPEN2K 1
#undef __USE_ISOC95
#define __USE_ISOC95 1
#undef __USE_ISOC99
#define __USE_ISOC99 1
#endif
#if defined _POSIX_C_SOURCE && (_POSIX_C_SOURCE - 0) >= 200809L
#define __USE_XOPEN2K8 1
#undef _ATFILE_SOURCE
#define _ATFILE_SOURCE 1
#endif

#ifdef _XOPEN_SOURCE
#define __USE_XOPEN 1
#if (_XOPEN_SOURCE - 0) >= 500
#define __USE_XOPEN_EXTENDED 1
#define __USE_UNIX98 1
#if (_XOPEN_SOURCE - 0) >= 600
#define __USE_XOPEN2KXSI 1
#if (_XOPEN_SOURCE - 0) >= 700
#define __USE_XOPEN2K8XSI 1
#endif
#endif
#elif defined _XOPEN_SOURCE_EXTENDED
#define __USE_XOPEN_EXTENDED 1
#endif
#endif

/* off_t is 64-bit on every CrossRun target: the large-file interface is the only one. */
#define __USE_LARGEFILE 1
#ifdef _LARGEFILE64_SOURCE
#define __USE_LARGEFILE64 1
#endif
#ifdef _DEFAULT_SOURCE
#define __USE_MISC 1
#endif
#ifdef _ATFILE_SOURCE
#define __USE_ATFILE 1
#endif
#ifdef _GNU_SOURCE
#define __USE_GNU 1
#endif
/* No _FORTIFY_SOURCE checking functions exist in the runtime. */
#define __USE_FORTIFY_LEVEL 0

#define __GLIBC_USE(F) __GLIBC_USE_##F
#define __GLIBC_USE_ISOC2X 0
#define __GLIBC_USE_DEPRECATED_GETS 0
#define __GLIBC_USE_DEPRECATED_SCANF 0
#define __GLIBC_USE_LIB_EXT2 0
#define __GLIBC_USE_IEC_60559_BFP_EXT 0
#define __GLIBC_USE_IEC_60559_FUNCS_EXT 0

/* What <stdc-predef.h> says on glibc: IEC 559 floating point, wchar_t holds ISO 10646. */
#ifndef __STDC_IEC_559__
#define __STDC_IEC_559__ 1
#endif
#ifndef __STDC_IEC_559_COMPLEX__
#define __STDC_IEC_559_COMPLEX__ 1
#endif
#ifndef __STDC_ISO_10646__
#define __STDC_ISO_10646__ 201706L
#endif

/* The C library is glibc-compatible at glibc 2.36 (the host glibc's version). */
#define __GNU_LIBRARY__ 6
#define __GLIBC__ 2
#define __GLIBC_MINOR__ 36
#define __GLIBC_PREREQ(maj, min) ((__GLIBC__ << 16) + __GLIBC_MINOR__ >= ((maj) << 16) + (min))

#include <sys/cdefs.h>
#endif
