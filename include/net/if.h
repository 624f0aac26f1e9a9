/* Network interface names. */
#ifndef _NET_IF_H
#define _NET_IF_H 1
#include <features.h>
#define IF_NAMESIZE 16
#ifdef __USE_MISC
#define IFNAMSIZ IF_NAMESIZE
/* Interface flags (ifa_flags, SIOCGIFFLAGS). */
#define IFF_UP 0x1
#define IFF_BROADCAST 0x2
#define IFF_DEBUG 0x4
#define IFF_LOOPBACK 0x8
#define IFF_POINTOPOINT 0x10
#define IFF_NOTRAILERS 0x20
#define IFF_RUNNING 0x40
#define IFF_NOARP 0x80
#define IFF_PROMISC 0x100
#define IFF_ALLMULTI 0x200
#define IFF_MASTER 0x400
#define IFF_SLAVE 0x800
#define IFF_MULTICAST 0x1000
#define IFF_PORTSEL 0x2000
#define IFF_AUTOMEDIA 0x4000
#define IFF_DYNAMIC 0x8000
#endif
unsigned int if_nametoindex(const char *);
char *if_indextoname(unsigned int, char *);
/* Every interface's index and name, ending with {0, NULL}; one block if_freenameindex frees. */
struct if_nameindex { unsigned int if_index; char *if_name; };
struct if_nameindex *if_nameindex(void);
void if_freenameindex(struct if_nameindex *);
#endif
