#ifndef _BYTESWAP_H
#define _BYTESWAP_H 1
/* glibc's byte swaps: inline, no library call. */
#include <stdint.h>
static __inline uint16_t __bswap_16(uint16_t __x) { return __builtin_bswap16(__x); }
static __inline uint32_t __bswap_32(uint32_t __x) { return __builtin_bswap32(__x); }
static __inline uint64_t __bswap_64(uint64_t __x) { return __builtin_bswap64(__x); }
#define bswap_16(x) __bswap_16(x)
#define bswap_32(x) __bswap_32(x)
#define bswap_64(x) __bswap_64(x)
#endif
