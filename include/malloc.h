#ifndef _MALLOC_H
#define _MALLOC_H 1
/* glibc's malloc extensions that make sense over CrossRun's heap. */
#include <features.h>
#include <stdlib.h>
size_t malloc_usable_size(void *);
void *memalign(size_t, size_t);
int malloc_trim(size_t);
#endif
