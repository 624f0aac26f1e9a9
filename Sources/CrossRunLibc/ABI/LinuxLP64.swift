/// The layouts and numbers that x86-64, aarch64 and riscv64 Linux share (LP64, glibc; the
/// kernel's asm-generic values, which x86-64 also uses for these). Each ``GuestABI`` carries
/// one; an architecture that differs changes its copy.
public struct LinuxLP64: Sendable {
    /// `struct flock`.
    public struct Flock: Sendable { public var size = 32, type = Field(0, 2), whence = Field(2, 2), start = Field(8, 8), len = Field(16, 8), pid = Field(24, 4) }
    /// `struct termios` (glibc's, with `c_ispeed`/`c_ospeed`).
    public struct Termios: Sendable {
        public var size = 60, iflag = Field(0, 4), oflag = Field(4, 4), cflag = Field(8, 4), lflag = Field(12, 4)
        public var line = Field(16, 1), cc = Field(17, 32), ispeed = Field(52, 4), ospeed = Field(56, 4)
    }
    /// `struct rusage`: two `struct timeval`s, then 14 `long`s.
    public struct Rusage: Sendable { public var size = 144, utime = Field(0, 16), stime = Field(16, 16), longs = Field(32, 8) }
    /// `struct utsname`: six 65-byte strings.
    public struct Utsname: Sendable { public var size = 390, fieldLength = 65 }
    /// `struct statvfs`.
    public struct Statvfs: Sendable {
        public var size = 112, bsize = Field(0, 8), frsize = Field(8, 8), blocks = Field(16, 8), bfree = Field(24, 8)
        public var bavail = Field(32, 8), files = Field(40, 8), ffree = Field(48, 8), favail = Field(56, 8)
        public var fsid = Field(64, 8), flag = Field(72, 8), namemax = Field(80, 8)
    }
    /// `struct passwd`.
    public struct Passwd: Sendable {
        public var size = 48, name = Field(0, 8), passwd = Field(8, 8), uid = Field(16, 4), gid = Field(20, 4)
        public var gecos = Field(24, 8), dir = Field(32, 8), shell = Field(40, 8)
    }
    /// `struct group`.
    public struct Group: Sendable { public var size = 32, name = Field(0, 8), passwd = Field(8, 8), gid = Field(16, 4), mem = Field(24, 8) }
    /// `siginfo_t` (glibc's 64-bit layout: the union starts at 16; `_sigchld` and `_kill` share
    /// `si_pid`/`si_uid`).
    public struct Siginfo: Sendable {
        public var size = 128, signo = Field(0, 4), errno = Field(4, 4), code = Field(8, 4), pid = Field(16, 4), uid = Field(20, 4)
        public var status = Field(24, 4), utime = Field(32, 8), stime = Field(40, 8), addr = Field(16, 8), value = Field(24, 8)
        /// `_timer`'s fields (a POSIX timer's signal; `value` is its `si_value`).
        public var timerID = Field(16, 4), overrun = Field(20, 4)
    }
    /// `waitid`'s id kinds and options, and the `si_code`s of `SIGCHLD` (Linux's, the host's).
    public struct WaitNumbers: Sendable {
        public var pAll: Int32 = 0, pPid: Int32 = 1, pPgid: Int32 = 2, pPidfd: Int32 = 3
        public var noHang: Int32 = 1, stopped: Int32 = 2, exited: Int32 = 4, continued: Int32 = 8, noWait: Int32 = 0x0100_0000
        public var cldExited: Int32 = 1, cldKilled: Int32 = 2, cldDumped: Int32 = 3, cldTrapped: Int32 = 4, cldStopped: Int32 = 5, cldContinued: Int32 = 6
        /// `SI_USER` (`kill`) and `SI_TKILL` (`raise`, `tgkill`).
        public var siUser: Int32 = 0, siTkill: Int32 = -6
    }
    /// `fcntl` commands and lock types.
    public struct FcntlNumbers: Sendable {
        public var dupfd: Int32 = 0, getfd: Int32 = 1, setfd: Int32 = 2, getfl: Int32 = 3, setfl: Int32 = 4
        public var getlk: Int32 = 5, setlk: Int32 = 6, setlkw: Int32 = 7, dupfdCloexec: Int32 = 1030
        public var ofdGetlk: Int32 = 36, ofdSetlk: Int32 = 37, ofdSetlkw: Int32 = 38
        public var rdlck: Int16 = 0, wrlck: Int16 = 1, unlck: Int16 = 2
    }
    /// `ioctl` requests CrossRun serves.
    public struct IoctlNumbers: Sendable {
        public var tcgets: UInt64 = 0x5401, tcsets: UInt64 = 0x5402, tcsetsw: UInt64 = 0x5403, tcsetsf: UInt64 = 0x5404
        public var tiocgwinsz: UInt64 = 0x5413, tiocswinsz: UInt64 = 0x5414, fionread: UInt64 = 0x541b, fionbio: UInt64 = 0x5421
        /// System V's `TCGETA` (which writes a `struct termio`) and `TCSETA`/`TCSETAW`/`TCSETAF`
        /// (which read one): 18 bytes (four `unsigned short`s, `c_line`, `c_cc[8]`), the same
        /// layout and numbers on the host.
        public var tcgeta: UInt64 = 0x5405
        public var tcsetaRequests: Set<UInt64> = [0x5406, 0x5407, 0x5408]
        public var termioSize = 18
        /// Requests whose argument points to one `int` (`pid_t` for the process groups) that the
        /// host's request writes (`TIOCGPGRP`, `TIOCOUTQ`, `TIOCMGET`, `TIOCGPTN`) or reads (`TIOCSPGRP`,
        /// `TIOCMBIS`, `TIOCMBIC`, `TIOCMSET`, `TIOCSPTLCK`): the same numbers on the host.
        public var intResultRequests: Set<UInt64> = [0x540f, 0x5411, 0x5415, 0x8004_5430]
        public var intArgumentRequests: Set<UInt64> = [0x5410, 0x5416, 0x5417, 0x5418, 0x4004_5431]
        /// Requests without a pointer argument (`TIOCEXCL`, `TIOCNXCL`, `TIOCSCTTY`,
        /// `TIOCNOTTY`, `FIONCLEX`, `FIOCLEX`, `FICLONE`'s source descriptor): the value passes as it is.
        public var valueRequests: Set<UInt64> = [0x540c, 0x540d, 0x540e, 0x5422, 0x5450, 0x5451, 0x4004_9409]
        /// `SIOCGIFCONF`, and the interface queries whose argument is one `struct ifreq` (40
        /// bytes, the host's layout: every LP64 Linux's) read by name.
        public var siocgifconf: UInt64 = 0x8912
        public var interfaceQueries: Set<UInt64> = [0x8910, 0x8913, 0x8915, 0x8919, 0x891b, 0x8921, 0x8927, 0x8933]
        public var ifreqSize = 40, ifconfSize = 16
    }
    /// `mmap`/`mprotect`/`mremap`/`msync` numbers.
    public struct MmapNumbers: Sendable {
        public var protRead: Int32 = 1, protWrite: Int32 = 2, protExec: Int32 = 4
        public var shared: Int32 = 1, privateMapping: Int32 = 2, sharedValidate: Int32 = 3, fixed: Int32 = 0x10, anonymous: Int32 = 0x20
        public var fixedNoReplace: Int32 = 0x10_0000
        public var remapMayMove: Int32 = 1, remapFixed: Int32 = 2
        public var msAsync: Int32 = 1, msInvalidate: Int32 = 2, msSync: Int32 = 4
    }

    /// Socket numbers and layouts (`<sys/socket.h>`, `<netinet/in.h>`, `<netdb.h>`). Linux's
    /// socket numbers are the same on every architecture here (and the host's), so guest
    /// numbers pass to the host unchanged; an architecture whose numbers differ (MIPS, SPARC)
    /// would change its copy and the translation would start to matter.
    public struct Sockets: Sendable {
        public var afUnix: Int32 = 1, afInet: Int32 = 2, afInet6: Int32 = 10
        public var solSocket: Int32 = 1, ipprotoIP: Int32 = 0, ipprotoTCP: Int32 = 6, ipprotoIPv6: Int32 = 41
        /// `SOL_SOCKET` options whose value is flat data (an `int`, `struct linger`, `struct
        /// timeval`, `struct ucred`): the only ones passed to the host.
        public var socketOptions: Set<Int32> = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 15, 16, 17, 18, 19, 20, 21, 30, 38, 39]
        /// `IPPROTO_TCP` options with flat values (`TCP_NODELAY` … `TCP_FASTOPEN`).
        public var tcpOptions: Set<Int32> = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 18, 23]
        /// `IPPROTO_IP` options with flat values (`IP_TOS`, `IP_TTL`, `IP_RECVERR`, the multicast ones).
        public var ipOptions: Set<Int32> = [1, 2, 11, 32, 33, 34, 35, 36]
        /// `IPPROTO_IPV6` options with flat values (hops, multicast, `IPV6_MTU_DISCOVER`,
        /// `IPV6_MTU`, `IPV6_RECVERR` as `IP_RECVERR`, `IPV6_V6ONLY`, `IPV6_RECVPKTINFO`,
        /// `IPV6_RECVHOPLIMIT`, `IPV6_RECVTCLASS`, `IPV6_TCLASS`).
        public var ipv6Options: Set<Int32> = [16, 17, 18, 19, 20, 21, 23, 24, 25, 26, 49, 51, 66, 67]
        /// `struct sockaddr_storage` (the longest address Linux accepts).
        public var sockaddrStorageSize = 128
        /// `struct sockaddr_un`: the family, then `sun_path[108]`.
        public var sunPathOffset = 2, sunPathSize = 108
        /// `struct msghdr`.
        public var msghdr = Msghdr()
        public struct Msghdr: Sendable {
            public var size = 56, name = Field(0, 8), namelen = Field(8, 4), iov = Field(16, 8), iovlen = Field(24, 8)
            public var control = Field(32, 8), controllen = Field(40, 8), flags = Field(48, 4)
        }
        /// `struct addrinfo`.
        public var addrinfo = Addrinfo()
        public struct Addrinfo: Sendable {
            public var size = 48, flags = Field(0, 4), family = Field(4, 4), socktype = Field(8, 4), proto = Field(12, 4)
            public var addrlen = Field(16, 4), addr = Field(24, 8), canonname = Field(32, 8), next = Field(40, 8)
        }
        /// `struct hostent`.
        public var hostent = Hostent()
        public struct Hostent: Sendable {
            public var size = 32, name = Field(0, 8), aliases = Field(8, 8), addrtype = Field(16, 4), length = Field(20, 4), addrList = Field(24, 8)
        }
        /// `struct servent`.
        public var servent = Servent()
        public struct Servent: Sendable {
            public var size = 32, name = Field(0, 8), aliases = Field(8, 8), port = Field(16, 4), proto = Field(24, 8)
        }
        /// `struct protoent`.
        public var protoent = Protoent()
        public struct Protoent: Sendable {
            public var size = 24, name = Field(0, 8), aliases = Field(8, 8), proto = Field(16, 4)
        }
        /// `struct ifaddrs` (`<ifaddrs.h>`; `ifu` is the broadcast/destination union).
        public var ifaddrs = Ifaddrs()
        public struct Ifaddrs: Sendable {
            public var size = 56, next = Field(0, 8), name = Field(8, 8), flags = Field(16, 4), addr = Field(24, 8)
            public var netmask = Field(32, 8), ifu = Field(40, 8), data = Field(48, 8)
        }
        /// `struct if_nameindex` (`<net/if.h>`).
        public var ifNameIndex = IfNameIndex()
        public struct IfNameIndex: Sendable {
            public var size = 16, index = Field(0, 4), name = Field(8, 8)
        }
    }

    public var sockets = Sockets()
    public var flock = Flock()
    public var termios = Termios()
    public var rusage = Rusage()
    public var utsname = Utsname()
    public var statvfs = Statvfs()
    public var passwd = Passwd()
    public var group = Group()
    public var siginfo = Siginfo()
    public var wait = WaitNumbers()
    /// Bytes of `struct rlimit` (two `rlim_t`s).
    public var rlimitSize = 16
    /// Bytes of `struct pollfd` (`int fd; short events, revents;`).
    public var pollfdSize = 8
    /// Bytes of `struct tms` (four `clock_t`s).
    public var tmsSize = 32
    /// Bytes of `fd_set` (1024 bits).
    public var fdSetSize = 128
    public var fcntl = FcntlNumbers()
    public var ioctl = IoctlNumbers()
    public var mmap = MmapNumbers()
    /// `UTIME_NOW` / `UTIME_OMIT` in a `timespec`'s nanoseconds.
    public var utimeNow: Int64 = 0x3fff_ffff, utimeOmit: Int64 = 0x3fff_fffe

    public init() {}
}
