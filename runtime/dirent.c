/* CrossRun's guest runtime: directory scanning with the program's callbacks (scandir's filter
 * and comparator run as target code, as qsort's do in sort.c), and readdir_r over readdir.
 * Linked into the image only when the program uses one of these (doc/ARCHITECTURE.md,
 * "Guest runtime"). */
#define _GNU_SOURCE 1
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef int (*filter_fn)(const struct dirent *);
typedef int (*compare_fn)(const struct dirent **, const struct dirent **);

int alphasort(const struct dirent **a, const struct dirent **b) {
    return strcoll((*a)->d_name, (*b)->d_name);
}

int versionsort(const struct dirent **a, const struct dirent **b) {
    return strverscmp((*a)->d_name, (*b)->d_name);
}

static void release(struct dirent **list, size_t n) {
    while (n > 0) free(list[--n]);
    free(list);
}

/* Reads `dir` to its end; on success *out holds the kept entries, sorted. The caller closes dir. */
static int scan(DIR *dir, struct dirent ***out, filter_fn filter, compare_fn compare) {
    struct dirent **list = NULL;
    size_t n = 0, capacity = 0;
    for (;;) {
        errno = 0;
        struct dirent *e = readdir(dir);
        if (e == NULL) {
            if (errno != 0) goto fail;
            break;
        }
        if (filter != NULL && !filter(e)) continue;
        if (n == capacity) {
            size_t grown = capacity ? capacity * 2 : 16;
            if (grown > (size_t)INT_MAX || grown > SIZE_MAX / sizeof *list) { errno = EOVERFLOW; goto fail; }
            struct dirent **bigger = realloc(list, grown * sizeof *list);
            if (bigger == NULL) goto fail;
            list = bigger;
            capacity = grown;
        }
        /* A whole struct, so code reading any field of the copy stays inside it. */
        struct dirent *copy = malloc(sizeof *copy);
        if (copy == NULL) goto fail;
        memcpy(copy, e, offsetof(struct dirent, d_name) + strlen(e->d_name) + 1);
        list[n++] = copy;
    }
    if (compare != NULL && n > 1)
        qsort(list, n, sizeof *list, (int (*)(const void *, const void *))compare);
    *out = list;
    return (int)n;
fail:;
    int saved = errno;
    release(list, n);
    errno = saved;
    return -1;
}

static int scan_and_close(DIR *dir, struct dirent ***out, filter_fn filter, compare_fn compare) {
    int saved = errno;
    int n = scan(dir, out, filter, compare);
    int error = errno;
    closedir(dir);
    errno = n < 0 ? error : saved;
    return n;
}

int scandir(const char *path, struct dirent ***out, filter_fn filter, compare_fn compare) {
    DIR *dir = opendir(path);
    if (dir == NULL) return -1;
    return scan_and_close(dir, out, filter, compare);
}

int scandirat(int dirfd, const char *path, struct dirent ***out, filter_fn filter, compare_fn compare) {
    int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -1;
    DIR *dir = fdopendir(fd);
    if (dir == NULL) {
        int error = errno;
        close(fd);
        errno = error;
        return -1;
    }
    return scan_and_close(dir, out, filter, compare);
}

int readdir_r(DIR *dir, struct dirent *entry, struct dirent **result) {
    int saved = errno;
    errno = 0;
    struct dirent *e = readdir(dir);
    int error = errno;
    errno = saved;
    *result = NULL;
    if (e == NULL) return error;
    memcpy(entry, e, offsetof(struct dirent, d_name) + strlen(e->d_name) + 1);
    *result = entry;
    return 0;
}
