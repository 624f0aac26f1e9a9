import CrossRunDriver
import CrossRunLibc
import CrossRunSupport
import XCTest

/// The ABI facts the host library uses (``GuestABI``) must be what the guest's C code sees:
/// every layout, number and type format is checked with `_Static_assert`s compiled for
/// each target against `include/` — and, for x86-64, against the host's glibc headers too,
/// which native runs bind to.
///
/// Every fact of each target's `GuestABI` (struct layouts and sizes, fcntl/ioctl/mmap numbers,
/// socket numbers and the flat socket options the library passes on,
/// `sockaddr`/`msghdr`/`addrinfo`/`hostent`/`servent` layouts, open-flag translation, `char`
/// signedness, `long double`, `jmp_buf`) is `_Static_assert`ed against `include/` compiled for that
/// target, and x86-64's against the host's glibc headers (which native runs bind); a wrong layout
/// fails to compile.
final class GuestABITests: XCTestCase {
    static let cases: [(Target, GuestABI)] = [(.x64, .x86_64), (.aarch64, .aarch64), (.rv64, .riscv64)]

    /// `_Static_assert`s stating `abi`'s facts in C.
    static func assertions(_ abi: GuestABI) -> String {
        var lines: [String] = []
        func size(_ type: String, _ n: Int) { lines.append("_Static_assert(sizeof(\(type)) == \(n), \"sizeof(\(type))\");") }
        func field(_ type: String, _ member: String, _ f: Field) {
            lines.append("_Static_assert(offsetof(\(type), \(member)) == \(f.offset), \"offsetof(\(type), \(member))\");")
            lines.append("_Static_assert(sizeof(((\(type) *)0)->\(member)) == \(f.size), \"sizeof \(type).\(member)\");")
        }
        func value(_ expression: String, _ v: Int64) { lines.append("_Static_assert((\(expression)) == \(v)L, \"\(expression)\");") }
        let s = abi.stat
        size("struct stat", s.size)
        for (m, f) in [("st_dev", s.dev), ("st_ino", s.ino), ("st_mode", s.mode), ("st_nlink", s.nlink), ("st_uid", s.uid), ("st_gid", s.gid),
                       ("st_rdev", s.rdev), ("st_size", s.fileSize), ("st_blksize", s.blksize), ("st_blocks", s.blocks),
                       ("st_atim", s.atime), ("st_mtim", s.mtime), ("st_ctim", s.ctime)] { field("struct stat", m, f) }
        let l = abi.linux
        size("struct flock", l.flock.size)
        for (m, f) in [("l_type", l.flock.type), ("l_whence", l.flock.whence), ("l_start", l.flock.start), ("l_len", l.flock.len), ("l_pid", l.flock.pid)] {
            field("struct flock", m, f)
        }
        size("struct termios", l.termios.size)
        for (m, f) in [("c_iflag", l.termios.iflag), ("c_oflag", l.termios.oflag), ("c_cflag", l.termios.cflag), ("c_lflag", l.termios.lflag),
                       ("c_line", l.termios.line), ("c_cc", l.termios.cc), ("c_ispeed", l.termios.ispeed), ("c_ospeed", l.termios.ospeed)] {
            field("struct termios", m, f)
        }
        size("struct rusage", l.rusage.size)
        field("struct rusage", "ru_utime", l.rusage.utime)
        field("struct rusage", "ru_stime", l.rusage.stime)
        field("struct rusage", "ru_maxrss", l.rusage.longs)
        size("struct utsname", l.utsname.size)
        field("struct utsname", "machine", Field(4 * l.utsname.fieldLength, l.utsname.fieldLength))
        size("struct statvfs", l.statvfs.size)
        for (m, f) in [("f_bsize", l.statvfs.bsize), ("f_frsize", l.statvfs.frsize), ("f_blocks", l.statvfs.blocks), ("f_bfree", l.statvfs.bfree),
                       ("f_bavail", l.statvfs.bavail), ("f_files", l.statvfs.files), ("f_ffree", l.statvfs.ffree), ("f_favail", l.statvfs.favail),
                       ("f_fsid", l.statvfs.fsid), ("f_flag", l.statvfs.flag), ("f_namemax", l.statvfs.namemax)] { field("struct statvfs", m, f) }
        size("struct passwd", l.passwd.size)
        for (m, f) in [("pw_name", l.passwd.name), ("pw_passwd", l.passwd.passwd), ("pw_uid", l.passwd.uid), ("pw_gid", l.passwd.gid),
                       ("pw_gecos", l.passwd.gecos), ("pw_dir", l.passwd.dir), ("pw_shell", l.passwd.shell)] { field("struct passwd", m, f) }
        size("struct group", l.group.size)
        for (m, f) in [("gr_name", l.group.name), ("gr_passwd", l.group.passwd), ("gr_gid", l.group.gid), ("gr_mem", l.group.mem)] { field("struct group", m, f) }
        let si = l.siginfo
        size("siginfo_t", si.size)
        for (m, f) in [("si_signo", si.signo), ("si_errno", si.errno), ("si_code", si.code), ("si_pid", si.pid), ("si_uid", si.uid),
                       ("si_status", si.status), ("si_utime", si.utime), ("si_stime", si.stime), ("si_addr", si.addr), ("si_value", si.value)] {
            field("siginfo_t", m, f)
        }
        let w = l.wait
        for (name, v) in [("P_ALL", w.pAll), ("P_PID", w.pPid), ("P_PGID", w.pPgid), ("P_PIDFD", w.pPidfd), ("WNOHANG", w.noHang),
                          ("WSTOPPED", w.stopped), ("WEXITED", w.exited), ("WCONTINUED", w.continued), ("WNOWAIT", w.noWait),
                          ("CLD_EXITED", w.cldExited), ("CLD_KILLED", w.cldKilled), ("CLD_DUMPED", w.cldDumped), ("CLD_TRAPPED", w.cldTrapped),
                          ("CLD_STOPPED", w.cldStopped), ("CLD_CONTINUED", w.cldContinued), ("SI_USER", w.siUser), ("SI_TKILL", w.siTkill)] {
            value(name, Int64(v))
        }
        size("struct rlimit", l.rlimitSize)
        size("struct pollfd", l.pollfdSize)
        size("struct tms", l.tmsSize)
        size("fd_set", l.fdSetSize)
        size("struct winsize", 8)
        let n = l.fcntl
        for (name, v) in [("F_DUPFD", n.dupfd), ("F_GETFD", n.getfd), ("F_SETFD", n.setfd), ("F_GETFL", n.getfl), ("F_SETFL", n.setfl),
                          ("F_GETLK", n.getlk), ("F_SETLK", n.setlk), ("F_SETLKW", n.setlkw), ("F_DUPFD_CLOEXEC", n.dupfdCloexec),
                          ("F_OFD_GETLK", n.ofdGetlk), ("F_OFD_SETLK", n.ofdSetlk), ("F_OFD_SETLKW", n.ofdSetlkw)] { value(name, Int64(v)) }
        for (name, v) in [("F_RDLCK", n.rdlck), ("F_WRLCK", n.wrlck), ("F_UNLCK", n.unlck)] { value(name, Int64(v)) }
        let io = l.ioctl
        for (name, v) in [("TCGETS", io.tcgets), ("TCSETS", io.tcsets), ("TCSETSW", io.tcsetsw), ("TCSETSF", io.tcsetsf),
                          ("TIOCGWINSZ", io.tiocgwinsz), ("TIOCSWINSZ", io.tiocswinsz), ("FIONREAD", io.fionread), ("FIONBIO", io.fionbio)] {
            value(name, Int64(v))
        }
        let m = l.mmap
        for (name, v) in [("PROT_READ", m.protRead), ("PROT_WRITE", m.protWrite), ("PROT_EXEC", m.protExec), ("MAP_SHARED", m.shared),
                          ("MAP_PRIVATE", m.privateMapping), ("MAP_SHARED_VALIDATE", m.sharedValidate), ("MAP_FIXED", m.fixed),
                          ("MAP_ANONYMOUS", m.anonymous), ("MAP_FIXED_NOREPLACE", m.fixedNoReplace), ("MREMAP_MAYMOVE", m.remapMayMove),
                          ("MS_ASYNC", m.msAsync), ("MS_INVALIDATE", m.msInvalidate), ("MS_SYNC", m.msSync)] { value(name, Int64(v)) }
        value("UTIME_NOW", l.utimeNow)
        value("UTIME_OMIT", l.utimeOmit)
        // Each open flag's guest number (the header's) is the one the ABI translates to the
        // host's (x86-64) number.
        for (name, host) in [("O_DIRECTORY", Int32(0o200000)), ("O_NOFOLLOW", 0o400000), ("O_CREAT", 0o100), ("O_APPEND", 0o2000),
                             ("O_CLOEXEC", 0o2000000), ("O_NONBLOCK", 0o4000), ("O_TRUNC", 0o1000), ("O_EXCL", 0o200)] {
            let guest = abi.openFlagTranslations.first { $0.host == host }?.guest ?? host
            if abi.hostOpenFlags(guest) == host { value(name, Int64(guest)) } else { lines.append("#error \(name) does not translate") }
        }
        let k = l.sockets
        for (name, v) in [("AF_UNIX", k.afUnix), ("AF_INET", k.afInet), ("AF_INET6", k.afInet6), ("SOL_SOCKET", k.solSocket),
                          ("IPPROTO_IP", k.ipprotoIP), ("IPPROTO_TCP", k.ipprotoTCP), ("IPPROTO_IPV6", k.ipprotoIPv6)] { value(name, Int64(v)) }
        // The flat options the library passes on are exactly the header's names for them.
        let optionNames: [(String, Set<Int32>)] = [
            ("SO_DEBUG SO_REUSEADDR SO_TYPE SO_ERROR SO_DONTROUTE SO_BROADCAST SO_SNDBUF SO_RCVBUF SO_KEEPALIVE SO_OOBINLINE SO_PRIORITY "
             + "SO_LINGER SO_REUSEPORT SO_PASSCRED SO_PEERCRED SO_RCVLOWAT SO_SNDLOWAT SO_RCVTIMEO SO_SNDTIMEO SO_ACCEPTCONN SO_PROTOCOL SO_DOMAIN",
             k.socketOptions),
            ("TCP_NODELAY TCP_MAXSEG TCP_CORK TCP_KEEPIDLE TCP_KEEPINTVL TCP_KEEPCNT TCP_SYNCNT TCP_LINGER2 TCP_DEFER_ACCEPT "
             + "TCP_WINDOW_CLAMP TCP_QUICKACK TCP_USER_TIMEOUT TCP_FASTOPEN", k.tcpOptions),
            ("IP_TOS IP_TTL IP_RECVERR IP_MULTICAST_IF IP_MULTICAST_TTL IP_MULTICAST_LOOP IP_ADD_MEMBERSHIP IP_DROP_MEMBERSHIP", k.ipOptions),
            ("IPV6_UNICAST_HOPS IPV6_MULTICAST_IF IPV6_MULTICAST_HOPS IPV6_MULTICAST_LOOP IPV6_JOIN_GROUP IPV6_LEAVE_GROUP IPV6_V6ONLY "
             + "IPV6_MTU_DISCOVER IPV6_MTU IPV6_RECVERR IPV6_RECVPKTINFO IPV6_RECVHOPLIMIT IPV6_RECVTCLASS IPV6_TCLASS", k.ipv6Options),
        ]
        for (names, set) in optionNames {
            let list = names.split(separator: " ")
            if list.count != set.count { lines.append("#error \(list[0])… lists \(list.count) options, the ABI \(set.count)") }
            for name in list { lines.append("_Static_assert(" + set.sorted().map { "\(name) == \($0)" }.joined(separator: " || ") + ", \"\(name)\");") }
        }
        size("struct sockaddr_storage", k.sockaddrStorageSize)
        field("struct sockaddr_un", "sun_path", Field(k.sunPathOffset, k.sunPathSize))
        size("struct sockaddr_in", 16)
        size("struct sockaddr_in6", 28)
        size("struct linger", 8)
        size("struct cmsghdr", 16)
        let mh = k.msghdr
        size("struct msghdr", mh.size)
        for (m, f) in [("msg_name", mh.name), ("msg_namelen", mh.namelen), ("msg_iov", mh.iov), ("msg_iovlen", mh.iovlen),
                       ("msg_control", mh.control), ("msg_controllen", mh.controllen), ("msg_flags", mh.flags)] { field("struct msghdr", m, f) }
        let ai = k.addrinfo
        size("struct addrinfo", ai.size)
        for (m, f) in [("ai_flags", ai.flags), ("ai_family", ai.family), ("ai_socktype", ai.socktype), ("ai_protocol", ai.proto),
                       ("ai_addrlen", ai.addrlen), ("ai_addr", ai.addr), ("ai_canonname", ai.canonname), ("ai_next", ai.next)] { field("struct addrinfo", m, f) }
        let he = k.hostent
        size("struct hostent", he.size)
        for (m, f) in [("h_name", he.name), ("h_aliases", he.aliases), ("h_addrtype", he.addrtype), ("h_length", he.length),
                       ("h_addr_list", he.addrList)] { field("struct hostent", m, f) }
        let se = k.servent
        size("struct servent", se.size)
        for (m, f) in [("s_name", se.name), ("s_aliases", se.aliases), ("s_port", se.port), ("s_proto", se.proto)] { field("struct servent", m, f) }
        let pe = k.protoent
        size("struct protoent", pe.size)
        for (m, f) in [("p_name", pe.name), ("p_aliases", pe.aliases), ("p_proto", pe.proto)] { field("struct protoent", m, f) }
        let ia = k.ifaddrs
        size("struct ifaddrs", ia.size)
        for (m, f) in [("ifa_next", ia.next), ("ifa_name", ia.name), ("ifa_flags", ia.flags), ("ifa_addr", ia.addr),
                       ("ifa_netmask", ia.netmask), ("ifa_ifu", ia.ifu), ("ifa_data", ia.data)] { field("struct ifaddrs", m, f) }
        let ni = k.ifNameIndex
        size("struct if_nameindex", ni.size)
        for (m, f) in [("if_index", ni.index), ("if_name", ni.name)] { field("struct if_nameindex", m, f) }
        value("(char)-1 < 0", abi.charIsUnsigned ? 0 : 1)
        value("__LDBL_MANT_DIG__", abi.longDouble == .binary128 ? 113 : 64)
        size("long double", 16)
        size("jmp_buf", abi.jumpBufferRegisterBytes + 8 + 128)
        return lines.joined(separator: "\n") + "\n"
    }

    static let includes = ["stddef.h", "fcntl.h", "grp.h", "poll.h", "pwd.h", "setjmp.h", "sys/ioctl.h", "sys/mman.h", "sys/resource.h",
                           "sys/select.h", "sys/stat.h", "sys/statvfs.h", "sys/times.h", "sys/utsname.h", "termios.h",
                           "sys/socket.h", "sys/un.h", "netinet/in.h", "netinet/tcp.h", "netdb.h", "signal.h", "sys/wait.h",
                           "ifaddrs.h", "net/if.h"]

    func compile(_ source: String, _ args: [String]) throws -> (Int32, String) {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        try FileIO.write(Array(source.utf8), to: dir + "/abi.c")
        var options = Subprocess.Options()
        options.captureOutput = true
        options.captureError = true
        let r = try Subprocess.run(TestSupport.toolchain.clang, args + ["-fsyntax-only", "-fno-color-diagnostics", dir + "/abi.c"], options: options)
        return (r.status, String(decoding: r.output + r.error, as: UTF8.self))
    }

    func testIncludeHeadersAgreeWithEachTargetsABI() throws {
        for (target, abi) in Self.cases {
            let source = Self.includes.map { "#include <\($0)>" }.joined(separator: "\n") + "\n" + Self.assertions(abi)
            let (status, output) = try compile(source, ["--target=\(target.triple)", "-nostdlibinc", "-isystem", TestSupport.toolchain.includeDirectory])
            XCTAssertEqual(status, 0, "\(target): include/ disagrees with GuestABI.\(abi.name):\n\(output)")
        }
    }

    /// Native runs bind the host's glibc: its structs must be x86-64's GuestABI layouts too.
    func testHostGlibcAgreesWithTheX86_64ABI() throws {
        let source = "#define _GNU_SOURCE\n" + Self.includes.map { "#include <\($0)>" }.joined(separator: "\n") + "\n"
            + Self.assertions(.x86_64)
        let (status, output) = try compile(source, ["--target=x86_64-linux-gnu"])
        XCTAssertEqual(status, 0, "host glibc disagrees with GuestABI.x86_64:\n\(output)")
    }

    /// The assertions are real: a wrong fact fails to compile.
    func testAWrongLayoutIsCaught() throws {
        var abi = GuestABI.aarch64
        abi.stat.fileSize = Field(40, 8)
        let source = Self.includes.map { "#include <\($0)>" }.joined(separator: "\n") + "\n" + Self.assertions(abi)
        let (status, output) = try compile(source, ["--target=\(Target.aarch64.triple)", "-nostdlibinc", "-isystem", TestSupport.toolchain.includeDirectory])
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(output.contains("offsetof(struct stat, st_size)"), output)
    }

    /// Only aarch64 renumbers open flags; the translation reaches the host's numbers.
    func testOpenFlagTranslation() {
        XCTAssertEqual(GuestABI.x86_64.hostOpenFlags(0o200000 | 2), 0o200000 | 2)
        XCTAssertEqual(GuestABI.riscv64.hostOpenFlags(0o400000 | 0o100), 0o400000 | 0o100)
        XCTAssertEqual(GuestABI.aarch64.hostOpenFlags(0o40000 | 0o100000 | 2), 0o200000 | 0o400000 | 2)   // DIRECTORY|NOFOLLOW
        XCTAssertEqual(GuestABI.aarch64.hostOpenFlags(0o400000 | 0o200000), 0o100000 | 0o40000)   // LARGEFILE, DIRECT moved
        // F_GETFL: the host's DIRECTORY|LARGEFILE|APPEND is aarch64's DIRECTORY|LARGEFILE|APPEND.
        XCTAssertEqual(GuestABI.aarch64.guestOpenFlags(0o200000 | 0o100000 | 0o2000), 0o40000 | 0o400000 | 0o2000)
        XCTAssertEqual(GuestABI.x86_64.guestOpenFlags(0o200000 | 0o100000), 0o200000 | 0o100000)
        for flag in (0..<31).map({ Int32(1) << $0 }) {
            XCTAssertEqual(GuestABI.aarch64.guestOpenFlags(GuestABI.aarch64.hostOpenFlags(flag)), flag, "round trip of \(String(flag, radix: 8))")
        }
    }
}
