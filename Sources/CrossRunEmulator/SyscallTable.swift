/// The Linux system calls the emulator implements, independent of numbering.
enum Syscall: Sendable {
    case read, write, writev, openat, open, close, lseek, fstat, newfstatat, stat, lstat, brk, mmap, munmap, mprotect
    case exit, exitGroup, getpid, gettid, clockGettime, gettimeofday, getrandom, uname, ioctl
    case rtSigaction, rtSigprocmask, setTidAddress, archPrctl, readlinkat, readlink, getcwd, unlinkat, unlink
}

/// A system-call numbering (x86-64's own, or the asm-generic one aarch64 and riscv64 share).
enum SyscallTable: Sendable {
    case x86_64, generic

    var numbers: [UInt64: Syscall] {
        switch self {
        case .x86_64:
            return [0: .read, 1: .write, 20: .writev, 257: .openat, 2: .open, 3: .close, 8: .lseek, 5: .fstat,
                    262: .newfstatat, 4: .stat, 6: .lstat, 12: .brk, 9: .mmap, 11: .munmap, 10: .mprotect,
                    60: .exit, 231: .exitGroup, 39: .getpid, 186: .gettid, 228: .clockGettime, 96: .gettimeofday,
                    318: .getrandom, 63: .uname, 16: .ioctl, 13: .rtSigaction, 14: .rtSigprocmask,
                    218: .setTidAddress, 158: .archPrctl, 267: .readlinkat, 89: .readlink, 79: .getcwd,
                    263: .unlinkat, 87: .unlink]
        case .generic:
            return [63: .read, 64: .write, 66: .writev, 56: .openat, 57: .close, 62: .lseek, 80: .fstat,
                    79: .newfstatat, 214: .brk, 222: .mmap, 215: .munmap, 226: .mprotect, 93: .exit,
                    94: .exitGroup, 172: .getpid, 178: .gettid, 113: .clockGettime, 169: .gettimeofday,
                    278: .getrandom, 160: .uname, 29: .ioctl, 134: .rtSigaction, 135: .rtSigprocmask,
                    96: .setTidAddress, 78: .readlinkat, 17: .getcwd, 35: .unlinkat]
        }
    }
}
