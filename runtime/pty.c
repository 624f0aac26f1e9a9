/* CrossRun's guest runtime: forkpty(3) over openpty/fork/login_tty, as glibc writes it. Target
 * code on both backends; emulated, the fork is the emulator's (the CrossRun process forks). */
#define _GNU_SOURCE 1
#include <pty.h>
#include <unistd.h>
#include <utmp.h>

int forkpty(int *amaster, char *name, const struct termios *termp, const struct winsize *winp) {
    int master, slave;
    if (openpty(&master, &slave, name, termp, winp) == -1) return -1;
    pid_t pid = fork();
    if (pid == -1) {
        close(master);
        close(slave);
        return -1;
    }
    if (pid == 0) {
        close(master);
        if (login_tty(slave)) _exit(1);
        return 0;
    }
    *amaster = master;
    close(slave);
    return pid;
}
