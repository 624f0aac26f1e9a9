#ifndef _GNU_VERSIONS_H
#define _GNU_VERSIONS_H 1
/* glibc's interface versions: gnulib's getopt.c, glob.c, regex.c and obstack.c compile to
   nothing when they match (the C library's own versions serve). */
#define _GNU_OBSTACK_INTERFACE_VERSION 1
#define _GNU_REGEX_INTERFACE_VERSION 1
#define _GNU_GLOB_INTERFACE_VERSION 2
#define _GNU_GETOPT_INTERFACE_VERSION 2
#endif
