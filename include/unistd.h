#ifndef _UNISTD_H
#define _UNISTD_H
#include <_crossrun_types.h>
#define STDIN_FILENO 0
#define STDOUT_FILENO 1
#define STDERR_FILENO 2
#define F_OK 0
#define X_OK 1
#define W_OK 2
#define R_OK 4
#ifndef SEEK_SET
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#endif
#define _SC_CLK_TCK 2
#define _SC_OPEN_MAX 4
#define _SC_PAGESIZE 30
#define _SC_PAGE_SIZE _SC_PAGESIZE
#define _SC_NPROCESSORS_CONF 83
#define _SC_NPROCESSORS_ONLN 84
ssize_t read(int, void *, size_t);
ssize_t write(int, const void *, size_t);
int close(int);
off_t lseek(int, off_t, int);
int access(const char *, int);
int unlink(const char *);
int rmdir(const char *);
char *getcwd(char *, size_t);
int chdir(const char *);
pid_t getpid(void);
pid_t getppid(void);
int isatty(int);
unsigned int sleep(unsigned int);
int usleep(unsigned int);
int dup(int);
int dup2(int, int);
int pipe(int[2]);
__CR_NORETURN void _exit(int);
long sysconf(int);
int getopt(int, char *const[], const char *);
extern char *optarg;
extern int optind, opterr, optopt;
#endif
