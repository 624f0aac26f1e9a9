// The absolute path of a directory held open, for directories deeper than PATH_MAX, where
// the kernel's own answers (getcwd, readlink of /proc/self/fd/N) stop with ENAMETOOLONG:
// found by walking "..", as glibc's generic getcwd does.
#define _GNU_SOURCE
#include "CHostSystem.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/// The name under which directory `parent` holds the directory `child` describes, copied to
/// `name` (at most `size` bytes with the NUL); 0 or an errno.
static int entry_name(int parent, const struct stat *child, char *name, size_t size) {
    int listing = openat(parent, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (listing < 0) return errno;
    DIR *dir = fdopendir(listing);
    if (!dir) { int e = errno; close(listing); return e; }
    int result = ENOENT;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        const char *n = entry->d_name;
        if (n[0] == '.' && (n[1] == 0 || (n[1] == '.' && n[2] == 0))) continue;
        // d_ino of a mount point is the covered directory's: compare stat's answer there.
        struct stat st;
        if (fstatat(parent, n, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        if (st.st_ino != child->st_ino || st.st_dev != child->st_dev) continue;
        size_t length = strlen(n);
        if (length + 1 > size) { result = ENAMETOOLONG; break; }
        memcpy(name, n, length + 1);
        result = 0;
        break;
    }
    closedir(dir);
    return result;
}

long crossrun_directory_path(int fd, char *out, size_t capacity) {
    if (capacity < 2) return -ERANGE;
    int current = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (current < 0) return -errno;
    struct stat here;
    if (fstat(current, &here) != 0) { int e = errno; close(current); return -e; }
    size_t start = capacity - 1;   // the path is built backwards from the end of `out`
    out[start] = 0;
    char name[256];
    int error = 0;
    for (;;) {
        int parent = openat(current, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (parent < 0) { error = errno; break; }
        struct stat above;
        if (fstat(parent, &above) != 0) { error = errno; close(parent); break; }
        if (above.st_ino == here.st_ino && above.st_dev == here.st_dev) { close(parent); break; }   // the root
        error = entry_name(parent, &here, name, sizeof name);
        if (error) { close(parent); break; }
        size_t length = strlen(name);
        if (length + 1 > start) { error = ERANGE; close(parent); break; }
        start -= length;
        memcpy(out + start, name, length);
        out[--start] = '/';
        close(current);
        current = parent;
        here = above;
    }
    close(current);
    if (error) return -error;
    if (start == capacity - 1) out[--start] = '/';
    size_t length = capacity - 1 - start;
    memmove(out, out + start, length + 1);
    return (long)length;
}
