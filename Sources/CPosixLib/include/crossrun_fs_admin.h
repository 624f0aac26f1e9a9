#ifndef CROSSRUN_FS_ADMIN_H
#define CROSSRUN_FS_ADMIN_H
#include <stddef.h>
/// Extended attributes on host paths (`follow` 0: the l* calls) and host descriptors.
long crossrun_getxattr(const char *path, int follow, const char *name, void *value, size_t size);
long crossrun_fgetxattr(int fd, const char *name, void *value, size_t size);
int crossrun_setxattr(const char *path, int follow, const char *name, const void *value, size_t size, int flags);
int crossrun_fsetxattr(int fd, const char *name, const void *value, size_t size, int flags);
long crossrun_listxattr(const char *path, int follow, char *list, size_t size);
long crossrun_flistxattr(int fd, char *list, size_t size);
int crossrun_removexattr(const char *path, int follow, const char *name);
int crossrun_fremovexattr(int fd, const char *name);
/// mount, umount2, swapon, swapoff and personality: the host's (privileged but for personality).
int crossrun_mount(const char *source, const char *target, const char *type, unsigned long flags, const void *data);
int crossrun_umount2(const char *target, int flags);
int crossrun_swapon(const char *path, int flags);
int crossrun_swapoff(const char *path);
int crossrun_personality(unsigned long persona);
#endif
