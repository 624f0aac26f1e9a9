/* CrossRun's guest runtime: <ftw.h>, whose walks call back into the program, so they run
 * as target code linked into the image when the program uses them (doc/ARCHITECTURE.md,
 * "Guest runtime"). glibc's rules: trailing slashes of the start path are dropped; a path
 * that cannot be stat'ed is FTW_NS (FTW_SLN for a dangling symbolic link when links are
 * followed), a directory that cannot be read FTW_DNR; FTW_PHYS reports links as FTW_SL;
 * FTW_MOUNT stays on the start's file system; FTW_DEPTH reports directories after their
 * contents as FTW_DP; FTW_CHDIR makes each directory the working directory while its
 * entries are reported; FTW_ACTIONRETVAL reads FTW_STOP/SKIP_SUBTREE/SKIP_SIBLINGS, and
 * otherwise a non-zero return ends the walk with that value. Each directory's names are read
 * and the directory closed before recursing, so at most one directory is open at a time; the
 * recursion is as deep as the path (PATH_MAX bytes, two or more per level). */
#define _GNU_SOURCE 1
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct walk {
    __nftw_func_t nfn;
    __ftw_func_t fn; /* ftw: called without struct FTW */
    int flags;
    dev_t dev;
    char *cwd; /* the starting working directory (FTW_CHDIR) */
    int skip_siblings; /* FTW_ACTIONRETVAL: the rest of the current directory is skipped */
    char path[PATH_MAX];
};

static int call(struct walk *w, const struct stat *st, int type, int base, int level) {
    if (w->fn) return w->fn(w->path, st, type);
    struct FTW info = {base, level};
    return w->nfn(w->path, st, type, &info);
}

/* A function's result as the walk goes on: under FTW_ACTIONRETVAL only FTW_STOP ends it
   (FTW_SKIP_SIBLINGS skips the rest of the directory), otherwise any non-zero value does. */
static int action(struct walk *w, int r) {
    if (!(w->flags & FTW_ACTIONRETVAL)) return r;
    if (r == FTW_SKIP_SIBLINGS) w->skip_siblings = 1;
    return r == FTW_STOP ? FTW_STOP : 0;
}

/* FTW_CHDIR: the directory holding path[0..end) entries (relative paths from the start). */
static int enter(struct walk *w, size_t end) {
    if (!(w->flags & FTW_CHDIR)) return 0;
    if (chdir(w->cwd) != 0) return -1;
    if (end == 0) return 0;
    char saved = w->path[end];
    w->path[end] = '\0';
    int r = chdir(w->path);
    w->path[end] = saved;
    return r;
}

/* Reads a directory's names into one block ("a\0b\0...\0\0"); NULL when it cannot be read. */
static char *read_names(const char *path) {
    DIR *d = opendir(path);
    if (d == NULL) return NULL;
    size_t size = 0, capacity = 256;
    char *names = malloc(capacity);
    struct dirent *e;
    while (names != NULL && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        size_t n = strlen(e->d_name) + 1;
        if (size + n + 1 > capacity) {
            while (size + n + 1 > capacity) capacity *= 2;
            char *bigger = realloc(names, capacity);
            if (bigger == NULL) {
                free(names);
                names = NULL;
                break;
            }
            names = bigger;
        }
        memcpy(names + size, e->d_name, n);
        size += n;
    }
    closedir(d);
    if (names != NULL) names[size] = '\0';
    return names;
}

/* Reports path[0..length) (its name at base) and, for a directory, what is below it. */
static int visit(struct walk *w, size_t length, int base, int level) {
    struct stat st;
    int follow = !(w->flags & FTW_PHYS);
    int type;
    /* Under FTW_CHDIR the working directory is the entry's own: it is reached by its name. */
    const char *at = (w->flags & FTW_CHDIR) && w->path[base] != '\0' ? w->path + base : w->path;
    if ((follow ? stat(at, &st) : lstat(at, &st)) != 0) {
        if (errno != EACCES && errno != ENOENT) return -1;
        type = follow && lstat(at, &st) == 0 && S_ISLNK(st.st_mode) ? FTW_SLN : FTW_NS;
    } else if (S_ISDIR(st.st_mode)) {
        type = FTW_D;
    } else if (S_ISLNK(st.st_mode)) {
        type = FTW_SL;
    } else {
        type = FTW_F;
    }
    if ((w->flags & FTW_MOUNT) && type != FTW_NS && type != FTW_SLN && st.st_dev != w->dev) return 0;
    if (type != FTW_D) return action(w, call(w, &st, type, base, level));

    char *names = read_names(at);
    if (names == NULL) {
        if (errno != EACCES) return -1;
        return action(w, call(w, &st, FTW_DNR, base, level));
    }
    int depth_first = w->flags & FTW_DEPTH;
    int result = 0;
    if (!depth_first) {
        if (enter(w, (size_t)base) != 0) { free(names); return -1; }
        int r = call(w, &st, FTW_D, base, level);
        if ((w->flags & FTW_ACTIONRETVAL) && r == FTW_SKIP_SUBTREE) { free(names); return 0; }
        result = action(w, r);
        if (result != 0 || w->skip_siblings) { free(names); return result; }
    }
    for (char *name = names; *name != '\0'; name += strlen(name) + 1) {
        size_t n = strlen(name);
        if (length + 1 + n >= sizeof w->path) { free(names); errno = ENAMETOOLONG; return -1; }
        w->path[length] = '/';
        memcpy(w->path + length + 1, name, n + 1);
        if (enter(w, length) != 0) { free(names); return -1; }
        result = visit(w, length + 1 + n, (int)(length + 1), level + 1);
        w->path[length] = '\0';
        if (w->skip_siblings) { w->skip_siblings = 0; break; }
        if (result != 0) break;
    }
    free(names);
    if (result != 0) return result;
    if (depth_first) {
        if (enter(w, (size_t)base) != 0) return -1;
        result = action(w, call(w, &st, FTW_DP, base, level));
    }
    return result;
}

static int walk_tree(const char *dir, __ftw_func_t fn, __nftw_func_t nfn, int flags) {
    if (dir == NULL || *dir == '\0') {
        errno = ENOENT;
        return -1;
    }
    size_t length = strlen(dir);
    if (length >= PATH_MAX) {
        errno = ENAMETOOLONG;
        return -1;
    }
    struct walk *w = malloc(sizeof *w);
    if (w == NULL) return -1;
    w->fn = fn;
    w->nfn = nfn;
    w->flags = flags;
    w->cwd = NULL;
    w->skip_siblings = 0;
    memcpy(w->path, dir, length + 1);
    while (length > 1 && w->path[length - 1] == '/') w->path[--length] = '\0';
    int base = (int)length;
    while (base > 0 && w->path[base - 1] != '/') --base;
    struct stat st;
    int result;
    if ((flags & FTW_PHYS ? lstat(w->path, &st) : stat(w->path, &st)) != 0
        && !(!(flags & FTW_PHYS) && errno == ENOENT && lstat(w->path, &st) == 0 && S_ISLNK(st.st_mode))) {
        result = -1;
    } else if ((flags & FTW_CHDIR) && (w->cwd = getcwd(NULL, 0)) == NULL) {
        result = -1;
    } else {
        w->dev = st.st_dev;
        if (enter(w, (size_t)(base > 1 ? base - 1 : base)) != 0) result = -1;
        else result = visit(w, length, base, 0);
        if (w->cwd != NULL) {
            int saved = errno;
            chdir(w->cwd);
            errno = saved;
        }
    }
    free(w->cwd);
    free(w);
    return result;
}

int ftw(const char *dir, __ftw_func_t fn, int nopenfd) {
    (void)nopenfd;
    return walk_tree(dir, fn, NULL, 0);
}

int nftw(const char *dir, __nftw_func_t fn, int nopenfd, int flags) {
    (void)nopenfd;
    return walk_tree(dir, NULL, fn, flags);
}
