#ifndef _GRP_H
#define _GRP_H
#include <features.h>
#include <_crossrun_types.h>
#ifndef __FILE_defined
#define __FILE_defined 1
typedef struct _IO_FILE FILE;
#endif
struct group { char *gr_name; char *gr_passwd; gid_t gr_gid; char **gr_mem; };
struct group *getgrgid(gid_t);
struct group *getgrnam(const char *);
int getgrgid_r(gid_t, struct group *, char *, size_t, struct group **);
int getgrnam_r(const char *, struct group *, char *, size_t, struct group **);
#if defined __USE_MISC || defined __USE_XOPEN_EXTENDED
void setgrent(void);
void endgrent(void);
struct group *getgrent(void);
#endif
#ifdef __USE_GNU
int getgrent_r(struct group *__CR_RESTRICT, char *__CR_RESTRICT, size_t, struct group **__CR_RESTRICT);
#endif
#ifdef __USE_MISC
int fgetgrent_r(FILE *__CR_RESTRICT, struct group *__CR_RESTRICT, char *__CR_RESTRICT, size_t, struct group **__CR_RESTRICT);
/* A group(5) line written to a stream. */
int putgrent(const struct group *__CR_RESTRICT, FILE *__CR_RESTRICT);
#endif
#ifdef __USE_MISC
struct group *fgetgrent(FILE *);
/* The user's groups (GROUP first); -1 with *ngroups the count needed when they do not fit. */
int getgrouplist(const char *, gid_t, gid_t *, int *);
/* Privileged: EPERM unless root, as Linux. */
int initgroups(const char *, gid_t);
#endif
#ifdef __USE_MISC
/* The host process's supplementary groups (privileged: EPERM unless root). */
int setgroups(size_t, const gid_t *);
#endif
#endif
