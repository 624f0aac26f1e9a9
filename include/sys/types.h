#ifndef _SYS_TYPES_H
#define _SYS_TYPES_H
#include <features.h>
#include <_crossrun_types.h>
#include <_crossrun_pthread_types.h>
#if defined __USE_MISC || defined __USE_XOPEN
typedef int key_t;
#endif
#if defined __USE_XOPEN && !defined __useconds_t_defined
#define __useconds_t_defined 1
typedef unsigned int useconds_t;
#endif
#ifdef __USE_LARGEFILE64
/* The LFS64 types: the plain ones are already 64 bits. */
#ifndef __off64_t_defined
#define __off64_t_defined 1
typedef off_t off64_t;
#endif
typedef ino_t ino64_t;
typedef blkcnt_t blkcnt64_t;
#endif
#ifdef __USE_MISC
/* The BSD/SVID names glibc gives under _DEFAULT_SOURCE (LP64 on every target). */
typedef unsigned char u_char;
typedef unsigned short u_short;
typedef unsigned int u_int;
typedef unsigned long u_long;
typedef unsigned short ushort;
typedef unsigned int uint;
typedef unsigned long ulong;
typedef long quad_t;
typedef unsigned long u_quad_t;
typedef long loff_t;
typedef struct { int __val[2]; } fsid_t;
typedef char *caddr_t;
typedef int daddr_t;
typedef unsigned char u_int8_t;
typedef unsigned short u_int16_t;
typedef unsigned int u_int32_t;
typedef unsigned long u_int64_t;
/* As glibc's: BSD code expects BYTE_ORDER and the htole16 family from <sys/types.h>. */
#include <endian.h>
typedef long register_t;
#endif
/* As glibc: fd_set and select come with <sys/types.h> under _DEFAULT_SOURCE/_GNU_SOURCE. */
#ifdef __USE_MISC
#include <sys/select.h>
#endif
#endif
