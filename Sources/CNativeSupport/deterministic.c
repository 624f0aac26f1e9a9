// `--deterministic` (doc/CLI.md): fixed clocks, process ids and random bytes, shared by the
// emulator (its library functions and system calls) and native runs (import bindings).
#define _GNU_SOURCE
#include "deterministic.h"
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static const uint64_t random_start = 0x2545f4914f6cdd1dULL;
static uint64_t virtual_ns;
static uint64_t random_state = random_start;

void crossrun_det_reset(void) {
    virtual_ns = 0;
    random_state = random_start;
}

uint64_t crossrun_det_tick(void) {
    virtual_ns += CROSSRUN_DET_STEP_NS;
    return virtual_ns;
}

void crossrun_det_advance(uint64_t nanoseconds) {
    virtual_ns = nanoseconds > UINT64_MAX - virtual_ns ? UINT64_MAX : virtual_ns + nanoseconds;
}

/// SplitMix64: small, fast and the same on every host.
static uint64_t next64(uint64_t *state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void fill_from(uint64_t *state, void *buffer, size_t count) {
    unsigned char *p = buffer;
    while (count > 0) {
        uint64_t v = next64(state);
        size_t n = count < 8 ? count : 8;
        memcpy(p, &v, n);
        p += n;
        count -= n;
    }
}

int crossrun_det_clock_gettime(int clock, int64_t *seconds, int64_t *nanoseconds) {
    int realtime;
    switch (clock) {
    case CLOCK_REALTIME: case CLOCK_REALTIME_COARSE: case 8 /* CLOCK_REALTIME_ALARM */: case 11 /* CLOCK_TAI */:
        realtime = 1;
        break;
    case CLOCK_MONOTONIC: case CLOCK_MONOTONIC_RAW: case CLOCK_MONOTONIC_COARSE: case CLOCK_BOOTTIME:
    case 9 /* CLOCK_BOOTTIME_ALARM */: case CLOCK_PROCESS_CPUTIME_ID: case CLOCK_THREAD_CPUTIME_ID:
        realtime = 0;
        break;
    default:
        errno = EINVAL;
        return -1;
    }
    uint64_t ns = crossrun_det_tick();
    *seconds = (int64_t)(ns / 1000000000u) + (realtime ? CROSSRUN_DET_EPOCH : 0);
    *nanoseconds = (int64_t)(ns % 1000000000u);
    return 0;
}

int64_t crossrun_det_time(int64_t *out) {
    int64_t s, ns;
    crossrun_det_clock_gettime(CLOCK_REALTIME, &s, &ns);
    if (out) *out = s;
    return s;
}

int64_t crossrun_det_clock(void) { return (int64_t)(crossrun_det_tick() / 1000u); }

void crossrun_det_fill(void *buffer, size_t count) { fill_from(&random_state, buffer, count); }

uint32_t crossrun_det_arc4random(void) { return (uint32_t)(next64(&random_state) >> 32); }

uint32_t crossrun_det_arc4random_uniform(uint32_t bound) {
    if (bound < 2) return 0;
    uint32_t floor = (uint32_t)(-bound) % bound;   /* rejects the biased low values, as OpenBSD */
    for (;;) {
        uint32_t r = crossrun_det_arc4random();
        if (r >= floor) return r % bound;
    }
}

static char device_path[64];

const char *crossrun_det_random_device(void) {
    if (device_path[0]) return device_path;
    int fd = memfd_create("crossrun-urandom", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) return NULL;
    static unsigned char chunk[65536];
    uint64_t state = 0x6a09e667f3bcc909ULL;   /* its own stream: the same bytes whatever the program did before */
    for (size_t done = 0; done < CROSSRUN_DET_DEVICE_BYTES; done += sizeof chunk) {
        fill_from(&state, chunk, sizeof chunk);
        size_t off = 0;
        while (off < sizeof chunk) {
            ssize_t n = write(fd, chunk + off, sizeof chunk - off);
            if (n <= 0) { close(fd); return NULL; }
            off += (size_t)n;
        }
    }
    /* Read-only from now on: every open sees the same bytes. */
    fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL);
    snprintf(device_path, sizeof device_path, "/proc/self/fd/%d", fd);
    return device_path;
}

const char *crossrun_det_path(const char *path) {
    if (path && (strcmp(path, "/dev/urandom") == 0 || strcmp(path, "/dev/random") == 0)) {
        const char *device = crossrun_det_random_device();
        if (device) return device;
    }
    return path;
}

/* ---- native bindings: the host functions' signatures ---- */

static int det_clock_gettime(clockid_t clock, struct timespec *ts) {
    int64_t s, ns;
    if (crossrun_det_clock_gettime(clock, &s, &ns) != 0) return -1;
    ts->tv_sec = (time_t)s;
    ts->tv_nsec = (long)ns;
    return 0;
}

static int det_gettimeofday(struct timeval *tv, void *zone) {
    (void)zone;
    int64_t s, ns;
    crossrun_det_clock_gettime(CLOCK_REALTIME, &s, &ns);
    if (tv) { tv->tv_sec = (time_t)s; tv->tv_usec = (suseconds_t)(ns / 1000); }
    return 0;
}

static int det_timespec_get(struct timespec *ts, int base) {
    if (base != TIME_UTC) return 0;
    det_clock_gettime(CLOCK_REALTIME, ts);
    return base;
}

static time_t det_time(time_t *out) {
    time_t t = (time_t)crossrun_det_time(NULL);
    if (out) *out = t;
    return t;
}

static clock_t det_clock(void) { return (clock_t)crossrun_det_clock(); }
static pid_t det_getpid(void) { return CROSSRUN_DET_PID; }
static pid_t det_getppid(void) { return CROSSRUN_DET_PPID; }
static void det_arc4random_buf(void *buffer, size_t count) { crossrun_det_fill(buffer, count); }

static ssize_t det_getrandom(void *buffer, size_t count, unsigned flags) {
    (void)flags;
    if (count > 33554431) count = 33554431;
    crossrun_det_fill(buffer, count);
    return (ssize_t)count;
}

static int det_getentropy(void *buffer, size_t count) {
    if (count > 256) {
        errno = EIO;
        return -1;
    }
    crossrun_det_fill(buffer, count);
    return 0;
}

/* The program's own pid is the fixed one: kill(getpid(), sig) must reach it. */
static int det_kill(pid_t pid, int sig) { return kill(pid == CROSSRUN_DET_PID ? getpid() : pid, sig); }

/* Sleeping moves the virtual clock on by the time asked for (and still sleeps). */
static unsigned det_sleep(unsigned seconds) {
    crossrun_det_advance((uint64_t)seconds * 1000000000u);
    return sleep(seconds);
}

static int det_usleep(useconds_t microseconds) {
    crossrun_det_advance((uint64_t)microseconds * 1000u);
    return usleep(microseconds);
}

static int det_nanosleep(const struct timespec *request, struct timespec *remaining) {
    if (request && request->tv_sec >= 0 && request->tv_nsec >= 0 && request->tv_nsec < 1000000000)
        crossrun_det_advance((uint64_t)request->tv_sec * 1000000000u + (uint64_t)request->tv_nsec);
    return nanosleep(request, remaining);
}

static int det_open(const char *path, int flags, ...) {
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    return open(crossrun_det_path(path), flags, mode);
}

static int det_openat(int dirfd, const char *path, int flags, ...) {
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    return openat(dirfd, crossrun_det_path(path), flags, mode);
}

static FILE *det_fopen(const char *path, const char *mode) { return fopen(crossrun_det_path(path), mode); }
static FILE *det_freopen(const char *path, const char *mode, FILE *stream) {
    return freopen(path ? crossrun_det_path(path) : NULL, mode, stream);
}

size_t crossrun_det_bindings(const char **names, void **addresses, size_t capacity) {
    static const struct { const char *name; void *address; } table[] = {
        {"clock_gettime", (void *)det_clock_gettime}, {"gettimeofday", (void *)det_gettimeofday},
        {"timespec_get", (void *)det_timespec_get}, {"time", (void *)det_time}, {"clock", (void *)det_clock},
        {"getpid", (void *)det_getpid}, {"getppid", (void *)det_getppid},
        {"arc4random", (void *)crossrun_det_arc4random}, {"arc4random_uniform", (void *)crossrun_det_arc4random_uniform},
        {"arc4random_buf", (void *)det_arc4random_buf}, {"kill", (void *)det_kill},
        {"getrandom", (void *)det_getrandom}, {"getentropy", (void *)det_getentropy},
        {"sleep", (void *)det_sleep}, {"usleep", (void *)det_usleep}, {"nanosleep", (void *)det_nanosleep},
        {"open", (void *)det_open}, {"openat", (void *)det_openat}, {"fopen", (void *)det_fopen},
        {"freopen", (void *)det_freopen},
        {"malloc", (void *)crossrun_det_malloc}, {"calloc", (void *)crossrun_det_calloc},
        {"realloc", (void *)crossrun_det_realloc}, {"reallocarray", (void *)crossrun_det_reallocarray},
        {"free", (void *)crossrun_det_free}, {"malloc_usable_size", (void *)crossrun_det_malloc_usable_size},
        {"getdelim", (void *)crossrun_det_getdelim}, {"getline", (void *)crossrun_det_getline},
    };
    size_t count = sizeof table / sizeof table[0];
    for (size_t i = 0; i < count && i < capacity; i++) {
        names[i] = table[i].name;
        addresses[i] = table[i].address;
    }
    return count;
}

int crossrun_det_disable_aslr(void) {
    int current = personality(0xffffffff);
    if (current < 0) return -1;
    if (current & ADDR_NO_RANDOMIZE) return 0;
    return personality((unsigned long)current | ADDR_NO_RANDOMIZE) < 0 ? -1 : 0;
}
