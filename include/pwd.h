#ifndef _PWD_H
#define _PWD_H
#include <features.h>
#include <_crossrun_types.h>
#ifndef __FILE_defined
#define __FILE_defined 1
typedef struct _IO_FILE FILE;
#endif
struct passwd {
    char *pw_name; char *pw_passwd; uid_t pw_uid; gid_t pw_gid; char *pw_gecos; char *pw_dir; char *pw_shell;
};
struct passwd *getpwuid(uid_t);
struct passwd *getpwnam(const char *);
int getpwuid_r(uid_t, struct passwd *, char *, size_t, struct passwd **);
int getpwnam_r(const char *, struct passwd *, char *, size_t, struct passwd **);
#if defined __USE_MISC || defined __USE_XOPEN_EXTENDED
/* The host's user database in order (emulated: read through the host's getpwent_r). */
void setpwent(void);
void endpwent(void);
struct passwd *getpwent(void);
#endif
#ifdef __USE_MISC
/* The reentrant walks: the entry packed into the caller's buffer (ERANGE when it does not
   fit, ENOENT at the end). */
int getpwent_r(struct passwd *__CR_RESTRICT, char *__CR_RESTRICT, size_t, struct passwd **__CR_RESTRICT);
int fgetpwent_r(FILE *__CR_RESTRICT, struct passwd *__CR_RESTRICT, char *__CR_RESTRICT, size_t, struct passwd **__CR_RESTRICT);
/* Entries in passwd(5) format from a stream, and written to one. */
struct passwd *fgetpwent(FILE *);
int putpwent(const struct passwd *__CR_RESTRICT, FILE *__CR_RESTRICT);
#endif
#endif
