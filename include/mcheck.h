#ifndef _MCHECK_H
#define _MCHECK_H 1
/* glibc's malloc debugging hooks. As in glibc 2.34 and later without libc_malloc_debug.so
   preloaded (the default), they do nothing: mcheck and mcheck_pedantic return -1 and mprobe
   MCHECK_DISABLED. (CrossRun's own heap checker is `crossrun fuzz`'s, doc/FUZZING.md.) */
enum mcheck_status {
    MCHECK_DISABLED = -1,
    MCHECK_OK,
    MCHECK_FREE,
    MCHECK_HEAD,
    MCHECK_TAIL
};
int mcheck(void (*abortfunc)(enum mcheck_status));
int mcheck_pedantic(void (*abortfunc)(enum mcheck_status));
void mcheck_check_all(void);
enum mcheck_status mprobe(void *ptr);
void mtrace(void);
void muntrace(void);
#endif
