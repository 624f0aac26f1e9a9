#ifndef _FCNTL_H
#define _FCNTL_H
#include <features.h>
#include <_crossrun_types.h>
#define O_RDONLY 00
#define O_WRONLY 01
#define O_RDWR 02
#define O_ACCMODE 03
#define O_CREAT 0100
#define O_EXCL 0200
#define O_NOCTTY 0400
#define O_TRUNC 01000
#define O_APPEND 02000
#define O_NONBLOCK 04000
#define O_SYNC 04010000
#if defined(__aarch64__)
#define O_DIRECTORY 040000
#define O_NOFOLLOW 0100000
#else
#define O_DIRECTORY 0200000
#define O_NOFOLLOW 0400000
#endif
#define O_CLOEXEC 02000000
/* glibc's other spellings and the Linux-specific flags (aarch64's O_DIRECT differs, as its
   O_DIRECTORY does; O_LARGEFILE is 0 on every LP64 target, as in glibc). */
#define O_NDELAY O_NONBLOCK
#define O_FSYNC O_SYNC
#define O_ASYNC 020000
#ifdef __USE_LARGEFILE64
#define O_LARGEFILE 0
#endif
#ifdef __USE_GNU
#if defined(__aarch64__)
#define O_DIRECT 0200000
#else
#define O_DIRECT 040000
#endif
#define O_NOATIME 01000000
#define O_PATH 010000000
#define O_TMPFILE (020000000 | O_DIRECTORY)
#endif
#ifdef __USE_MISC
#define FAPPEND O_APPEND
#define FFSYNC O_FSYNC
#define FASYNC O_ASYNC
#define FNONBLOCK O_NONBLOCK
#define FNDELAY O_NDELAY
#endif
#define AT_FDCWD (-100)
#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define FD_CLOEXEC 1
/* Record locks (issue 14): struct flock and its commands; the same on every LP64 target. */
#define F_GETLK 5
#define F_SETLK 6
#define F_SETLKW 7
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#define F_OFD_SETLKW 38
#define F_DUPFD_CLOEXEC 1030
#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2
#define O_DSYNC 010000
#define O_RSYNC O_SYNC
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR 0x200
#define AT_EACCESS 0x200
#define AT_SYMLINK_FOLLOW 0x400
#define AT_EMPTY_PATH 0x1000
struct flock { short l_type; short l_whence; off_t l_start; off_t l_len; pid_t l_pid; };
#ifndef SEEK_SET
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#endif
int open(const char *, int, ...);
int creat(const char *, mode_t);
int fcntl(int, int, ...);
int openat(int, const char *, int, ...);
/* Access-pattern advice and space reservation (they return an error number, not -1). */
#define POSIX_FADV_NORMAL 0
#define POSIX_FADV_RANDOM 1
#define POSIX_FADV_SEQUENTIAL 2
#define POSIX_FADV_WILLNEED 3
#define POSIX_FADV_DONTNEED 4
#define POSIX_FADV_NOREUSE 5
int posix_fadvise(int, off_t, off_t, int);
int posix_fallocate(int, off_t, off_t);
#ifdef __USE_GNU
/* Linux's file-range calls (glibc declares them under _GNU_SOURCE); the flags are the kernel's,
   alike on every target. */
#define FALLOC_FL_KEEP_SIZE 0x01
#define FALLOC_FL_PUNCH_HOLE 0x02
#define FALLOC_FL_NO_HIDE_STALE 0x04
#define FALLOC_FL_COLLAPSE_RANGE 0x08
#define FALLOC_FL_ZERO_RANGE 0x10
#define FALLOC_FL_INSERT_RANGE 0x20
#define FALLOC_FL_UNSHARE_RANGE 0x40
#define SYNC_FILE_RANGE_WAIT_BEFORE 1
#define SYNC_FILE_RANGE_WRITE 2
#define SYNC_FILE_RANGE_WAIT_AFTER 4
int fallocate(int, int, off_t, off_t);
ssize_t readahead(int, off_t, size_t);
int sync_file_range(int, off_t, off_t, unsigned int);
#define fallocate64 fallocate
#endif
/* The LFS64 names: off_t, ino_t and the counts are already 64 bits, so they are the plain
   ones (as musl does; natively they bind to the plain host calls). */
#ifdef __USE_LARGEFILE64
#define open64 open
#define openat64 openat
#define creat64 creat
#define posix_fadvise64 posix_fadvise
#define posix_fallocate64 posix_fallocate
#ifndef __off64_t_defined
#define __off64_t_defined 1
typedef off_t off64_t;
#endif
#endif
#endif
