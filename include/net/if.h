/* Network interface names. */
#ifndef _NET_IF_H
#define _NET_IF_H 1
#include <features.h>
#define IF_NAMESIZE 16
#ifdef __USE_MISC
#define IFNAMSIZ IF_NAMESIZE
#endif
unsigned int if_nametoindex(const char *);
char *if_indextoname(unsigned int, char *);
#endif
