#ifndef _GRP_H
#define _GRP_H
#include <features.h>
#include <_crossrun_types.h>
struct group { char *gr_name; char *gr_passwd; gid_t gr_gid; char **gr_mem; };
struct group *getgrgid(gid_t);
struct group *getgrnam(const char *);
int getgrgid_r(gid_t, struct group *, char *, size_t, struct group **);
int getgrnam_r(const char *, struct group *, char *, size_t, struct group **);
#ifdef __USE_MISC
/* The host process's supplementary groups (privileged: EPERM unless root). */
int setgroups(size_t, const gid_t *);
#endif
#endif
