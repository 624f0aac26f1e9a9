/* Sockets: glibc's names and LP64 Linux's layouts and numbers (the same on x86-64, aarch64
   and riscv64). Emulated, each call is the host's socket call on host descriptors, with
   addresses and messages copied through checked guest memory (doc/LIBC.md). */
#ifndef _SYS_SOCKET_H
#define _SYS_SOCKET_H 1
#include <features.h>
#include <_crossrun_types.h>
#include <sys/types.h>   /* as glibc's: fd_set and select come along (Jim Tcl relies on it) */
#include <sys/uio.h>

typedef unsigned int socklen_t;
typedef unsigned short sa_family_t;

struct sockaddr { sa_family_t sa_family; char sa_data[14]; };
struct sockaddr_storage { sa_family_t ss_family; char __ss_padding[118]; unsigned long __ss_align; };
struct msghdr {
    void *msg_name;
    socklen_t msg_namelen;
    struct iovec *msg_iov;
    size_t msg_iovlen;
    void *msg_control;
    size_t msg_controllen;
    int msg_flags;
};
struct cmsghdr { size_t cmsg_len; int cmsg_level; int cmsg_type; __extension__ unsigned char __cmsg_data[]; };
struct linger { int l_onoff; int l_linger; };
#ifdef __USE_GNU
struct ucred { pid_t pid; uid_t uid; gid_t gid; };
#endif

#define CMSG_DATA(cmsg) ((cmsg)->__cmsg_data)
#define CMSG_ALIGN(len) (((len) + sizeof(size_t) - 1) & (size_t) ~(sizeof(size_t) - 1))
#define CMSG_SPACE(len) (CMSG_ALIGN(len) + CMSG_ALIGN(sizeof(struct cmsghdr)))
#define CMSG_LEN(len) (CMSG_ALIGN(sizeof(struct cmsghdr)) + (len))
#define CMSG_FIRSTHDR(mhdr) \
    ((size_t)(mhdr)->msg_controllen >= sizeof(struct cmsghdr) ? (struct cmsghdr *)(mhdr)->msg_control : (struct cmsghdr *)0)
/* glibc's __cmsg_nxthdr, inline. */
static __inline__ struct cmsghdr *__crossrun_cmsg_nxthdr(struct msghdr *__mhdr, struct cmsghdr *__cmsg) {
    if ((size_t)__cmsg->cmsg_len < sizeof(struct cmsghdr)) return (struct cmsghdr *)0;
    __cmsg = (struct cmsghdr *)((unsigned char *)__cmsg + CMSG_ALIGN(__cmsg->cmsg_len));
    if ((unsigned char *)(__cmsg + 1) > ((unsigned char *)__mhdr->msg_control + __mhdr->msg_controllen)
        || ((unsigned char *)__cmsg + CMSG_ALIGN(__cmsg->cmsg_len) > ((unsigned char *)__mhdr->msg_control + __mhdr->msg_controllen)))
        return (struct cmsghdr *)0;
    return __cmsg;
}
#define CMSG_NXTHDR(mhdr, cmsg) __crossrun_cmsg_nxthdr(mhdr, cmsg)

#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_RAW 3
#define SOCK_RDM 4
#define SOCK_SEQPACKET 5
#define SOCK_NONBLOCK 04000
#define SOCK_CLOEXEC 02000000

#define PF_UNSPEC 0
#define PF_LOCAL 1
#define PF_UNIX PF_LOCAL
#define PF_FILE PF_LOCAL
#define PF_INET 2
#define PF_INET6 10
#define PF_NETLINK 16
#define PF_PACKET 17
#define AF_UNSPEC PF_UNSPEC
#define AF_LOCAL PF_LOCAL
#define AF_UNIX PF_UNIX
#define AF_FILE PF_FILE
#define AF_INET PF_INET
#define AF_INET6 PF_INET6
#define AF_NETLINK PF_NETLINK
#define AF_PACKET PF_PACKET

#define SOL_SOCKET 1
#define SO_DEBUG 1
#define SO_REUSEADDR 2
#define SO_TYPE 3
#define SO_ERROR 4
#define SO_DONTROUTE 5
#define SO_BROADCAST 6
#define SO_SNDBUF 7
#define SO_RCVBUF 8
#define SO_KEEPALIVE 9
#define SO_OOBINLINE 10
#define SO_PRIORITY 12
#define SO_LINGER 13
#define SO_REUSEPORT 15
#define SO_PASSCRED 16
#define SO_PEERCRED 17
#define SO_RCVLOWAT 18
#define SO_SNDLOWAT 19
#define SO_RCVTIMEO 20
#define SO_SNDTIMEO 21
#define SO_ACCEPTCONN 30
#define SO_PROTOCOL 38
#define SO_DOMAIN 39
#define SOMAXCONN 4096

#define SCM_RIGHTS 1
#ifdef __USE_GNU
#define SCM_CREDENTIALS 2
#endif

#define MSG_OOB 0x01
#define MSG_PEEK 0x02
#define MSG_DONTROUTE 0x04
#define MSG_CTRUNC 0x08
#define MSG_TRUNC 0x20
#define MSG_DONTWAIT 0x40
#define MSG_EOR 0x80
#define MSG_WAITALL 0x100
#define MSG_ERRQUEUE 0x2000
#define MSG_NOSIGNAL 0x4000
#define MSG_MORE 0x8000
#define MSG_CMSG_CLOEXEC 0x40000000

enum { SHUT_RD = 0, SHUT_WR, SHUT_RDWR };
#define SHUT_RD SHUT_RD
#define SHUT_WR SHUT_WR
#define SHUT_RDWR SHUT_RDWR

int socket(int, int, int);
int socketpair(int, int, int, int[2]);
int bind(int, const struct sockaddr *, socklen_t);
int listen(int, int);
int accept(int, struct sockaddr *__CR_RESTRICT, socklen_t *__CR_RESTRICT);
#ifdef __USE_GNU
int accept4(int, struct sockaddr *__CR_RESTRICT, socklen_t *__CR_RESTRICT, int);
#endif
int connect(int, const struct sockaddr *, socklen_t);
int shutdown(int, int);
#ifdef __USE_XOPEN2K
/* 1 when the socket's read position is at the out-of-band mark. */
int sockatmark(int);
#endif
ssize_t send(int, const void *, size_t, int);
ssize_t recv(int, void *, size_t, int);
ssize_t sendto(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
ssize_t recvfrom(int, void *__CR_RESTRICT, size_t, int, struct sockaddr *__CR_RESTRICT, socklen_t *__CR_RESTRICT);
ssize_t sendmsg(int, const struct msghdr *, int);
ssize_t recvmsg(int, struct msghdr *, int);
#ifdef __USE_GNU
/* Several datagrams per call: each message's byte count lands in its msg_len. recvmmsg's
   timeout is not applied (Linux checks it only after each datagram). */
struct mmsghdr { struct msghdr msg_hdr; unsigned int msg_len; };
#define MSG_WAITFORONE 0x10000
int sendmmsg(int, struct mmsghdr *, unsigned int, int);
struct timespec;
int recvmmsg(int, struct mmsghdr *, unsigned int, int, struct timespec *);
#endif
int getsockopt(int, int, int, void *__CR_RESTRICT, socklen_t *__CR_RESTRICT);
int setsockopt(int, int, int, const void *, socklen_t);
int getsockname(int, struct sockaddr *__CR_RESTRICT, socklen_t *__CR_RESTRICT);
int getpeername(int, struct sockaddr *__CR_RESTRICT, socklen_t *__CR_RESTRICT);
#endif
