#define _GNU_SOURCE 1
#include <grp.h>
#include <net/if.h>
#include <stdio.h>
#include "crossrun_breadth.h"

FILE *crossrun_fopencookie(void *cookie, const char *mode,
                           long (*read)(void *, char *, size_t),
                           long (*write)(void *, const char *, size_t),
                           int (*seek)(void *, long *, int),
                           int (*close)(void *)) {
    cookie_io_functions_t io = { .read = read, .write = write, .seek = (cookie_seek_function_t *)seek, .close = close };
    return fopencookie(cookie, mode, io);
}

int crossrun_getgrent_r(struct group *out, char *buffer, size_t size, struct group **result) {
    return getgrent_r(out, buffer, size, result);
}

struct if_nameindex *crossrun_if_nameindex(void) { return if_nameindex(); }
void crossrun_if_freenameindex(struct if_nameindex *list) { if_freenameindex(list); }
