/* <sys/random.h>: the kernel's random source (under --deterministic the fixed stream, as
   /dev/urandom and arc4random). */
#ifndef _SYS_RANDOM_H
#define _SYS_RANDOM_H 1
#include <_crossrun_types.h>
#define GRND_NONBLOCK 0x01
#define GRND_RANDOM 0x02
#define GRND_INSECURE 0x04
ssize_t getrandom(void *, size_t, unsigned int);
/* At most 256 bytes (EIO beyond, as glibc). */
int getentropy(void *, size_t);
#endif
