#define _GNU_SOURCE 1
#include <unistd.h>
#include "crossrun_unistd_gaps.h"

long crossrun_copy_file_range(int in, long *in_offset, int out, long *out_offset, size_t length, unsigned flags) {
    return copy_file_range(in, (off_t *)in_offset, out, (off_t *)out_offset, length, flags);
}
