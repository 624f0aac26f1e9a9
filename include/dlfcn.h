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
#ifdef __USE_GNU
/* dladdr: for an address in the program's image, the program's name (argv[0]) and load
   address, and the symbol covering it if the image names one (glibc names only exported
   symbols: without -rdynamic, dli_sname is NULL there); 0 for any other address emulated,
   the host's answer natively. */
typedef struct {
    const char *dli_fname;
    void *dli_fbase;
    const char *dli_sname;
    void *dli_saddr;
} Dl_info;
int dladdr(const void *, Dl_info *);
#endif
#endif
