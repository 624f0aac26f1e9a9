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
    /// Calls `body` with the host path for the guest path in argument 0 and returns its
    /// result; -1 with errno set when the path cannot be resolved (`--root`).
    static func pathCall(_ rt: LibcRuntime, _ f: any CallFrame, followLast: Bool = true, _ body: ([CChar]) throws -> Int) throws {
        guard let p = try rt.hostPath(at: f.int(0), followLast: followLast) else { f.returnSigned(-1); return }
        result(rt, f, try body(p))
    }
    /// ``pathCall(_:_:followLast:_:)`` for a call that removes its last component.
    static func removalCall(_ rt: LibcRuntime, _ f: any CallFrame, _ kind: GuestFileSystem.Removal, _ body: ([CChar]) throws -> Int) throws {
        guard let p = try rt.hostPath(at: f.int(0), removing: kind) else { f.returnSigned(-1); return }
        result(rt, f, try body(p))
    }

    /// A system-call wrapper: a bad guest pointer is the kernel's EFAULT (-1 with errno set),
    /// not a crash.
    static func faultIsEFAULT(_ fn: @escaping HostFunction) -> HostFunction {
        { rt, f in
            do { try fn(rt, f) } catch is GuestFault { rt.setErrno(EFAULT); f.returnSigned(-1) }
        }
    }

    /// A read/write-style call on the `n`-byte guest buffer in argument 1: `body` gets its host
    /// memory and the result is returned as by ``result(_:_:_:failed:)``; a range that is not the
    /// guest's is EFAULT. A zero-length transfer touches no memory, so then the buffer may be
    /// anything, even NULL, and the kernel still checks the descriptor (`write(fd, NULL, 0)` is 0).
    static func transfer(_ rt: LibcRuntime, _ f: any CallFrame, _ n: Int, intoGuest: Bool,
                         _ body: (UnsafeMutableRawPointer?) throws -> Int) throws {
        var buffer: UnsafeMutableRawPointer?
        if n > 0 {
            guard let p = try? rt.memory.host(f.int(1), n, write: intoGuest) else { rt.setErrno(EFAULT); f.returnSigned(-1); return }
            buffer = p
        }
        result(rt, f, try body(buffer))
    }

    static let functions: [String: HostFunction] = [
        // System-call wrappers: a bad buffer is the kernel's EFAULT, not a crash.
        "read": { rt, f in
            if !rt.posix.signalFDs.isEmpty, let d = rt.posix.signalFDs[try f.int32(0)] { return try LibcSignalfd.read(rt, f, fd: try f.int32(0), d) }
            let n = try f.size(2), fd = try f.int32(0)
            try transfer(rt, f, n, intoGuest: true) { Glibc.read(fd, $0, n) }
        },
        "write": { rt, f in
            let n = try f.size(2), fd = try f.int32(0)
            try transfer(rt, f, n, intoGuest: false) { Glibc.write(fd, $0, n) }
        },
        // Guest descriptors are the host's, the standard ones too: closing 0 frees the number
        // for the next open, as `close(0); open("/dev/null")` expects. Only CrossRun's own
        // (a --trace-file) are left open, pretending.
        "close": { rt, f in
            let fd = try f.int32(0)
            if !rt.posix.signalFDs.isEmpty { rt.posix.signalFDs[fd] = nil }
            result(rt, f, rt.protectedDescriptors.contains(fd) ? 0 : Int(Glibc.close(fd)))
        },
        "lseek": { rt, f in result(rt, f, Int(Glibc.lseek(try f.int32(0), off_t(try f.long(1)), try f.int32(2)))) },
        "open": { rt, f in
            let flags = try f.int32(1)
            // The mode is variadic: read it only when O_CREAT asks for one.
            let mode = flags & O_CREAT != 0 ? mode_t(truncatingIfNeeded: try f.variadic(afterInts: 2, floats: 0).nextIntValue()) : 0
            let host = rt.hostOpenFlags(flags)
            try pathCall(rt, f, followLast: GuestFileSystem.followsLastComponent(openFlags: host)) { p in rt.creatingFiles { Int(Glibc.open(p, host, mode)) } }
        },
        "creat": { rt, f in
            let mode = mode_t(truncatingIfNeeded: try f.int(1))
            try pathCall(rt, f) { p in rt.creatingFiles { Int(Glibc.creat(p, mode)) } }
        },

        "access": { rt, f in try pathCall(rt, f) { Int(Glibc.access($0, try f.int32(1))) } },
        "unlink": { rt, f in try removalCall(rt, f, .unlink) { Int(Glibc.unlink($0)) } },
        "rmdir": { rt, f in try removalCall(rt, f, .rmdir) { Int(Glibc.rmdir($0)) } },
        "mkdir": { rt, f in
            let mode = mode_t(truncatingIfNeeded: try f.int(1))
            try pathCall(rt, f, followLast: false) { p in rt.creatingFiles { Int(Glibc.mkdir(p, mode)) } }
        },
        "chmod": { rt, f in try pathCall(rt, f) { Int(Glibc.chmod($0, mode_t(truncatingIfNeeded: try f.int(1)))) } },
        "chdir": { rt, f in
            let bytes = Array(try rt.memory.cString(f.int(0)))
            do throws(GuestFileSystem.Failure) { try rt.fileSystem.changeDirectory(bytes); f.returnInt32(0) } catch { rt.setErrno(error.code); f.returnInt32(-1) }
        },
        // The guest's own mask (LibcState), not CrossRun's: applied around file-creating calls.
        "umask": { rt, f in
            let old = rt.state.fileModeMask
            rt.state.fileModeMask = mode_t(truncatingIfNeeded: try f.int(0)) & 0o777
            f.returnInt(UInt64(old))
        },
        "getcwd": { rt, f in
            let buf = try f.int(0), n = try f.size(1)
            let bytes: [UInt8]
            do throws(GuestFileSystem.Failure) { bytes = try rt.fileSystem.workingDirectory() + [0] } catch { rt.setErrno(error.code); f.returnInt(0); return }
            if buf == 0 {
                // glibc's extension: a buffer of n bytes (or just enough when n is 0) from malloc.
                if n > 0 && bytes.count > n { rt.setErrno(ERANGE); f.returnInt(0); return }
                let out = try LibcMemory.allocate(rt, Swift.max(n, bytes.count), zero: false)
                if out != 0 { try rt.memory.write(bytes, at: out) }
                f.returnInt(out)
                return
            }
            guard n > 0 else { rt.setErrno(EINVAL); f.returnInt(0); return }
            guard bytes.count <= n else { rt.setErrno(ERANGE); f.returnInt(0); return }
            try rt.memory.write(bytes, at: buf)
            f.returnInt(buf)
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
        "stat": { rt, f in try statCall(rt, f, follow: true) { fstatat(AT_FDCWD, $0, &$1, 0) } },
        "lstat": { rt, f in try statCall(rt, f, follow: false) { fstatat(AT_FDCWD, $0, &$1, AT_SYMLINK_NOFOLLOW) } },
        "fstat": { rt, f in
            var st = stat()
            let r = Glibc.fstat(try f.int32(0), &st)
            if r == 0 { try rt.writeStat(st, to: f.int(1)) }
            result(rt, f, Int(r))
        },
        "realpath": { rt, f in
            guard let bytes = try canonicalPath(rt, f) else { f.returnInt(0); return }
            var out = try f.int(1)
            if out == 0 { out = try LibcMemory.allocate(rt, bytes.count, zero: false) }
            try rt.memory.write(bytes, at: out)
            f.returnInt(out)
        },
        "mkstemp": { rt, f in
            let template = try f.int(0)
            guard var host = try rt.hostPath(at: template, followLast: false) else { f.returnSigned(-1); return }
            let length = try rt.memory.stringLength(template)
            let fd = rt.creatingFiles { Glibc.mkstemp(&host) }
            // The name's last component (with the X's replaced) is the guest's too.
            if fd >= 0 {
                let chosen = host.dropLast().suffix(Swift.min(6, length)).map { UInt8(bitPattern: $0) }
                try rt.memory.write(chosen, at: template + UInt64(length - chosen.count))
            }
            result(rt, f, Int(fd))
        },
        "getopt": { rt, f in try Getopt.run(rt, f) },
    ]

    static func statCall(_ rt: LibcRuntime, _ f: any CallFrame, follow: Bool, _ body: ([CChar], inout stat) -> Int32) throws {
        var st = stat()
        guard let p = try rt.hostPath(at: f.int(0), followLast: follow) else { f.returnSigned(-1); return }
        let r = body(p, &st)
        if r == 0 { try rt.writeStat(st, to: f.int(1)) }
        result(rt, f, Int(r))
    }

    /// `realpath`'s answer for the guest path in argument 0 (NUL-terminated), or nil with
    /// errno set: the host's canonical path, or with `--root` the guest's.
    static func canonicalPath(_ rt: LibcRuntime, _ f: any CallFrame) throws -> [UInt8]? {
        let path = Array(try rt.memory.cString(f.int(0)))
        do {
            let r = try rt.fileSystem.resolve(path)
            if rt.fileSystem.root == nil {
                guard let p = Glibc.realpath(r.host, nil) else { rt.setErrno(errno); return nil }
                defer { free(p) }
                return Array(UnsafeRawBufferPointer(start: p, count: strlen(p) + 1))
            }
            var st = stat()
            guard fstatat(AT_FDCWD, r.host, &st, 0) == 0 else { rt.setErrno(errno); return nil }
            return r.guest + [0]
        } catch {
            rt.setErrno(error.code)
            return nil
        }
    }
}

extension VariadicArguments {
    /// The next integer argument (on a copy, for one-off reads).
    func nextIntValue() throws -> UInt64 {
        var copy = self
        return try copy.nextInt()
    }
}
