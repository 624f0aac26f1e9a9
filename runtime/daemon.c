/* CrossRun's guest runtime: daemon(3) over fork/setsid/chdir/dup2, as glibc writes it. Target
 * code on both backends; emulated, the fork is the emulator's (the CrossRun process forks). */
#define _GNU_SOURCE 1
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int daemon(int nochdir, int noclose) {
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid > 0) _exit(0);
    if (setsid() < 0) return -1;
    if (!nochdir && chdir("/") != 0) return -1;
    if (!noclose) {
        int fd = open("/dev/null", O_RDWR);
        if (fd < 0) return -1;
        struct stat st;
        /* As glibc: refuse a /dev/null that is not the character device. */
        if (fstat(fd, &st) != 0 || !S_ISCHR(st.st_mode)) {
            close(fd);
            return -1;
        }
        dup2(fd, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        if (fd > 2) close(fd);
    }
    return 0;
}
