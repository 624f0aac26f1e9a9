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
