import CUnicorn
import CHostSystem
import CrossRunLibc
#if canImport(Glibc)
import Glibc
#endif

extension GuestProcess {
    /// A real system call executed by guest code (inline `syscall`/`svc`/`ecall`).
    func handleSyscall() {
        let (number, a) = arch.syscallArguments(uc)
        if options.syscallTrace != nil { traceSyscallEntry(number, a) }
        let result: Int64
        do {
            result = try systemCall(number, a)
        } catch let t as GuestTermination {
            stop(t)
            return
        } catch {
            result = -Int64(EFAULT)
        }
        arch.setSyscallResult(uc, UInt64(bitPattern: result))
        if options.syscallTrace != nil { traceSyscall(number, a, result: result) }
    }

    /// System call `number` (in the guest ABI's numbering) with arguments `a`: the result or
    /// `-errno` (ENOSYS for a call the shims do not serve). The program ending (`exit`) is
    /// thrown as ``GuestTermination``. Used by raw system calls and the library's `syscall()`.
    func systemCall(_ number: UInt64, _ a: [UInt64]) throws -> Int64 {
        guard let call = arch.abi.syscalls[number] else {
            if options.verbose && unknownSyscalls.insert(number).inserted {
                fputs("crossrun: unsupported system call \(number) (returns -ENOSYS)\n", crossrun_host_stdio(2))
            }
            return -Int64(ENOSYS)
        }
        do {
            return try perform(call, a)
        } catch let t as GuestTermination {
            throw t
        } catch let failure as GuestFileSystem.Failure {
            return -Int64(failure.code)   // a path --root refuses or cannot resolve
        } catch {
            return -Int64(EFAULT)   // a bad guest pointer is EFAULT, as the kernel would say
        }
    }

    /// Result of a host call: the value, or `-errno` on failure.
    private func checked(_ r: Int) -> Int64 { r < 0 ? -Int64(errno) : Int64(r) }

    /// The directory descriptor and host path for the guest path at `address`, relative to
    /// guest directory descriptor `dirfd` (-100 is `AT_FDCWD`), resolved through the guest's
    /// file system (`--root`). Throws ``GuestFileSystem/Failure`` with the errno to report.
    /// `removing` says the call removes or renames the last component (checked as Linux does).
    func path(_ address: UInt64, at dirfd: Int32 = -100, followLast: Bool = true,
                      removing kind: GuestFileSystem.Removal? = nil) throws -> (Int32, [CChar]) {
        let bytes = Array(try memory.cString(address))
        let fs = runtime.fileSystem
        // Without a root the host resolves from a real directory descriptor itself.
        if fs.root == nil && dirfd != -100 { return (dirfd, GuestFileSystem.cString(bytes)) }
        let base = fs.root == nil || dirfd == -100 || bytes.first == UInt8(ascii: "/") ? nil : try fs.guestDirectory(ofDescriptor: dirfd)
        if let kind { return (AT_FDCWD, try fs.resolve(forRemoval: bytes, kind, from: base).host) }
        return (AT_FDCWD, try fs.resolve(bytes, followLast: followLast, from: base).host)
    }

    /// The byte count a `read`/`write` of `count` bytes at `address` transfers: Linux caps it
    /// at `MAX_RW_COUNT` (2 GiB − 4 KiB) and stops where the buffer's mapping ends (a count
    /// past it is not an error as long as the transfer stops in time); an unmapped start is
    /// EFAULT from `host`.
    private func transferCount(_ address: UInt64, _ count: UInt64) -> Int {
        let capped = Int(min(count, 0x7fff_f000))
        guard capped > 0, let span = try? memory.readableSpan(from: address) else { return capped }
        return min(capped, max(span.count, 1))
    }

    func perform(_ call: GuestSyscall, _ a: [UInt64]) throws -> Int64 {
        if options.deterministic, let fixed = try deterministicSyscall(call, a) { return fixed }
        let fd = Int32(truncatingIfNeeded: a[0])
        if let r = try GuestSockets.perform(call, a, runtime) { return r }
        if let r = try affinitySyscall(call, a) { return r }
        if let r = try fileSyscall(call, a) { return r }
        if let r = try schedulingSyscall(call, a) { return r }
        switch call {
        case .read:
            // A zero-length transfer touches no memory: any buffer, even NULL, is 0 from Linux.
            let n = transferCount(a[1], a[2])
            return checked(Glibc.read(fd, n == 0 ? nil : try memory.host(a[1], n, write: true), n))
        case .write:
            let n = transferCount(a[1], a[2])
            return checked(Glibc.write(fd, n == 0 ? nil : try memory.host(a[1], n, write: false), n))
        case .writev:
            // Linux reads and checks the whole vector first: at most UIO_MAXIOV (1024)
            // entries, no length negative as a ssize_t.
            guard a[2] <= 1024 else { return -Int64(EINVAL) }
            let entries = try (0..<Int(a[2])).map { i -> (UInt64, UInt64) in
                let entry = a[1] &+ UInt64(16 * i)
                return (try memory.load(entry, as: UInt64.self), try memory.load(entry &+ 8, as: UInt64.self))
            }
            guard entries.allSatisfy({ Int64(bitPattern: $0.1) >= 0 }) else { return -Int64(EINVAL) }
            var total: Int64 = 0
            for (base, length) in entries where length > 0 {
                let len = transferCount(base, min(length, UInt64(0x7fff_f000 - Int(min(total, 0x7fff_f000)))))
                if len == 0 { break }
                let r = Glibc.write(fd, try memory.host(base, len, write: false), len)
                if r < 0 { return total > 0 ? total : -Int64(errno) }
                total += Int64(r)
                if r < len { break }
            }
            return total
        case .openat, .open:
            let (dirfd, p, f, m) = call == .open ? (Int32(-100), a[0], a[1], a[2]) : (fd, a[1], a[2], a[3])
            let flags = runtime.hostOpenFlags(Int32(truncatingIfNeeded: f))
            let (at, host) = try path(p, at: dirfd, followLast: GuestFileSystem.followsLastComponent(openFlags: flags))
            return checked(Int(runtime.creatingFiles { Glibc.openat(at, host, flags, mode_t(truncatingIfNeeded: m)) }))
        case .close:
            return runtime.protectedDescriptors.contains(fd) ? 0 : checked(Int(Glibc.close(fd)))   // as the library's close
        case .lseek:
            return checked(Int(Glibc.lseek(fd, off_t(Int64(bitPattern: a[1])), Int32(truncatingIfNeeded: a[2]))))
        case .fstat, .newfstatat, .stat, .lstat:
            var st = stat()
            let r: Int32
            switch call {
            case .fstat: r = Glibc.fstat(fd, &st)
            case .stat: r = fstatat(AT_FDCWD, try path(a[0]).1, &st, 0)
            case .lstat: r = fstatat(AT_FDCWD, try path(a[0], followLast: false).1, &st, AT_SYMLINK_NOFOLLOW)
            default:
                let flags = Int32(truncatingIfNeeded: a[3])
                if flags & 0x1000 != 0, /* AT_EMPTY_PATH */ try memory.stringLength(a[1]) == 0 {
                    r = Glibc.fstat(fd, &st)
                } else {
                    let (at, host) = try path(a[1], at: fd, followLast: flags & AT_SYMLINK_NOFOLLOW == 0)
                    r = Glibc.fstatat(at, host, &st, flags & AT_SYMLINK_NOFOLLOW)
                }
            }
            if r != 0 { return -Int64(errno) }
            try runtime.writeStat(st, to: call == .fstat || call == .stat || call == .lstat ? a[1] : a[2])
            return 0
        case .brk:
            // The program break never moves (malloc lives on the host): report it unchanged,
            // which is how Linux says "cannot grow".
            return Int64(runtime.heap.limit)
        case .mmap:
            return LibcMapping.mmap(runtime, a)   // the same mappings as libc's mmap
        case .munmap:
            return LibcMapping.munmap(runtime, a[0], a[1])
        case .mprotect:
            return LibcMapping.mprotect(runtime, a[0], a[1], Int32(truncatingIfNeeded: a[2]))
        case .exit, .exitGroup:
            throw GuestTermination.immediateExit(Int32(truncatingIfNeeded: a[0]))
        case .getpid, .gettid:
            return Int64(Glibc.getpid())
        case .clockGettime:
            var ts = timespec()
            if clock_gettime(clockid_t(truncatingIfNeeded: a[0]), &ts) != 0 { return -Int64(errno) }
            try memory.store(Int64(ts.tv_sec), at: a[1])
            try memory.store(Int64(ts.tv_nsec), at: a[1] + 8)
            return 0
        case .gettimeofday:
            var tv = timeval()
            gettimeofday(&tv, nil)
            if a[0] != 0 {
                try memory.store(Int64(tv.tv_sec), at: a[0])
                try memory.store(Int64(tv.tv_usec), at: a[0] + 8)
            }
            return 0
        case .getrandom:
            let n = Int(clamping: min(a[1], 1 << 25))
            let dst = try memory.host(a[0], n, write: true)
            let urandom = Glibc.open("/dev/urandom", O_RDONLY)
            defer { if urandom >= 0 { Glibc.close(urandom) } }
            return urandom < 0 ? -Int64(EIO) : checked(Glibc.read(urandom, dst, n))
        case .uname:
            // struct utsname: six 65-byte fields; report the guest's machine.
            let dst = try memory.mutableBytes(a[0], 6 * 65)
            memset(dst.baseAddress!, 0, dst.count)
            let machineName = arch.abi.unameMachine
            for (i, field) in ["Linux", "crossrun", "6.1.0", "#1 CrossRun", machineName, "(none)"].enumerated() {
                try memory.write(Array(field.utf8.prefix(64)), at: a[0] + UInt64(65 * i))
            }
            return 0
        case .ioctl:
            return -Int64(ENOTTY)
        case .rtSigaction:
            // The same dispositions as sigaction (a handler set here is the one raise runs).
            return try runtime.kernelSigaction(Int32(truncatingIfNeeded: a[0]), act: a[1], oldact: a[2], setSize: a[3])
        case .rtSigprocmask:
            if call == .rtSigprocmask, a[2] != 0 { memset(try memory.host(a[2], Int(min(a[3], 128)), write: true), 0, Int(min(a[3], 128))) }
            return 0
        case .setTidAddress:
            return Int64(Glibc.getpid())
        case .archPrctl:
            if a[0] == 0x1002 { arch.setThreadPointer(uc, a[1]); return 0 }   // ARCH_SET_FS
            return -Int64(EINVAL)
        case .readlinkat, .readlink:
            let (dirfd, p, buf, size) = call == .readlink ? (Int32(-100), a[0], a[1], a[2]) : (fd, a[1], a[2], a[3])
            guard Int64(bitPattern: size) > 0 else { return -Int64(EINVAL) }
            let n = transferCount(buf, size)
            let (at, host) = try path(p, at: dirfd, followLast: false)
            return checked(Glibc.readlinkat(at, host, try memory.host(buf, n, write: true).assumingMemoryBound(to: CChar.self), n))
        case .getcwd:
            let cwd = try runtime.fileSystem.workingDirectory() + [0]
            guard cwd.count <= Int(clamping: a[1]) else { return -Int64(ERANGE) }
            try memory.write(cwd, at: a[0])
            return Int64(cwd.count)
        case .unlinkat, .unlink:
            let (dirfd, p, flags) = call == .unlink ? (Int32(-100), a[0], Int32(0)) : (fd, a[1], Int32(truncatingIfNeeded: a[2]))
            let (at, host) = try path(p, at: dirfd, removing: flags & AT_REMOVEDIR != 0 ? .rmdir : .unlink)
            return checked(Int(Glibc.unlinkat(at, host, flags)))
        default:
            return -Int64(ENOSYS)   // the socket calls, answered above
        }
    }
}
