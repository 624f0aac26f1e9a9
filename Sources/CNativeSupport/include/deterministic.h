// `--deterministic`: the clocks, process ids and random sources a run sees, fixed. One
// implementation serves both backends: the emulator's library functions and system calls call
// these, and a native image's imports are bound to them (crossrun_det_bindings).
#ifndef CROSSRUN_DETERMINISTIC_H
#define CROSSRUN_DETERMINISTIC_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/// Real time starts here (2025-01-01T00:00:00Z) and every clock reading advances the one
/// virtual clock by CROSSRUN_DET_STEP_NS first (1 ms), whichever clock is read; sleeping
/// advances it by the time asked for.
#define CROSSRUN_DET_EPOCH 1735689600
#define CROSSRUN_DET_STEP_NS 1000000
/// What getpid() and getppid() answer.
#define CROSSRUN_DET_PID 1000
#define CROSSRUN_DET_PPID 999
/// Bytes /dev/urandom and /dev/random hold (a fixed pseudo-random stream; end of file after).
#define CROSSRUN_DET_DEVICE_BYTES (1 << 20)

/// Resets the virtual clock and the random stream to their starting values.
void crossrun_det_reset(void);
/// Nanoseconds since the start of the run after one more step (every clock reading calls it).
uint64_t crossrun_det_tick(void);
/// Moves the virtual clock on by `nanoseconds` (sleep, usleep, nanosleep).
void crossrun_det_advance(uint64_t nanoseconds);
/// clock_gettime for the deterministic clocks: 0, or -1 with errno EINVAL for an unknown clock.
/// Real-time clocks read CROSSRUN_DET_EPOCH + the virtual time, all others the virtual time.
int crossrun_det_clock_gettime(int clock, int64_t *seconds, int64_t *nanoseconds);
int64_t crossrun_det_time(int64_t *out);
/// clock(): the virtual time in microseconds (CLOCKS_PER_SEC is 1000000 on every target).
int64_t crossrun_det_clock(void);
/// Fills `buffer` from the fixed pseudo-random stream (getrandom, arc4random_buf).
void crossrun_det_fill(void *buffer, size_t count);
uint32_t crossrun_det_arc4random(void);
uint32_t crossrun_det_arc4random_uniform(uint32_t bound);
/// The host path that stands for /dev/urandom and /dev/random: a sealed in-memory file of
/// CROSSRUN_DET_DEVICE_BYTES fixed bytes (created on first use; NULL if it cannot be).
const char *crossrun_det_random_device(void);
/// `path`, or the random device's stand-in when `path` names /dev/urandom or /dev/random.
const char *crossrun_det_path(const char *path);

/// Native runs: the malloc family on a heap of its own at a fixed address (deterministic_heap.c);
/// pointers from the host's allocator are passed on to the host's free/realloc.
void *crossrun_det_malloc(size_t size);
void *crossrun_det_calloc(size_t count, size_t size);
void *crossrun_det_realloc(void *p, size_t size);
void *crossrun_det_reallocarray(void *p, size_t count, size_t size);
void crossrun_det_free(void *p);
size_t crossrun_det_malloc_usable_size(void *p);
ssize_t crossrun_det_getdelim(char **line, size_t *n, int delimiter, FILE *stream);
ssize_t crossrun_det_getline(char **line, size_t *n, FILE *stream);

/// Native runs: the host functions a deterministic image's imports are bound to instead of the
/// host C library's. Writes up to `capacity` names and addresses; returns how many there are.
size_t crossrun_det_bindings(const char **names, void **addresses, size_t capacity);
/// Turns address-space randomization off for this process's next exec (personality
/// ADDR_NO_RANDOMIZE); 0 on success.
int crossrun_det_disable_aslr(void);

#endif
