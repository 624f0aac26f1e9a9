/* <memory.h>: the old System V name for <string.h>, kept by glibc (SQLite's shell includes it). */
#ifndef _MEMORY_H
#define _MEMORY_H 1
#include <string.h>
#endif
