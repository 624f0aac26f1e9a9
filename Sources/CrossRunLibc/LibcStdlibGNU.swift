import CPosixLib
#if canImport(Glibc)
import Glibc
#endif

/// `<stdlib.h>`, `<string.h>` and `<sys/time.h>` additions real programs use: the
/// `mkstemp` variants (with suffixes and open flags) and `mktemp`, `rand_r`, `strtoq`/
/// `strtouq`, `a64l`/`l64a`, `ecvt`/`fcvt`/`gcvt`, `getloadavg`, `rpmatch`, `getsubopt`,
/// `canonicalize_file_name`, `valloc`, `memccpy`, the errno and signal name tables
/// (`strerrorname_np` & co.), `futimes`/`lutimes`.
enum LibcStdlibGNU {
    /// The table entry `name`, called under another name (same arguments and result).
    static func alias(_ name: String) -> HostFunction { LibcStdioGNU.alias(name) }

    /// The `mkstemp` family: the host creates the file at the host path of the template;
    /// the template's last `6 + suffix` bytes (the X's, replaced, and the suffix) are the
    /// guest's too. EINVAL, as glibc, when the template has no room for six X's before the
    /// suffix. Returns the descriptor, or −1 with errno.
    static func makeTemporary(_ rt: LibcRuntime, _ f: any CallFrame, suffix: Int32, flags: Int32) throws -> Int32 {
        let template = try f.int(0)
        let length = try rt.memory.stringLength(template)
        guard suffix >= 0, length >= 6 + Int(suffix) else { rt.setErrno(EINVAL); return -1 }
        guard var host = try rt.hostPath(at: template, followLast: false) else { return -1 }
        let fd = rt.creatingFiles { crossrun_mkostemps(&host, suffix, flags) }
        guard fd >= 0 else { rt.setErrno(errno); return -1 }
        let chosen = host.dropLast().suffix(6 + Int(suffix)).map { UInt8(bitPattern: $0) }
        try rt.memory.write(chosen, at: template &+ UInt64(length - chosen.count))
        return fd
    }

    /// Open flags `mkostemp` accepts beyond O_RDWR|O_CREAT|O_EXCL, in the host's numbering.
    static func temporaryFlags(_ rt: LibcRuntime, _ guest: Int32) -> Int32 {
        rt.hostOpenFlags(guest) & (O_APPEND | O_CLOEXEC | O_SYNC | O_DSYNC)
    }

    /// A host string result copied to a guest block that stays valid (one per `key`, the
    /// way glibc's tables and static buffers stay), or NULL for a NULL result.
    static func staticString(_ rt: LibcRuntime, _ key: String, _ p: UnsafePointer<CChar>?, size: Int = 256) throws -> UInt64 {
        guard let p else { return 0 }
        let bytes = Array(UnsafeRawBufferPointer(start: p, count: strlen(p)).prefix(size - 1))
        let object = try rt.staticObject(key, size: size)
        try rt.memory.write(bytes + [0], at: object)
        return object
    }

    /// `ecvt`/`fcvt`: digits in glibc's static buffer (copied to the guest's), `*decpt`, `*sign`.
    static func convert(_ rt: LibcRuntime, _ f: any CallFrame, fixed: Bool) throws {
        let value = try f.double(0)
        // glibc computes at most 17 significant digits (more are zeros); fcvt pads to the
        // requested decimals, bounded here so the host buffer stays small.
        let digits = min(max(try f.int32(0), -1000), 1000)
        var decpt: Int32 = 0, sign: Int32 = 0
        let p = fixed ? fcvt(value, digits, &decpt, &sign) : ecvt(value, digits, &decpt, &sign)
        try rt.memory.store(decpt, at: f.int(1))
        try rt.memory.store(sign, at: f.int(2))
        f.returnInt(try staticString(rt, fixed ? "fcvt" : "ecvt", p, size: 2048))
    }

    static let functions: [String: HostFunction] = [
        "mkstemps": { rt, f in
            let suffix = try f.int32(1)
            f.returnInt32(try makeTemporary(rt, f, suffix: suffix, flags: 0))
        },
        "mkostemp": { rt, f in
            let flags = temporaryFlags(rt, try f.int32(1))
            f.returnInt32(try makeTemporary(rt, f, suffix: 0, flags: flags))
        },
        "mkostemps": { rt, f in
            let suffix = try f.int32(1), flags = temporaryFlags(rt, try f.int32(2))
            f.returnInt32(try makeTemporary(rt, f, suffix: suffix, flags: flags))
        },
        // mktemp: a name no file has yet (the race is the caller's, as with glibc's): made by
        // creating the file and removing it again.
        "mktemp": { rt, f in
            let template = try f.int(0)
            let fd = try makeTemporary(rt, f, suffix: 0, flags: 0)
            guard fd >= 0 else {
                if try rt.memory.stringLength(template) > 0 { try rt.memory.store(UInt8(0), at: template) }
                f.returnInt(template)
                return
            }
            _ = Glibc.close(fd)
            if let host = try rt.hostPath(at: template, followLast: false) { _ = Glibc.unlink(host) }
            f.returnInt(template)
        },
        "rand_r": { rt, f in
            let seedAddress = try f.int(0)
            var seed = try rt.memory.load(seedAddress, as: UInt32.self)
            let r = rand_r(&seed)
            try rt.memory.store(seed, at: seedAddress)
            f.returnInt32(r)
        },
        "strtoq": alias("strtoll"), "strtouq": alias("strtoull"),
        "a64l": { rt, f in f.returnSigned(Int64(a64l(try rt.memory.string(f.int(0))))) },
        "l64a": { rt, f in
            let value = Int(try f.long(0))
            // glibc answers 0 with a literal "", anything else in its static buffer: one guest
            // block per host address keeps the two apart, as natively.
            let p = UnsafePointer(l64a(value))
            f.returnInt(try staticString(rt, "l64a:\(UInt(bitPattern: p))", p, size: 16))
        },
        "ecvt": { rt, f in try convert(rt, f, fixed: false) },
        "fcvt": { rt, f in try convert(rt, f, fixed: true) },
        // gcvt writes at most ndigit significant digits plus sign, point and exponent.
        "gcvt": { rt, f in
            let value = try f.double(0), digits = min(max(try f.int32(0), 0), 17), out = try f.int(1)
            var buffer = [CChar](repeating: 0, count: 64)
            _ = gcvt(value, digits, &buffer)
            let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            try rt.memory.write(bytes + [0], at: out)
            f.returnInt(out)
        },
        "getloadavg": { rt, f in
            let out = try f.int(0), n = min(max(try f.int32(1), -1), 3)
            guard n >= 0 else { f.returnInt32(-1); return }
            var loads = [Double](repeating: 0, count: 3)
            let r = getloadavg(&loads, n)
            for i in 0..<Int(max(r, 0)) { try rt.memory.store(loads[i].bitPattern, at: out &+ UInt64(8 * i)) }
            f.returnInt32(r)
        },
        "rpmatch": { rt, f in f.returnInt32(rpmatch(try rt.memory.string(f.int(0)))) },
        "getsubopt": { rt, f in try subopt(rt, f) },
        "canonicalize_file_name": { rt, f in
            guard let bytes = try LibcPosix.canonicalPath(rt, f) else { f.returnInt(0); return }
            let out = try LibcMemory.allocate(rt, bytes.count, zero: false)
            if out != 0 { try rt.memory.write(bytes, at: out) }
            f.returnInt(out)
        },
        "valloc": { rt, f in f.returnInt(try LibcMemory.alignedAllocate(rt, 4096, f.size(0))) },
        // Reads the source only up to the byte found, as glibc (a page at a time).
        "memccpy": { rt, f in
            let dst = try f.int(0), src = try f.int(1), c = Int32(UInt8(truncatingIfNeeded: try f.int(2))), n = try f.size(3)
            var scanned = 0, found = false
            while scanned < n && !found {
                let piece = min(4096, n - scanned)
                let block = try rt.memory.host(src &+ UInt64(scanned), piece, write: false)
                if let hit = memchr(block, c, piece) {
                    scanned += UnsafeRawPointer(block).distance(to: UnsafeRawPointer(hit)) + 1
                    found = true
                } else {
                    scanned += piece
                }
            }
            if scanned > 0 { memmove(try rt.memory.host(dst, scanned, write: true), try rt.memory.host(src, scanned, write: false), scanned) }
            f.returnInt(found ? dst &+ UInt64(scanned) : 0)
        },
        "strerrorname_np": { rt, f in let e = try f.int32(0); f.returnInt(try staticString(rt, "strerrorname_np:\(e)", crossrun_strerrorname_np(e))) },
        "strerrordesc_np": { rt, f in let e = try f.int32(0); f.returnInt(try staticString(rt, "strerrordesc_np:\(e)", crossrun_strerrordesc_np(e))) },
        "sigabbrev_np": { rt, f in let s = try f.int32(0); f.returnInt(try staticString(rt, "sigabbrev_np:\(s)", crossrun_sigabbrev_np(s))) },
        "sigdescr_np": { rt, f in let s = try f.int32(0); f.returnInt(try staticString(rt, "sigdescr_np:\(s)", crossrun_sigdescr_np(s))) },
        "futimes": { rt, f in
            guard let times = try timevals(rt, f.int(1)) else { f.returnInt32(-1); return }
            let fd = try f.int32(0)
            LibcUnistdExt.status(rt, f, times.map { t in t.withUnsafeBufferPointer { futimens(fd, $0.baseAddress) } } ?? futimens(fd, nil))
        },
        "lutimes": { rt, f in
            guard let times = try timevals(rt, f.int(1)) else { f.returnInt32(-1); return }
            try LibcFiles.atCall(rt, f, followLast: false) { at, p in LibcFiles.utimens(at, p, times, AT_SYMLINK_NOFOLLOW) }
        },
    ]

    /// Two guest `struct timeval`s as `timespec`s (nil for a NULL pointer: now); EINVAL,
    /// returned as nil with errno set, for microseconds outside 0..<1,000,000.
    static func timevals(_ rt: LibcRuntime, _ address: UInt64) throws -> [timespec]?? {
        guard address != 0 else { return .some(nil) }
        var result: [timespec] = []
        for i in 0..<2 {
            let at = address &+ UInt64(16 * i)
            let sec = try rt.memory.load(at, as: Int64.self), usec = try rt.memory.load(at &+ 8, as: Int64.self)
            guard (0..<1_000_000).contains(usec) else { rt.setErrno(EINVAL); return nil }
            result.append(timespec(tv_sec: Int(sec), tv_nsec: Int(usec) * 1000))
        }
        return .some(result)
    }

    /// glibc's `getsubopt`: matches the option at `*optionp` (up to ',' and '=') against the
    /// NULL-terminated `tokens`, cutting the string in place.
    static func subopt(_ rt: LibcRuntime, _ f: any CallFrame) throws {
        let m = rt.memory
        let optionp = try f.int(0), tokens = try f.int(1), valuep = try f.int(2)
        let start = try m.load(optionp, as: UInt64.self)
        let text = Array(try m.cString(start))
        if text.isEmpty { f.returnInt32(-1); return }
        let end = text.firstIndex(of: UInt8(ascii: ",")) ?? text.count
        let nameEnd = text[..<end].firstIndex(of: UInt8(ascii: "=")) ?? end
        let name = Array(text[..<nameEnd])
        func cut() throws {
            var next = start &+ UInt64(end)
            if end < text.count { try m.store(UInt8(0), at: next); next = next &+ 1 }
            try m.store(next, at: optionp)
        }
        var index = 0
        while true {
            let token = try m.load(tokens &+ UInt64(8 * index), as: UInt64.self)
            if token == 0 { break }
            if Array(try m.cString(token)) == name {
                try m.store(nameEnd != end ? start &+ UInt64(nameEnd + 1) : 0, at: valuep)
                try cut()
                f.returnInt32(Int32(clamping: index))
                return
            }
            guard index < Int(Int32.max) else { break }
            index += 1
        }
        try m.store(start, at: valuep)
        try cut()
        f.returnInt32(-1)
    }
}
