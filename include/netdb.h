/* Name and address resolution: glibc's names and LP64 layouts. Emulated, results are built
   on the guest heap from the host resolver's answers. */
#ifndef _NETDB_H
#define _NETDB_H 1
#include <features.h>
#include <netinet/in.h>

struct hostent {
    char *h_name;
    char **h_aliases;
    int h_addrtype;
    int h_length;
    char **h_addr_list;
};
#ifdef __USE_MISC
#define h_addr h_addr_list[0]
#endif
struct servent { char *s_name; char **s_aliases; int s_port; char *s_proto; };
struct addrinfo {
    int ai_flags;
    int ai_family;
    int ai_socktype;
    int ai_protocol;
    socklen_t ai_addrlen;
    struct sockaddr *ai_addr;
    char *ai_canonname;
    struct addrinfo *ai_next;
};

int *__h_errno_location(void);
#define h_errno (*__h_errno_location())
#define HOST_NOT_FOUND 1
#define TRY_AGAIN 2
#define NO_RECOVERY 3
#define NO_DATA 4
#define NO_ADDRESS NO_DATA

#define AI_PASSIVE 0x0001
#define AI_CANONNAME 0x0002
#define AI_NUMERICHOST 0x0004
#define AI_V4MAPPED 0x0008
#define AI_ALL 0x0010
#define AI_ADDRCONFIG 0x0020
#define AI_NUMERICSERV 0x0400

#define EAI_BADFLAGS -1
#define EAI_NONAME -2
#define EAI_AGAIN -3
#define EAI_FAIL -4
#define EAI_FAMILY -6
#define EAI_SOCKTYPE -7
#define EAI_SERVICE -8
#define EAI_MEMORY -10
#define EAI_SYSTEM -11
#define EAI_OVERFLOW -12
#ifdef __USE_GNU
#define EAI_NODATA -5
#define EAI_ADDRFAMILY -9
#endif

#define NI_MAXHOST 1025
#define NI_MAXSERV 32
#define NI_NUMERICHOST 1
#define NI_NUMERICSERV 2
#define NI_NOFQDN 4
#define NI_NAMEREQD 8
#define NI_DGRAM 16

int getaddrinfo(const char *__CR_RESTRICT, const char *__CR_RESTRICT, const struct addrinfo *__CR_RESTRICT,
                struct addrinfo **__CR_RESTRICT);
void freeaddrinfo(struct addrinfo *);
const char *gai_strerror(int);
int getnameinfo(const struct sockaddr *__CR_RESTRICT, socklen_t, char *__CR_RESTRICT, socklen_t, char *__CR_RESTRICT,
                socklen_t, int);
struct hostent *gethostbyname(const char *);
struct hostent *gethostbyaddr(const void *, socklen_t, int);
struct servent *getservbyname(const char *, const char *);
struct servent *getservbyport(int, const char *);
#ifdef __USE_MISC
const char *hstrerror(int);
/* "STRING: " and hstrerror(h_errno) on stderr. */
void herror(const char *);
#endif
/* The hosts file in order (emulated: the host's /etc/hosts; nothing under --root). */
void sethostent(int);
void endhostent(void);
struct hostent *gethostent(void);
/* The services and protocols databases in order, and by protocol (emulated: the host's;
   under --root nothing is found, as for the other name lookups). */
struct protoent { char *p_name; char **p_aliases; int p_proto; };
void setservent(int);
void endservent(void);
struct servent *getservent(void);
void setprotoent(int);
void endprotoent(void);
struct protoent *getprotoent(void);
struct protoent *getprotobyname(const char *);
struct protoent *getprotobynumber(int);
#ifdef __USE_MISC
/* gethostbyname for one address family, and the reentrant forms packing the entry into the
   caller's buffer (ERANGE when it does not fit). */
struct hostent *gethostbyname2(const char *, int);
int gethostbyname_r(const char *__CR_RESTRICT, struct hostent *__CR_RESTRICT, char *__CR_RESTRICT, size_t,
                    struct hostent **__CR_RESTRICT, int *__CR_RESTRICT);
int gethostbyname2_r(const char *__CR_RESTRICT, int, struct hostent *__CR_RESTRICT, char *__CR_RESTRICT, size_t,
                     struct hostent **__CR_RESTRICT, int *__CR_RESTRICT);
int gethostbyaddr_r(const void *__CR_RESTRICT, socklen_t, int, struct hostent *__CR_RESTRICT, char *__CR_RESTRICT, size_t,
                    struct hostent **__CR_RESTRICT, int *__CR_RESTRICT);
int getservbyname_r(const char *__CR_RESTRICT, const char *__CR_RESTRICT, struct servent *__CR_RESTRICT, char *__CR_RESTRICT,
                    size_t, struct servent **__CR_RESTRICT);
int getservbyport_r(int, const char *__CR_RESTRICT, struct servent *__CR_RESTRICT, char *__CR_RESTRICT, size_t,
                    struct servent **__CR_RESTRICT);
int getprotobyname_r(const char *__CR_RESTRICT, struct protoent *__CR_RESTRICT, char *__CR_RESTRICT, size_t,
                     struct protoent **__CR_RESTRICT);
int getprotobynumber_r(int, struct protoent *__CR_RESTRICT, char *__CR_RESTRICT, size_t, struct protoent **__CR_RESTRICT);
/* The next entry of the services/protocols database (setservent/setprotoent rewind), packed
   into the caller's buffer; ENOENT at the end. */
int getservent_r(struct servent *__CR_RESTRICT, char *__CR_RESTRICT, size_t, struct servent **__CR_RESTRICT);
int getprotoent_r(struct protoent *__CR_RESTRICT, char *__CR_RESTRICT, size_t, struct protoent **__CR_RESTRICT);
#endif
#endif
