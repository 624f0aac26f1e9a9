/// The Linux system calls the emulator's shims implement, independent of numbering (each
/// ``GuestABI`` maps its numbers to these).
public enum GuestSyscall: Sendable {
    case read, write, writev, openat, open, close, lseek, fstat, newfstatat, stat, lstat, brk, mmap, munmap, mprotect
    case exit, exitGroup, getpid, gettid, clockGettime, gettimeofday, getrandom, uname, ioctl
    case rtSigaction, rtSigprocmask, setTidAddress, archPrctl, readlinkat, readlink, getcwd, unlinkat, unlink
    case socket, socketpair, bind, listen, accept, accept4, connect, getsockname, getpeername
    case sendto, recvfrom, setsockopt, getsockopt, shutdown, sendmsg, recvmsg
    case schedGetaffinity, schedSetaffinity, renameat2, copyFileRange
    case schedSetparam, schedGetparam, schedSetscheduler, schedGetscheduler, schedGetPriorityMax, schedGetPriorityMin
    case ioprioSet, ioprioGet
}
