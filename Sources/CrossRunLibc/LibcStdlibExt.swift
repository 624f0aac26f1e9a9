import CPosixLib
#if canImport(Glibc)
import Glibc
#endif

/// stdlib.h and malloc.h additions (`drand48` family, `arc4random`, `reallocarray`,
/// `mkdtemp`, `malloc_usable_size`), sys/uio.h and sys/auxv.h.
enum LibcStdlibExt {
    static func loadSeed(_ rt: LibcRuntime, _ a: UInt64) throws -> (UInt16, UInt16, UInt16) {
        (try rt.memory.load(a, as: UInt16.self), try rt.memory.load(a &+ 2, as: UInt16.self), try rt.memory.load(a &+ 4, as: UInt16.self))
    }
    static func storeSeed(_ rt: LibcRuntime, _ s: (UInt16, UInt16, UInt16), _ a: UInt64) throws {
        try rt.memory.store(s.0, at: a); try rt.memory.store(s.1, at: a &+ 2); try rt.memory.store(s.2, at: a &+ 4)
    }
    /// One step of the generator on the guest's `unsigned short[3]` (erand48 & co.).
    static func stepGuest(_ rt: LibcRuntime, _ a: UInt64) throws -> (UInt16, UInt16, UInt16) {
        var s = try loadSeed(rt, a)
        Rand48.iterate(&s, a: rt.posix.rand48.a, c: rt.posix.rand48.c)
        try storeSeed(rt, s, a)
        return s
    }
    static func stepHidden(_ rt: LibcRuntime) -> (UInt16, UInt16, UInt16) {
        Rand48.iterate(&rt.posix.rand48.x, a: rt.posix.rand48.a, c: rt.posix.rand48.c)
        return rt.posix.rand48.x
    }

    /// `realloc` semantics for `reallocarray` (the size already checked).
    static func reallocate(_ rt: LibcRuntime, _ old: UInt64, _ size: Int) throws -> UInt64 {
        if old == 0 { return try LibcMemory.allocate(rt, size, zero: false) }
        guard let oldSize = LibcMemory.blockSize(rt, old) else {
            throw GuestTermination.signal(SIGABRT, "realloc(): invalid pointer 0x" + String(old, radix: 16))
        }
        if size == 0 { try LibcMemory.release(rt, old); return 0 }
        if rt.heapChecker == nil && rt.heap.resizeInPlace(old, to: size) { return old }
        let new = try LibcMemory.allocate(rt, size, zero: false)
        if new == 0 { return 0 }
        let n = Swift.min(oldSize, size)
        if n > 0 { memcpy(try rt.memory.host(new, n, write: true), try rt.memory.host(old, n, write: false), n) }
        try LibcMemory.release(rt, old)
        return new
    }

    /// Host `iovec`s for `count` guest ones at `address`; nil with errno set (EINVAL, EFAULT).
    static func vectors(_ rt: LibcRuntime, _ address: UInt64, _ count: Int32, write: Bool) -> [iovec]? {
        guard count >= 0, count <= 1024 else { rt.setErrno(EINVAL); return nil }
        var out: [iovec] = []
        for i in 0..<Int(count) {
            let entry = address &+ UInt64(16 * i)
            guard let base = try? rt.memory.load(entry, as: UInt64.self), let length = try? rt.memory.load(entry &+ 8, as: UInt64.self) else {
                rt.setErrno(EFAULT); return nil
            }
            guard length <= UInt64(Int.max) else { rt.setErrno(EINVAL); return nil }
            if length == 0 { out.append(iovec(iov_base: nil, iov_len: 0)); continue }
            guard let host = try? rt.memory.host(base, Int(length), write: write) else { rt.setErrno(EFAULT); return nil }
            out.append(iovec(iov_base: host, iov_len: Int(length)))
        }
        return out
    }

    static func vectorCall(_ rt: LibcRuntime, _ f: any CallFrame, write: Bool, _ body: (Int32, UnsafePointer<iovec>?, Int32) -> Int) throws {
        let fd = try f.int32(0), count = try f.int32(2)
        guard let v = vectors(rt, try f.int(1), count, write: write) else { f.returnSigned(-1); return }
        let r = v.withUnsafeBufferPointer { body(fd, $0.baseAddress, count) }
        if r < 0 { rt.setErrno(errno) }
        f.returnSigned(Int64(r))
    }

    static let functions: [String: HostFunction] = [
        "srand48": { rt, f in
            let seed = UInt64(bitPattern: try f.long(0))
            rt.posix.rand48 = Rand48()
            rt.posix.rand48.x = (0x330e, UInt16(truncatingIfNeeded: seed), UInt16(truncatingIfNeeded: seed >> 16))
        },
        "seed48": { rt, f in
            let old = try rt.staticObject("seed48", size: 6)
            try storeSeed(rt, rt.posix.rand48.x, old)
            let x = try loadSeed(rt, f.int(0))
            rt.posix.rand48 = Rand48()
            rt.posix.rand48.x = x
            f.returnInt(old)
        },
        "lcong48": { rt, f in
            let p = try f.int(0)
            rt.posix.rand48.x = try loadSeed(rt, p)
            let a = try loadSeed(rt, p &+ 6)
            rt.posix.rand48.a = UInt64(a.2) << 32 | UInt64(a.1) << 16 | UInt64(a.0)
            rt.posix.rand48.c = try rt.memory.load(p &+ 12, as: UInt16.self)
        },
        "drand48": { rt, f in f.returnDouble(Rand48.double(stepHidden(rt))) },
        "lrand48": { rt, f in f.returnSigned(Rand48.nonNegative(stepHidden(rt))) },
        "mrand48": { rt, f in f.returnSigned(Rand48.signed(stepHidden(rt))) },
        "erand48": { rt, f in f.returnDouble(Rand48.double(try stepGuest(rt, f.int(0)))) },
        "nrand48": { rt, f in f.returnSigned(Rand48.nonNegative(try stepGuest(rt, f.int(0)))) },
        "jrand48": { rt, f in f.returnSigned(Rand48.signed(try stepGuest(rt, f.int(0)))) },
        "arc4random": { _, f in f.returnUInt32(arc4random()) },
        "arc4random_uniform": { _, f in f.returnUInt32(arc4random_uniform(UInt32(truncatingIfNeeded: try f.int(0)))) },
        "arc4random_buf": { rt, f in
            let n = try f.size(1)
            if n > 0 { arc4random_buf(try rt.memory.host(f.int(0), n, write: true), n) }
        },
        "reallocarray": { rt, f in
            let (total, overflow) = try f.size(1).multipliedReportingOverflow(by: f.size(2))
            if overflow { rt.setErrno(ENOMEM); f.returnInt(0); return }
            f.returnInt(try reallocate(rt, f.int(0), total))
        },
        "mkdtemp": { rt, f in
            let template = try f.int(0)
            guard var host = try rt.hostPath(at: template, followLast: false) else { f.returnInt(0); return }
            let length = try rt.memory.stringLength(template)
            guard Glibc.mkdtemp(&host) != nil else { rt.setErrno(errno); f.returnInt(0); return }
            // The name's last component (with the X's replaced) is the guest's too.
            let chosen = host.dropLast().suffix(Swift.min(6, length)).map { UInt8(bitPattern: $0) }
            try rt.memory.write(chosen, at: template &+ UInt64(length - chosen.count))
            f.returnInt(template)
        },
        // No set-user-ID guests: the environment is always trusted.
        "secure_getenv": { rt, f in
            guard let getenv = LibcEnvironment.functions["getenv"] else { f.returnInt(0); return }
            try getenv(rt, f)
        },
        "malloc_usable_size": { rt, f in
            let p = try f.int(0)
            f.returnInt(p == 0 ? 0 : UInt64(LibcMemory.blockSize(rt, p) ?? 0))
        },
        // 1 when memory went back to the heap's page pool (glibc: to the system).
        "malloc_trim": { rt, f in f.returnInt32(rt.heap.trim() ? 1 : 0) },
        "readv": { rt, f in try vectorCall(rt, f, write: true) { Glibc.readv($0, $1, $2) } },
        "writev": { rt, f in try vectorCall(rt, f, write: false) { Glibc.writev($0, $1, $2) } },
        "preadv": { rt, f in let off = off_t(try f.long(3)); try vectorCall(rt, f, write: true) { Glibc.preadv($0, $1, $2, off) } },
        "pwritev": { rt, f in let off = off_t(try f.long(3)); try vectorCall(rt, f, write: false) { Glibc.pwritev($0, $1, $2, off) } },
        "getauxval": { rt, f in
            let p = rt.posix
            switch try f.int(0) {
            case 6: f.returnInt(4096)                                   // AT_PAGESZ
            case 17: f.returnInt(UInt64(sysconf(Int32(_SC_CLK_TCK))))    // AT_CLKTCK
            case 11: f.returnInt(UInt64(getuid()))
            case 12: f.returnInt(UInt64(geteuid()))
            case 13: f.returnInt(UInt64(getgid()))
            case 14: f.returnInt(UInt64(getegid()))
            case 23: f.returnInt(0)                                      // AT_SECURE
            case 16: f.returnInt(p.hwcap)
            case 26: f.returnInt(p.hwcap2)
            case 15 where p.platform != nil: f.returnInt(try rt.internedString(p.platform ?? ""))
            case 25:                                                     // AT_RANDOM: 16 bytes
                if p.randomBytes == 0 {
                    p.randomBytes = try rt.allocateZeroed(16)
                    arc4random_buf(try rt.memory.host(p.randomBytes, 16, write: true), 16)
                }
                f.returnInt(p.randomBytes)
            default: rt.setErrno(ENOENT); f.returnInt(0)
            }
        },
    ]
}
