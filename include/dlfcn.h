#ifndef _DLFCN_H
#define _DLFCN_H 1
/* Dynamic linking. A CrossRun program is one linked image and cannot load shared objects:
   dlopen of a file always fails (dlerror says why); dlopen(NULL) and RTLD_DEFAULT/RTLD_NEXT
   look names up in the program itself: its own global symbols, then the library functions it
   imports. The same on every target and backend. */
#include <features.h>
#include <_crossrun_types.h>
#define RTLD_LAZY 0x00001
#define RTLD_NOW 0x00002
#define RTLD_BINDING_MASK 0x3
#define RTLD_NOLOAD 0x00004
#define RTLD_DEEPBIND 0x00008
#define RTLD_GLOBAL 0x00100
#define RTLD_LOCAL 0
#define RTLD_NODELETE 0x01000
#ifdef __USE_GNU
#define RTLD_NEXT ((void *)-1l)
#define RTLD_DEFAULT ((void *)0)
#endif
void *dlopen(const char *, int);
int dlclose(void *);
void *dlsym(void *__CR_RESTRICT, const char *__CR_RESTRICT);
char *dlerror(void);
#endif
