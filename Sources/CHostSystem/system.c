#define _GNU_SOURCE
#include "CHostSystem.h"
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/file.h>
#include <sys/statvfs.h>
#include <fcntl.h>

_Static_assert(F_OFD_GETLK == CROSSRUN_F_OFD_GETLK && F_OFD_SETLK == CROSSRUN_F_OFD_SETLK && F_OFD_SETLKW == CROSSRUN_F_OFD_SETLKW, "F_OFD_*");
_Static_assert(AT_EMPTY_PATH == CROSSRUN_AT_EMPTY_PATH, "AT_EMPTY_PATH");

int crossrun_flock(int fd, int operation) { return flock(fd, operation); }
int crossrun_statvfs(const char *path, struct statvfs *buf) { return statvfs(path, buf); }

int crossrun_ioctl_pointer(int fd, unsigned long request, void *arg) { return ioctl(fd, request, arg); }

void *crossrun_mremap_maymove(void *old, size_t old_size, size_t new_size) {
    return mremap(old, old_size, new_size, MREMAP_MAYMOVE);
}
