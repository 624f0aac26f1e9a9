#ifndef _DIRENT_H
#define _DIRENT_H
#include <features.h>
#include <_crossrun_types.h>
/* glibc's LP64 layout, the same on x86-64, aarch64 and riscv64. */
struct dirent {
    unsigned long d_ino;
    long d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[256];
};
#if defined __USE_MISC || defined __USE_XOPEN
#define d_fileno d_ino   /* the BSD name, as glibc has it */
#endif
typedef struct __dirstream DIR;
enum { DT_UNKNOWN = 0, DT_FIFO = 1, DT_CHR = 2, DT_DIR = 4, DT_BLK = 6, DT_REG = 8, DT_LNK = 10, DT_SOCK = 12, DT_WHT = 14 };
#define DT_UNKNOWN DT_UNKNOWN
#define DT_DIR DT_DIR
#define DT_REG DT_REG
#define DT_LNK DT_LNK
DIR *opendir(const char *);
DIR *fdopendir(int);
struct dirent *readdir(DIR *);
int closedir(DIR *);
void rewinddir(DIR *);
int dirfd(DIR *);
long telldir(DIR *);
void seekdir(DIR *, long);
int readdir_r(DIR *__CR_RESTRICT, struct dirent *__CR_RESTRICT, struct dirent **__CR_RESTRICT);
#if defined __USE_XOPEN2K8 || defined __USE_MISC
/* scandir's filter and comparator are called as target code (runtime/dirent.c). */
int scandir(const char *__CR_RESTRICT, struct dirent ***__CR_RESTRICT, int (*)(const struct dirent *),
            int (*)(const struct dirent **, const struct dirent **));
int alphasort(const struct dirent **, const struct dirent **);
#endif
#ifdef __USE_GNU
int scandirat(int, const char *__CR_RESTRICT, struct dirent ***__CR_RESTRICT, int (*)(const struct dirent *),
              int (*)(const struct dirent **, const struct dirent **));
int versionsort(const struct dirent **, const struct dirent **);
#endif
/* The LFS64 names: off_t, ino_t and the counts are already 64 bits, so they are the plain
   ones (as musl does; natively they bind to the plain host calls). */
#ifdef __USE_LARGEFILE64
#define dirent64 dirent
#define readdir64 readdir
#define readdir64_r readdir_r
#define scandir64 scandir
#define scandirat64 scandirat
#define alphasort64 alphasort
#define versionsort64 versionsort
#endif
#endif
