#define _GNU_SOURCE 1
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/swap.h>
#include <sys/xattr.h>
#include "crossrun_fs_admin.h"

long crossrun_getxattr(const char *path, int follow, const char *name, void *value, size_t size) {
    return follow ? getxattr(path, name, value, size) : lgetxattr(path, name, value, size);
}
long crossrun_fgetxattr(int fd, const char *name, void *value, size_t size) { return fgetxattr(fd, name, value, size); }
int crossrun_setxattr(const char *path, int follow, const char *name, const void *value, size_t size, int flags) {
    return follow ? setxattr(path, name, value, size, flags) : lsetxattr(path, name, value, size, flags);
}
int crossrun_fsetxattr(int fd, const char *name, const void *value, size_t size, int flags) {
    return fsetxattr(fd, name, value, size, flags);
}
long crossrun_listxattr(const char *path, int follow, char *list, size_t size) {
    return follow ? listxattr(path, list, size) : llistxattr(path, list, size);
}
long crossrun_flistxattr(int fd, char *list, size_t size) { return flistxattr(fd, list, size); }
int crossrun_removexattr(const char *path, int follow, const char *name) {
    return follow ? removexattr(path, name) : lremovexattr(path, name);
}
int crossrun_fremovexattr(int fd, const char *name) { return fremovexattr(fd, name); }
int crossrun_mount(const char *source, const char *target, const char *type, unsigned long flags, const void *data) {
    return mount(source, target, type, flags, data);
}
int crossrun_umount2(const char *target, int flags) { return umount2(target, flags); }
int crossrun_swapon(const char *path, int flags) { return swapon(path, flags); }
int crossrun_swapoff(const char *path) { return swapoff(path); }
int crossrun_personality(unsigned long persona) { return personality(persona); }
