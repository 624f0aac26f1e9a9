// SHA-256's compression function on the host CPU's SHA extensions (x86-64 SHA-NI), for
// CrossRunSupport's SHA256: the compile cache hashes every source and object a warm run
// reads, and the portable Swift rounds were a fifth of a warm hello.c's instructions.
#ifndef CROSSRUN_HASH_SUPPORT_H
#define CROSSRUN_HASH_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU has the SHA extensions (and the SSSE3/SSE4.1 they are used with), so
/// crossrun_sha256_blocks may be called; 0 otherwise (and on hosts other than x86-64).
int crossrun_sha256_hardware(void);

/// Mixes `blocks` 64-byte blocks at `data` into the SHA-256 chaining state `state` (eight
/// words, a, b, ..., h, as FIPS 180-4 names them). Only when crossrun_sha256_hardware() is 1.
void crossrun_sha256_blocks(uint32_t state[8], const uint8_t *data, size_t blocks);

#endif
