/* Internet address conversions. */
#ifndef _ARPA_INET_H
#define _ARPA_INET_H 1
#include <features.h>
#include <netinet/in.h>
in_addr_t inet_addr(const char *);
in_addr_t inet_network(const char *);
char *inet_ntoa(struct in_addr);
int inet_pton(int, const char *__CR_RESTRICT, void *__CR_RESTRICT);
const char *inet_ntop(int, const void *__CR_RESTRICT, char *__CR_RESTRICT, socklen_t);
#ifdef __USE_MISC
int inet_aton(const char *, struct in_addr *);
#endif
#endif
