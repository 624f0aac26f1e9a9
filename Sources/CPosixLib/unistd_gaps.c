#define _GNU_SOURCE 1
#include <unistd.h>
#include "crossrun_unistd_gaps.h"

long crossrun_copy_file_range(int in, long *in_offset, int out, long *out_offset, size_t length, unsigned flags) {
    return copy_file_range(in, (off_t *)in_offset, out, (off_t *)out_offset, length, flags);
}

#include <fcntl.h>
#include <stdio.h>

int crossrun_fallocate(int fd, int mode, long offset, long length) {
    return fallocate(fd, mode, (off_t)offset, (off_t)length);
}

long crossrun_readahead(int fd, long offset, size_t count) {
    return readahead(fd, (off_t)offset, count);
}

int crossrun_sync_file_range(int fd, long offset, long count, unsigned flags) {
    return sync_file_range(fd, (off_t)offset, (off_t)count, flags);
}

int crossrun_renameat2(int old_dir, const char *old_path, int new_dir, const char *new_path, unsigned flags) {
    return renameat2(old_dir, old_path, new_dir, new_path, flags);
}

#include <sys/mman.h>

int crossrun_memfd_create(const char *name, unsigned flags) {
    return memfd_create(name, flags);
}

int crossrun_euidaccess(const char *path, int mode) {
    return euidaccess(path, mode);
}

#include <sys/resource.h>

int crossrun_prlimit(int pid, int resource, int set, const unsigned long *limits, int get, unsigned long *old) {
    struct rlimit n = {set ? limits[0] : 0, set ? limits[1] : 0}, o;
    int r = prlimit(pid, resource, set ? &n : NULL, get ? &o : NULL);
    if (r == 0 && get) { old[0] = o.rlim_cur; old[1] = o.rlim_max; }
    return r;
}
