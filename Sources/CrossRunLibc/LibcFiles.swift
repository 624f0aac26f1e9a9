import CHostSystem
#if canImport(Glibc)
import Glibc
#endif

/// File operations beyond open/read/write: `fcntl` (descriptors and record locks), `flock`,
/// syncing and truncating, links, ownership and modes, timestamps, `*at` forms, `statvfs`,
/// `pathconf`. Host calls on guest descriptors (which are host descriptors), with structs
/// converted through the guest's ``GuestABI``.
enum LibcFiles {
    /// The host directory descriptor and path for guest path argument `index` relative to guest
    /// directory descriptor `dirfd` (`AT_FDCWD` -100), through `--root`; nil with errno set.
    static func path(_ rt: LibcRuntime, _ f: any CallFrame, _ index: Int, dirfd: Int32, followLast: Bool,
                     removing: GuestFileSystem.Removal? = nil) throws -> (Int32, [CChar])? {
        let bytes = Array(try rt.memory.cString(f.int(index)))
        let fs = rt.fileSystem
        let relativeToDescriptor = dirfd != -100 && bytes.first != UInt8(ascii: "/")
        // Without a root the host resolves paths below a real directory descriptor itself.
        if fs.root == nil && relativeToDescriptor { return (dirfd, GuestFileSystem.cString(bytes)) }
        do throws(GuestFileSystem.Failure) {
            // AT_FDCWD: the guest's own working directory (never CrossRun's), also without a root.
            let base = relativeToDescriptor ? try fs.guestDirectory(ofDescriptor: dirfd) : nil
            let resolved: GuestFileSystem.Resolved
            if let removing {
                resolved = try fs.resolve(forRemoval: bytes, removing, from: base)
            } else {
                resolved = try fs.resolve(bytes, followLast: followLast, from: base)
            }
            return (AT_FDCWD, resolved.host)
        } catch {
            rt.setErrno(error.code)
            return nil
        }
    }

    /// Calls `body` with the host form of path argument `index` (relative to `dirfd`) and returns its result.
    static func atCall(_ rt: LibcRuntime, _ f: any CallFrame, _ index: Int = 0, dirfd: Int32 = -100, followLast: Bool = true,
                       removing: GuestFileSystem.Removal? = nil, _ body: (Int32, [CChar]) throws -> Int32) throws {
        guard let (at, p) = try path(rt, f, index, dirfd: dirfd, followLast: followLast, removing: removing) else { f.returnInt32(-1); return }
        LibcPosix.result(rt, f, Int(try body(at, p)))
    }

    /// Whether `mknod` may create a node of `mode`'s type: under `--root` no character or block
    /// devices (a device node inside the root would open host devices from outside it).
    static func deviceNodeAllowed(_ rt: LibcRuntime, _ mode: mode_t) -> Bool {
        let type = mode & S_IFMT
        return !rt.fileSystem.confined || (type != S_IFCHR && type != S_IFBLK)
    }

    /// `fcntl(fd, cmd, ...)`: descriptor flags, status flags, duplication and record locks.
    static func fcntl(_ rt: LibcRuntime, _ f: any CallFrame) throws {
        let n = rt.abi.linux.fcntl
        let fd = try f.int32(0), cmd = try f.int32(1)
        var args = try f.variadic(afterInts: 2, floats: 0)
        switch cmd {
        case n.getfd: LibcPosix.result(rt, f, Int(Glibc.fcntl(fd, F_GETFD)))
        case n.getfl:
            let r = Glibc.fcntl(fd, F_GETFL)
            LibcPosix.result(rt, f, Int(r < 0 ? r : rt.abi.guestOpenFlags(r)))
        case n.setfd: LibcPosix.result(rt, f, Int(Glibc.fcntl(fd, F_SETFD, Int32(truncatingIfNeeded: try args.nextInt()))))
        case n.setfl: LibcPosix.result(rt, f, Int(Glibc.fcntl(fd, F_SETFL, rt.hostOpenFlags(Int32(truncatingIfNeeded: try args.nextInt())))))
        case n.dupfd, n.dupfdCloexec:
            let minimum = Int32(truncatingIfNeeded: try args.nextInt())
            LibcPosix.result(rt, f, Int(Glibc.fcntl(fd, cmd == n.dupfd ? F_DUPFD : F_DUPFD_CLOEXEC, minimum)))
        case n.getlk, n.setlk, n.setlkw, n.ofdGetlk, n.ofdSetlk, n.ofdSetlkw:
            let address = try args.nextInt()
            let l = rt.abi.linux.flock
            guard let reader = try? GuestStructReader(rt.memory, at: address, size: l.size) else { rt.setErrno(EFAULT); f.returnInt32(-1); return }
            var lock = flock()
            switch Int16(truncatingIfNeeded: try reader.signed(l.type)) {
            case n.rdlck: lock.l_type = Int16(F_RDLCK)
            case n.wrlck: lock.l_type = Int16(F_WRLCK)
            case n.unlck: lock.l_type = Int16(F_UNLCK)
            default: rt.setErrno(EINVAL); f.returnInt32(-1); return
            }
            lock.l_whence = Int16(truncatingIfNeeded: try reader.signed(l.whence))
            lock.l_start = off_t(try reader.signed(l.start))
            lock.l_len = off_t(try reader.signed(l.len))
            lock.l_pid = pid_t(truncatingIfNeeded: try reader.signed(l.pid))
            let host: Int32 = switch cmd {
            case n.getlk: F_GETLK
            case n.setlk: F_SETLK
            case n.setlkw: F_SETLKW
            case n.ofdGetlk: Int32(CROSSRUN_F_OFD_GETLK)
            case n.ofdSetlk: Int32(CROSSRUN_F_OFD_SETLK)
            default: Int32(CROSSRUN_F_OFD_SETLKW)
            }
            let r = Glibc.fcntl(fd, host, &lock)
            if r == 0 && (cmd == n.getlk || cmd == n.ofdGetlk) {
                let w = try GuestStructWriter(rt.memory, at: address, size: l.size)
                let type: Int16 = switch Int32(lock.l_type) { case F_RDLCK: n.rdlck; case F_WRLCK: n.wrlck; default: n.unlck }
                try w.set(l.type, Int64(type)); try w.set(l.whence, Int64(lock.l_whence))
                try w.set(l.start, Int64(lock.l_start)); try w.set(l.len, Int64(lock.l_len)); try w.set(l.pid, Int64(lock.l_pid))
            }
            LibcPosix.result(rt, f, Int(r))
        default:
            rt.setErrno(EINVAL)
            f.returnInt32(-1)
        }
    }

    /// Reads two guest `struct timespec`s (nil pointer: nil, meaning "now").
    static func timespecs(_ rt: LibcRuntime, _ address: UInt64) throws -> [timespec]? {
        guard address != 0 else { return nil }
        return try (0..<2).map { i in
            let a = address + UInt64(16 * i)
            return timespec(tv_sec: Int(try rt.memory.load(a, as: Int64.self)), tv_nsec: Int(try rt.memory.load(a + 8, as: Int64.self)))
        }
    }

    static func utimens(_ at: Int32, _ p: [CChar], _ times: [timespec]?, _ flags: Int32) -> Int32 {
        guard var t = times else { return Glibc.utimensat(at, p, nil, flags) }
        return Glibc.utimensat(at, p, &t, flags)
    }

    /// Every one is a system-call wrapper (``LibcPosix/faultIsEFAULT(_:)``).
    static let functions = wrappers.mapValues(LibcPosix.faultIsEFAULT)

    static let wrappers: [String: HostFunction] = [
        "fcntl": { rt, f in try fcntl(rt, f) },
        "flock": { rt, f in
            let op = try f.int32(1)
            guard [LOCK_SH, LOCK_EX, LOCK_UN].contains(op & ~LOCK_NB) else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
            LibcPosix.result(rt, f, Int(crossrun_flock(try f.int32(0), op)))
        },
        // System-call wrappers: a bad buffer is the kernel's EFAULT, not a crash.
        "pread": { rt, f in
            let n = try f.size(2), fd = try f.int32(0), offset = off_t(try f.long(3))
            try LibcPosix.transfer(rt, f, n, intoGuest: true) { Glibc.pread(fd, $0, n, offset) }
        },
        "pwrite": { rt, f in
            let n = try f.size(2), fd = try f.int32(0), offset = off_t(try f.long(3))
            try LibcPosix.transfer(rt, f, n, intoGuest: false) { Glibc.pwrite(fd, $0, n, offset) }
        },
        "openat": { rt, f in
            let flags = try f.int32(2)
            let mode = flags & O_CREAT != 0 ? mode_t(truncatingIfNeeded: try f.variadic(afterInts: 3, floats: 0).nextIntValue()) : 0
            let host = rt.hostOpenFlags(flags)
            try atCall(rt, f, 1, dirfd: try f.int32(0), followLast: GuestFileSystem.followsLastComponent(openFlags: host)) { at, p in
                rt.creatingFiles { Glibc.openat(at, p, host, mode) }
            }
        },
        "faccessat": { rt, f in
            let flags = try f.int32(3)
            try atCall(rt, f, 1, dirfd: try f.int32(0), followLast: flags & AT_SYMLINK_NOFOLLOW == 0) { at, p in
                Glibc.faccessat(at, p, try f.int32(2), flags)
            }
        },
        "mkdirat": { rt, f in
            try atCall(rt, f, 1, dirfd: try f.int32(0), followLast: false) { at, p in
                let mode = mode_t(truncatingIfNeeded: try f.int(2))
                return rt.creatingFiles { Glibc.mkdirat(at, p, mode) }
            }
        },
        "unlinkat": { rt, f in
            let flags = try f.int32(2)
            try atCall(rt, f, 1, dirfd: try f.int32(0), followLast: false, removing: flags & AT_REMOVEDIR != 0 ? .rmdir : .unlink) { at, p in
                Glibc.unlinkat(at, p, flags)
            }
        },
        "renameat": { rt, f in
            guard let (oldAt, old) = try path(rt, f, 1, dirfd: try f.int32(0), followLast: false, removing: .rename) else { f.returnInt32(-1); return }
            try atCall(rt, f, 3, dirfd: try f.int32(2), followLast: false, removing: .rename) { at, p in Glibc.renameat(oldAt, old, at, p) }
        },
        "readlinkat": { rt, f in
            let n = try f.size(3)
            guard let (at, p) = try path(rt, f, 1, dirfd: try f.int32(0), followLast: false) else { f.returnSigned(-1); return }
            var text = [CChar](repeating: 0, count: min(n, 4096))
            let r = Glibc.readlinkat(at, p, &text, text.count)
            if r > 0 { try rt.memory.write(text.prefix(r).map { UInt8(bitPattern: $0) }, at: f.int(2)) }
            LibcPosix.result(rt, f, r)
        },
        "symlinkat": { rt, f in
            let target = GuestFileSystem.cString(Array(try rt.memory.cString(f.int(0))))
            try atCall(rt, f, 2, dirfd: try f.int32(1), followLast: false) { at, p in Glibc.symlinkat(target, at, p) }
        },
        "linkat": { rt, f in
            let flags = try f.int32(4)
            guard let (oldAt, old) = try path(rt, f, 1, dirfd: try f.int32(0), followLast: flags & AT_SYMLINK_FOLLOW != 0) else { f.returnInt32(-1); return }
            try atCall(rt, f, 3, dirfd: try f.int32(2), followLast: false) { at, p in Glibc.linkat(oldAt, old, at, p, flags & AT_SYMLINK_FOLLOW) }
        },
        "mkfifo": { rt, f in try atCall(rt, f, followLast: false) { _, p in
            let mode = mode_t(truncatingIfNeeded: try f.int(1))
            return rt.creatingFiles { Glibc.mkfifo(p, mode) }
        } },
        "mkfifoat": { rt, f in
            try atCall(rt, f, 1, dirfd: try f.int32(0), followLast: false) { at, p in
                let mode = mode_t(truncatingIfNeeded: try f.int(2))
                return rt.creatingFiles { Glibc.mkfifoat(at, p, mode) }
            }
        },
        "mknod": { rt, f in
            let mode = mode_t(truncatingIfNeeded: try f.int(1)), dev = dev_t(try f.int(2))
            guard deviceNodeAllowed(rt, mode) else { rt.setErrno(EPERM); f.returnInt32(-1); return }
            try atCall(rt, f, followLast: false) { _, p in rt.creatingFiles { Glibc.mknod(p, mode, dev) } }
        },
        "mknodat": { rt, f in
            let mode = mode_t(truncatingIfNeeded: try f.int(2)), dev = dev_t(try f.int(3))
            guard deviceNodeAllowed(rt, mode) else { rt.setErrno(EPERM); f.returnInt32(-1); return }
            try atCall(rt, f, 1, dirfd: try f.int32(0), followLast: false) { at, p in rt.creatingFiles { Glibc.mknodat(at, p, mode, dev) } }
        },
        "fchownat": { rt, f in
            let flags = try f.int32(4)
            try atCall(rt, f, 1, dirfd: try f.int32(0), followLast: flags & AT_SYMLINK_NOFOLLOW == 0) { at, p in
                Glibc.fchownat(at, p, uid_t(truncatingIfNeeded: try f.int(2)), gid_t(truncatingIfNeeded: try f.int(3)), flags & (AT_SYMLINK_NOFOLLOW | Int32(CROSSRUN_AT_EMPTY_PATH)))
            }
        },
        // Emulated, a guest chroot re-roots only the guest's path resolution (CrossRun's own
        // files stay reachable); path errors come first, then CAP_SYS_CHROOT's EPERM, as Linux.
        "chroot": { rt, f in
            var fs = rt.fileSystem
            let path = Array(try rt.memory.cString(f.int(0)))
            do throws(GuestFileSystem.Failure) {
                try fs.changeRoot(path)
            } catch {
                rt.setErrno(error.code); f.returnInt32(-1); return
            }
            guard geteuid() == 0 else { rt.setErrno(EPERM); f.returnInt32(-1); return }
            rt.fileSystem = fs
            f.returnInt32(0)
        },
        "fsync": { rt, f in LibcPosix.result(rt, f, Int(Glibc.fsync(try f.int32(0)))) },
        "fdatasync": { rt, f in LibcPosix.result(rt, f, Int(Glibc.fdatasync(try f.int32(0)))) },
        "ftruncate": { rt, f in LibcPosix.result(rt, f, Int(Glibc.ftruncate(try f.int32(0), off_t(try f.long(1))))) },
        "truncate": { rt, f in try atCall(rt, f) { _, p in Glibc.truncate(p, off_t(try f.long(1))) } },
        // The host's, on the guest's (host) descriptor: the advice numbers are Linux's on every target.
        "posix_fadvise": { rt, f in
            f.returnInt32(Glibc.posix_fadvise(try f.int32(0), off_t(try f.long(1)), off_t(try f.long(2)), try f.int32(3)))
        },
        "posix_fallocate": { rt, f in
            f.returnInt32(Glibc.posix_fallocate(try f.int32(0), off_t(try f.long(1)), off_t(try f.long(2))))
        },
        "readlink": { rt, f in
            let n = try f.size(2)
            guard let (_, p) = try path(rt, f, 0, dirfd: -100, followLast: false) else { f.returnSigned(-1); return }
            // The path's errors come first (as the kernel's), then the buffer's.
            var text = [CChar](repeating: 0, count: min(n, 4096))
            let r = Glibc.readlink(p, &text, text.count)
            if r > 0 { try rt.memory.write(text.prefix(r).map { UInt8(bitPattern: $0) }, at: f.int(1)) }
            LibcPosix.result(rt, f, r)
        },
        "symlink": { rt, f in
            // The link's contents are the guest's text, unresolved (as the kernel stores it).
            let target = GuestFileSystem.cString(Array(try rt.memory.cString(f.int(0))))
            try atCall(rt, f, 1, followLast: false) { at, p in Glibc.symlinkat(target, at, p) }
        },
        "link": { rt, f in
            guard let (_, old) = try path(rt, f, 0, dirfd: -100, followLast: false) else { f.returnInt32(-1); return }
            try atCall(rt, f, 1, followLast: false) { _, p in Glibc.link(old, p) }
        },
        "chown": { rt, f in try atCall(rt, f) { _, p in Glibc.chown(p, uid_t(truncatingIfNeeded: try f.int(1)), gid_t(truncatingIfNeeded: try f.int(2))) } },
        "lchown": { rt, f in try atCall(rt, f, followLast: false) { _, p in Glibc.lchown(p, uid_t(truncatingIfNeeded: try f.int(1)), gid_t(truncatingIfNeeded: try f.int(2))) } },
        "fchown": { rt, f in LibcPosix.result(rt, f, Int(Glibc.fchown(try f.int32(0), uid_t(truncatingIfNeeded: try f.int(1)), gid_t(truncatingIfNeeded: try f.int(2))))) },
        "fchmod": { rt, f in LibcPosix.result(rt, f, Int(Glibc.fchmod(try f.int32(0), mode_t(truncatingIfNeeded: try f.int(1))))) },
        "fchmodat": { rt, f in
            let flags = try f.int32(3)
            try atCall(rt, f, 1, dirfd: try f.int32(0), followLast: flags & AT_SYMLINK_NOFOLLOW == 0) { at, p in
                Glibc.fchmodat(at, p, mode_t(truncatingIfNeeded: try f.int(2)), flags)
            }
        },
        "fstatat": { rt, f in
            let flags = try f.int32(3)
            var st = stat()
            try atCall(rt, f, 1, dirfd: try f.int32(0), followLast: flags & AT_SYMLINK_NOFOLLOW == 0) { at, p in
                let r = Glibc.fstatat(at, p, &st, flags & (AT_SYMLINK_NOFOLLOW | Int32(CROSSRUN_AT_EMPTY_PATH)))
                if r == 0 { try rt.writeStat(st, to: f.int(2)) }
                return r
            }
        },
        "utime": { rt, f in
            let times = try f.int(1)
            let t: [timespec]? = times == 0 ? nil : [
                timespec(tv_sec: Int(try rt.memory.load(times, as: Int64.self)), tv_nsec: 0),
                timespec(tv_sec: Int(try rt.memory.load(times + 8, as: Int64.self)), tv_nsec: 0)]
            try atCall(rt, f) { at, p in utimens(at, p, t, 0) }
        },
        "utimes": { rt, f in
            let times = try f.int(1)
            var t: [timespec]?
            if times != 0 {
                t = []
                for i in 0..<2 {
                    let sec = try rt.memory.load(times + UInt64(16 * i), as: Int64.self), usec = try rt.memory.load(times + UInt64(16 * i) + 8, as: Int64.self)
                    guard (0..<1_000_000).contains(usec) else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
                    t?.append(timespec(tv_sec: Int(sec), tv_nsec: Int(usec) * 1000))
                }
            }
            try atCall(rt, f) { at, p in utimens(at, p, t, 0) }
        },
        "utimensat": { rt, f in
            let flags = try f.int32(3)
            let t = try timespecs(rt, f.int(2))
            try atCall(rt, f, 1, dirfd: try f.int32(0), followLast: flags & AT_SYMLINK_NOFOLLOW == 0) { at, p in utimens(at, p, t, flags & AT_SYMLINK_NOFOLLOW) }
        },
        "futimens": { rt, f in
            let fd = try f.int32(0)
            guard var t = try timespecs(rt, f.int(1)) else { LibcPosix.result(rt, f, Int(Glibc.futimens(fd, nil))); return }
            LibcPosix.result(rt, f, Int(Glibc.futimens(fd, &t)))
        },
        "statvfs": { rt, f in
            var s = statvfs()
            try atCall(rt, f) { _, p in
                let r = crossrun_statvfs(p, &s)
                if r == 0 { try writeStatvfs(rt, s, f.int(1)) }
                return r
            }
        },
        "fstatvfs": { rt, f in
            var s = statvfs()
            let r = Glibc.fstatvfs(try f.int32(0), &s)
            if r == 0 { try writeStatvfs(rt, s, f.int(1)) }
            LibcPosix.result(rt, f, Int(r))
        },
        "pathconf": { rt, f in
            let name = try f.int32(1)
            guard let (_, p) = try path(rt, f, 0, dirfd: -100, followLast: true) else { f.returnSigned(-1); return }
            errno = 0
            let r = Glibc.pathconf(p, name)
            if r < 0 && errno != 0 { rt.setErrno(errno) }
            f.returnSigned(Int64(r))
        },
        "fpathconf": { rt, f in
            errno = 0
            let r = Glibc.fpathconf(try f.int32(0), try f.int32(1))
            if r < 0 && errno != 0 { rt.setErrno(errno) }
            f.returnSigned(Int64(r))
        },
    ]

    static func writeStatvfs(_ rt: LibcRuntime, _ s: statvfs, _ address: UInt64) throws {
        let l = rt.abi.linux.statvfs
        let w = try GuestStructWriter(rt.memory, at: address, size: l.size)
        try w.set(l.bsize, UInt64(s.f_bsize)); try w.set(l.frsize, UInt64(s.f_frsize)); try w.set(l.blocks, UInt64(s.f_blocks))
        try w.set(l.bfree, UInt64(s.f_bfree)); try w.set(l.bavail, UInt64(s.f_bavail)); try w.set(l.files, UInt64(s.f_files))
        try w.set(l.ffree, UInt64(s.f_ffree)); try w.set(l.favail, UInt64(s.f_favail)); try w.set(l.fsid, UInt64(s.f_fsid))
        try w.set(l.flag, UInt64(s.f_flag)); try w.set(l.namemax, UInt64(s.f_namemax))
    }
}
