extension GuestABI {
    /// `struct stat` of the kernel's asm-generic ABI (aarch64, riscv64): 128 bytes.
    public static let genericStat = StatLayout(
        size: 128, dev: Field(0, 8), ino: Field(8, 8), mode: Field(16, 4), nlink: Field(20, 4), uid: Field(24, 4),
        gid: Field(28, 4), rdev: Field(32, 8), fileSize: Field(48, 8), blksize: Field(56, 4), blocks: Field(64, 8),
        atime: Field(72, 16), mtime: Field(88, 16), ctime: Field(104, 16))

    /// System-call numbers of the asm-generic table (aarch64, riscv64): no `open`, `stat`,
    /// `readlink`, `unlink` — only their `*at` forms.
    public static let genericSyscalls: [UInt64: GuestSyscall] = [
        63: .read, 64: .write, 66: .writev, 56: .openat, 57: .close, 62: .lseek, 80: .fstat,
        79: .newfstatat, 214: .brk, 222: .mmap, 215: .munmap, 226: .mprotect, 93: .exit,
        94: .exitGroup, 172: .getpid, 178: .gettid, 113: .clockGettime, 169: .gettimeofday,
        278: .getrandom, 160: .uname, 29: .ioctl, 134: .rtSigaction, 135: .rtSigprocmask,
        96: .setTidAddress, 78: .readlinkat, 17: .getcwd, 35: .unlinkat,
        198: .socket, 199: .socketpair, 200: .bind, 201: .listen, 202: .accept, 242: .accept4, 203: .connect,
        204: .getsockname, 205: .getpeername, 206: .sendto, 207: .recvfrom, 208: .setsockopt, 209: .getsockopt,
        210: .shutdown, 211: .sendmsg, 212: .recvmsg, 123: .schedGetaffinity, 122: .schedSetaffinity,
        276: .renameat2, 285: .copyFileRange,
        118: .schedSetparam, 121: .schedGetparam, 119: .schedSetscheduler, 120: .schedGetscheduler,
        125: .schedGetPriorityMax, 126: .schedGetPriorityMin, 30: .ioprioSet, 31: .ioprioGet]
}
