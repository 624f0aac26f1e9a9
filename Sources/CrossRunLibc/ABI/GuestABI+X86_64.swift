extension GuestABI {
    /// x86-64 (SysV psABI, Linux): x87 `long double`, signed `char`, x86-64's own `struct stat`
    /// and system-call numbers.
    public static let x86_64 = GuestABI(
        name: "x86-64", unameMachine: "x86_64", longDouble: .x87, charIsUnsigned: false,
        stat: StatLayout(size: 144, dev: Field(0, 8), ino: Field(8, 8), mode: Field(24, 4), nlink: Field(16, 8),
                         uid: Field(28, 4), gid: Field(32, 4), rdev: Field(40, 8), fileSize: Field(48, 8),
                         blksize: Field(56, 8), blocks: Field(64, 8), atime: Field(72, 16), mtime: Field(88, 16), ctime: Field(104, 16)),
        openFlagTranslations: [],
        syscalls: [0: .read, 1: .write, 20: .writev, 257: .openat, 2: .open, 3: .close, 8: .lseek, 5: .fstat,
                   262: .newfstatat, 4: .stat, 6: .lstat, 12: .brk, 9: .mmap, 11: .munmap, 10: .mprotect,
                   60: .exit, 231: .exitGroup, 39: .getpid, 186: .gettid, 228: .clockGettime, 96: .gettimeofday,
                   318: .getrandom, 63: .uname, 16: .ioctl, 13: .rtSigaction, 14: .rtSigprocmask,
                   218: .setTidAddress, 158: .archPrctl, 267: .readlinkat, 89: .readlink, 79: .getcwd,
                   263: .unlinkat, 87: .unlink,
                   41: .socket, 53: .socketpair, 49: .bind, 50: .listen, 43: .accept, 288: .accept4, 42: .connect,
                   51: .getsockname, 52: .getpeername, 44: .sendto, 45: .recvfrom, 54: .setsockopt, 55: .getsockopt,
                   48: .shutdown, 46: .sendmsg, 47: .recvmsg, 204: .schedGetaffinity, 203: .schedSetaffinity,
                   316: .renameat2, 326: .copyFileRange,
                   142: .schedSetparam, 143: .schedGetparam, 144: .schedSetscheduler, 145: .schedGetscheduler,
                   146: .schedGetPriorityMax, 147: .schedGetPriorityMin, 251: .ioprioSet, 252: .ioprioGet],
        jumpBufferRegisterBytes: 64,
        linux: LinuxLP64(),
        epollEventPacked: true,
        largeStructArgumentsOnStack: true)
}
