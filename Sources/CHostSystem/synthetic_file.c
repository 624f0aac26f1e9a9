// Read-only in-memory files the emulator serves in place of host files (/proc/cpuinfo
// describing the emulated CPU): a sealed memfd per name, opened through /proc/self/fd/N.
#define _GNU_SOURCE
#include "CHostSystem.h"
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

enum { MAX_FILES = 8, MAX_NAME = 32 };

static struct { char name[MAX_NAME]; char path[40]; } files[MAX_FILES];
static int file_count;
static pthread_mutex_t files_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *make_file(const char *name, const void *bytes, size_t length, char *path, size_t size) {
    int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) return NULL;
    const char *p = bytes;
    size_t left = length;
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n <= 0) { close(fd); return NULL; }
        p += n;
        left -= (size_t)n;
    }
    fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL);
    snprintf(path, size, "/proc/self/fd/%d", fd);
    return path;
}

const char *crossrun_synthetic_file(const char *name, const void *bytes, size_t length) {
    if (!name || strlen(name) >= MAX_NAME) return NULL;
    const char *result = NULL;
    pthread_mutex_lock(&files_lock);
    for (int i = 0; i < file_count && !result; i++)
        if (strcmp(files[i].name, name) == 0) result = files[i].path;
    if (!result && file_count < MAX_FILES) {
        result = make_file(name, bytes, length, files[file_count].path, sizeof files[file_count].path);
        if (result) strcpy(files[file_count++].name, name);
    }
    pthread_mutex_unlock(&files_lock);
    return result;
}

enum { MAX_GENERATED = 8 };
static int generated[MAX_GENERATED] = {-1, -1, -1, -1, -1, -1, -1, -1};
static int generated_next;

int crossrun_generated_file(const void *bytes, size_t length, char *path, size_t size) {
    char made[40];
    if (!make_file("crossrun-generated", bytes, length, made, sizeof made)) return -1;
    int fd = atoi(made + strlen("/proc/self/fd/"));
    /* Out of the way of the guest's descriptor numbers (they are the host's). */
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
        rlim_t top = limit.rlim_cur < 65536 ? limit.rlim_cur : 65536;
        if (top > 64) {
            int moved = fcntl(fd, F_DUPFD_CLOEXEC, (int)(top - 48));
            if (moved >= 0) { close(fd); fd = moved; }
        }
    }
    pthread_mutex_lock(&files_lock);
    if (generated[generated_next] >= 0) close(generated[generated_next]);
    generated[generated_next] = fd;
    generated_next = (generated_next + 1) % MAX_GENERATED;
    pthread_mutex_unlock(&files_lock);
    snprintf(path, size, "/proc/self/fd/%d", fd);
    return 0;
}
