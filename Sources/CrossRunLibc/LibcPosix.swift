#if canImport(Glibc)
import Glibc
#endif

/// unistd.h, fcntl.h and sys/stat.h: host calls on checked guest buffers; failures set errno.
enum LibcPosix {
    /// Returns `r`, setting the guest's errno from the host's when `r` signals failure.
    static func result(_ rt: LibcRuntime, _ f: any CallFrame, _ r: Int, failed: Bool? = nil) {
        if failed ?? (r < 0) { rt.setErrno(errno) }
        f.returnSigned(Int64(r))
    }
    static func path(_ rt: LibcRuntime, _ f: any CallFrame, _ i: Int) throws -> String { try rt.memory.string(f.int(i)) }

    static let functions: [String: HostFunction] = [
        // System-call wrappers: a bad buffer is the kernel's EFAULT, not a crash.
        "read": { rt, f in
            let n = try f.size(2)
            guard let buffer = try? rt.memory.host(f.int(1), n, write: true) else { rt.setErrno(EFAULT); f.returnSigned(-1); return }
            result(rt, f, Glibc.read(try f.int32(0), buffer, n))
        },
        "write": { rt, f in
            let n = try f.size(2)
            let fd = try f.int32(0)
            guard let buffer = try? rt.memory.host(f.int(1), n, write: false) else { rt.setErrno(EFAULT); f.returnSigned(-1); return }
            if fd <= 2 { rt.flushAll() }   // keep order with buffered stdio
            result(rt, f, Glibc.write(fd, buffer, n))
        },
        // The standard descriptors are the host's own: closing them is pretended.
        "close": { rt, f in let fd = try f.int32(0); result(rt, f, (0...2).contains(fd) ? 0 : Int(Glibc.close(fd))) },
        "lseek": { rt, f in result(rt, f, Int(Glibc.lseek(try f.int32(0), off_t(try f.long(1)), try f.int32(2)))) },
        "open": { rt, f in
            let flags = try f.int32(1)
            // The mode is variadic: read it only when O_CREAT asks for one.
            let mode = flags & O_CREAT != 0 ? mode_t(truncatingIfNeeded: try f.variadic(afterInts: 2, floats: 0).nextIntValue()) : 0
            result(rt, f, Int(Glibc.open(try path(rt, f, 0), rt.hostOpenFlags(flags), mode)))
        },
        "creat": { rt, f in result(rt, f, Int(Glibc.creat(try path(rt, f, 0), mode_t(truncatingIfNeeded: try f.int(1))))) },
        "fcntl": { rt, f in
            let cmd = try f.int32(1)
            var args = try f.variadic(afterInts: 2, floats: 0)
            switch cmd {
            case F_GETFD, F_GETFL: result(rt, f, Int(Glibc.fcntl(try f.int32(0), cmd)))
            case F_SETFD, F_SETFL: result(rt, f, Int(Glibc.fcntl(try f.int32(0), cmd, Int32(truncatingIfNeeded: try args.nextInt()))))
            default: rt.setErrno(EINVAL); f.returnInt32(-1)
            }
        },
        "access": { rt, f in result(rt, f, Int(Glibc.access(try path(rt, f, 0), try f.int32(1)))) },
        "unlink": { rt, f in result(rt, f, Int(Glibc.unlink(try path(rt, f, 0)))) },
        "rmdir": { rt, f in result(rt, f, Int(Glibc.rmdir(try path(rt, f, 0)))) },
        "mkdir": { rt, f in result(rt, f, Int(Glibc.mkdir(try path(rt, f, 0), mode_t(truncatingIfNeeded: try f.int(1))))) },
        "chmod": { rt, f in result(rt, f, Int(Glibc.chmod(try path(rt, f, 0), mode_t(truncatingIfNeeded: try f.int(1))))) },
        "chdir": { rt, f in result(rt, f, Int(Glibc.chdir(try path(rt, f, 0)))) },
        "umask": { _, f in f.returnInt(UInt64(Glibc.umask(mode_t(truncatingIfNeeded: try f.int(0))))) },
        "getcwd": { rt, f in
            let buf = try f.int(0), n = try f.size(1)
            if buf == 0 {
                // glibc's extension: a buffer of n bytes (or just enough when n is 0) from malloc.
                guard let cwd = Glibc.getcwd(nil, 0) else { rt.setErrno(errno); f.returnInt(0); return }
                defer { free(cwd) }
                let bytes = Array(UnsafeRawBufferPointer(start: cwd, count: strlen(cwd) + 1))
                if n > 0 && bytes.count > n { rt.setErrno(ERANGE); f.returnInt(0); return }
                let out = try LibcMemory.allocate(rt, Swift.max(n, bytes.count), zero: false)
                if out != 0 { try rt.memory.write(bytes, at: out) }
                f.returnInt(out)
                return
            }
            guard n > 0 else { rt.setErrno(EINVAL); f.returnInt(0); return }
            let r = Glibc.getcwd(try rt.memory.host(buf, n, write: true).assumingMemoryBound(to: CChar.self), n)
            if r == nil { rt.setErrno(errno) }
            f.returnInt(r == nil ? 0 : buf)
        },
        "isatty": { rt, f in
            let r = Glibc.isatty(try f.int32(0))
            if r == 0 { rt.setErrno(errno) }
            f.returnInt32(r)
        },
        "dup": { rt, f in result(rt, f, Int(Glibc.dup(try f.int32(0)))) },
        "dup2": { rt, f in result(rt, f, Int(Glibc.dup2(try f.int32(0), try f.int32(1)))) },
        "pipe": { rt, f in
            var fds: [Int32] = [0, 0]
            let r = Glibc.pipe(&fds)
            if r == 0 { try rt.memory.store(fds[0], at: f.int(0)); try rt.memory.store(fds[1], at: f.int(0) + 4) }
            result(rt, f, Int(r))
        },
        "sleep": { _, f in f.returnInt(UInt64(Glibc.sleep(UInt32(truncatingIfNeeded: try f.int(0))))) },
        "usleep": { rt, f in result(rt, f, Int(Glibc.usleep(UInt32(truncatingIfNeeded: try f.int(0))))) },
        "sysconf": { rt, f in result(rt, f, Glibc.sysconf(try f.int32(0)), failed: false) },
        "stat": { rt, f in try statCall(rt, f) { fstatat(AT_FDCWD, $0, &$1, 0) } },
        "lstat": { rt, f in try statCall(rt, f) { fstatat(AT_FDCWD, $0, &$1, AT_SYMLINK_NOFOLLOW) } },
        "fstat": { rt, f in
            var st = stat()
            let r = Glibc.fstat(try f.int32(0), &st)
            if r == 0 { try rt.writeStat(st, to: f.int(1)) }
            result(rt, f, Int(r))
        },
        "realpath": { rt, f in
            guard let p = Glibc.realpath(try path(rt, f, 0), nil) else { rt.setErrno(errno); f.returnInt(0); return }
            defer { free(p) }
            let bytes = Array(UnsafeRawBufferPointer(start: p, count: strlen(p) + 1))
            var out = try f.int(1)
            if out == 0 { out = try LibcMemory.allocate(rt, bytes.count, zero: false) }
            try rt.memory.write(bytes, at: out)
            f.returnInt(out)
        },
        "mkstemp": { rt, f in
            let template = try f.int(0)
            var bytes = Array(try rt.memory.cString(template)).map { CChar(bitPattern: $0) } + [0]
            let fd = Glibc.mkstemp(&bytes)
            if fd >= 0 { try rt.memory.write(bytes.dropLast().map { UInt8(bitPattern: $0) }, at: template) }
            result(rt, f, Int(fd))
        },
        "getopt": { rt, f in try Getopt.run(rt, f) },
    ]

    static func statCall(_ rt: LibcRuntime, _ f: any CallFrame, _ body: (String, inout stat) -> Int32) throws {
        var st = stat()
        let r = body(try path(rt, f, 0), &st)
        if r == 0 { try rt.writeStat(st, to: f.int(1)) }
        result(rt, f, Int(r))
    }
}

extension VariadicArguments {
    /// The next integer argument (on a copy, for one-off reads).
    func nextIntValue() throws -> UInt64 {
        var copy = self
        return try copy.nextInt()
    }
}

/// POSIX `getopt` over the guest's argv, keeping `optind`/`optarg`/`opterr`/`optopt` in guest data.
enum Getopt {
    static func run(_ rt: LibcRuntime, _ f: any CallFrame) throws {
        let argc = Int(try f.int32(0)), argv = try f.int(1)
        let options = Array(try rt.memory.cString(f.int(2)))
        let m = rt.memory
        let optindAddr = try HostLibc.dataAddress("optind", rt)!, optargAddr = try HostLibc.dataAddress("optarg", rt)!
        let optoptAddr = try HostLibc.dataAddress("optopt", rt)!, opterrAddr = try HostLibc.dataAddress("opterr", rt)!
        var optind = Int(try m.load(optindAddr, as: Int32.self))
        if optind <= 0 { optind = 1; rt.getoptPosition = 0 }
        func slot(_ i: Int) -> UInt64 { argv &+ UInt64(truncatingIfNeeded: i) &* 8 }   // wild argv faults on load
        func arg(_ i: Int) throws -> [UInt8] { Array(try m.cString(m.load(slot(i), as: UInt64.self))) }
        try m.store(UInt64(0), at: optargAddr)
        guard optind < argc else { f.returnInt32(-1); return }
        let current = try arg(optind)
        if rt.getoptPosition >= current.count { rt.getoptPosition = 0 }   // argv changed under us
        if rt.getoptPosition == 0 {
            if current.count < 2 || current[0] != UInt8(ascii: "-") { f.returnInt32(-1); return }
            if current == Array("--".utf8) { try m.store(Int32(optind + 1), at: optindAddr); f.returnInt32(-1); return }
            rt.getoptPosition = 1
        }
        let c = current[rt.getoptPosition]
        rt.getoptPosition += 1
        let colonFirst = options.first == UInt8(ascii: ":")
        let spec = options.firstIndex(of: c).flatMap { c == UInt8(ascii: ":") ? nil : $0 }
        func advance() { if rt.getoptPosition >= current.count { optind += 1; rt.getoptPosition = 0 } }
        guard let at = spec else {
            try m.store(Int32(c), at: optoptAddr)
            if try m.load(opterrAddr, as: Int32.self) != 0 && !colonFirst {
                rt.flushAll()
                fputs("\(rt.programName): invalid option -- '\(Character(UnicodeScalar(c)))'\n", stderr)
            }
            advance()
            try m.store(Int32(optind), at: optindAddr)
            f.returnInt32(Int32(UInt8(ascii: "?")))
            return
        }
        if at + 1 < options.count && options[at + 1] == UInt8(ascii: ":") {
            let base = try m.load(slot(optind), as: UInt64.self)
            if rt.getoptPosition < current.count {
                try m.store(base &+ UInt64(rt.getoptPosition), at: optargAddr)
                optind += 1
                rt.getoptPosition = 0
            } else if optind + 1 < argc {
                try m.store(try m.load(slot(optind + 1), as: UInt64.self), at: optargAddr)
                optind += 2
                rt.getoptPosition = 0
            } else {
                try m.store(Int32(c), at: optoptAddr)
                optind += 1
                rt.getoptPosition = 0
                try m.store(Int32(optind), at: optindAddr)
                let reportErrors = try m.load(opterrAddr, as: Int32.self) != 0
                if !colonFirst && reportErrors {
                    rt.flushAll()
                    fputs("\(rt.programName): option requires an argument -- '\(Character(UnicodeScalar(c)))'\n", stderr)
                }
                f.returnInt32(Int32(colonFirst ? UInt8(ascii: ":") : UInt8(ascii: "?")))
                return
            }
        } else {
            advance()
        }
        try m.store(Int32(optind), at: optindAddr)
        f.returnInt32(Int32(c))
    }
}
