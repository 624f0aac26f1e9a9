#ifndef CROSSRUN_UNISTD_GAPS_H
#define CROSSRUN_UNISTD_GAPS_H
#include <stddef.h>
/// copy_file_range (glibc declares it only under _GNU_SOURCE); NULL offsets use the files'.
long crossrun_copy_file_range(int in, long *in_offset, int out, long *out_offset, size_t length, unsigned flags);
/// fallocate, readahead and sync_file_range on a host descriptor (glibc: _GNU_SOURCE only).
int crossrun_fallocate(int fd, int mode, long offset, long length);
long crossrun_readahead(int fd, long offset, size_t count);
int crossrun_sync_file_range(int fd, long offset, long count, unsigned flags);
/// renameat2 with RENAME_NOREPLACE/EXCHANGE/WHITEOUT (glibc: _GNU_SOURCE only).
int crossrun_renameat2(int old_dir, const char *old_path, int new_dir, const char *new_path, unsigned flags);
/// memfd_create and euidaccess (glibc: _GNU_SOURCE only).
int crossrun_memfd_create(const char *name, unsigned flags);
int crossrun_euidaccess(const char *path, int mode);
/// prlimit (glibc: _GNU_SOURCE only): limits[0..1] new (if `set`), old[0..1] filled (if `get`).
int crossrun_prlimit(int pid, int resource, int set, const unsigned long *limits, int get, unsigned long *old);
#endif
