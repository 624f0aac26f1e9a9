#ifndef CROSSRUN_UNISTD_GAPS_H
#define CROSSRUN_UNISTD_GAPS_H
#include <stddef.h>
/// copy_file_range (glibc declares it only under _GNU_SOURCE); NULL offsets use the files'.
long crossrun_copy_file_range(int in, long *in_offset, int out, long *out_offset, size_t length, unsigned flags);
#endif
