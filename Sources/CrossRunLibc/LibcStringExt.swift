import CPosixLib
#if canImport(Glibc)
import Glibc
#endif

/// POSIX/BSD/GNU additions to string.h, strings.h and libgen.h: checked views of guest
/// memory handed to the host's own routines (results mapped back to guest addresses).
enum LibcStringExt {
    typealias S = LibcString

    /// The readable bytes from `address` up to `count` (fault if fewer are readable).
    static func region(_ rt: LibcRuntime, _ address: UInt64, _ count: Int) throws -> UnsafeMutableRawPointer {
        try rt.memory.host(address, count, write: false)
    }

    static let functions: [String: HostFunction] = [
        "memmem": { rt, f in
            let h = try f.int(0), hn = try f.size(1), n = try f.int(2), nn = try f.size(3)
            if nn == 0 { f.returnInt(h); return }
            guard hn >= nn else { f.returnInt(0); return }
            let hp = try region(rt, h, hn), np = try region(rt, n, nn)
            let first = np.load(as: UInt8.self)
            var i = 0
            while i <= hn - nn {
                guard let hit = memchr(hp + i, Int32(first), hn - nn - i + 1) else { break }
                i = hp.distance(to: hit)
                if memcmp(hit, np, nn) == 0 { f.returnInt(h &+ UInt64(i)); return }
                i += 1
            }
            f.returnInt(0)
        },
        "memrchr": { rt, f in
            let a = try f.int(0), n = try f.size(2)
            guard n > 0 else { f.returnInt(0); return }
            let h = try region(rt, a, n), c = UInt8(truncatingIfNeeded: try f.int32(1))
            var i = n
            while i > 0 {
                i -= 1
                if h.load(fromByteOffset: i, as: UInt8.self) == c { f.returnInt(a &+ UInt64(i)); return }
            }
            f.returnInt(0)
        },
        "rawmemchr": { rt, f in
            // Unbounded by contract: search the readable span; not finding it is a fault.
            let a = try f.int(0), c = try f.int32(1)
            let span = try rt.memory.readableSpan(from: a)
            guard let base = span.baseAddress, let hit = memchr(base, c, span.count) else {
                throw GuestFault(address: a &+ UInt64(span.count), size: 1, access: .read)
            }
            f.returnInt(a &+ UInt64(base.distance(to: UnsafeRawPointer(hit))))
        },
        "mempcpy": { rt, f in
            let d = try f.int(0), s = try f.int(1), n = try f.size(2)
            if n > 0 { memmove(try rt.memory.host(d, n, write: true), try region(rt, s, n), n) }
            f.returnInt(d &+ UInt64(n))
        },
        "explicit_bzero": { rt, f in
            let n = try f.size(1)
            if n > 0 { explicit_bzero(try rt.memory.host(f.int(0), n, write: true), n) }
        },
        "stpncpy": { rt, f in
            let d = try f.int(0), s = try f.int(1), n = try f.size(2)
            guard n > 0 else { f.returnInt(d); return }
            let len = try S.boundedLength(rt.memory, s, n)
            let dst = try rt.memory.host(d, n, write: true)
            memmove(dst, try region(rt, s, len), len)
            if len < n { memset(dst + len, 0, n - len) }
            f.returnInt(d &+ UInt64(len))
        },
        "strchrnul": { rt, f in
            let a = try f.int(0), h = try S.cstr(rt.memory, a)
            f.returnInt(S.guest(strchr(h, try f.int32(1)) ?? UnsafeMutablePointer(mutating: h + strlen(h)), base: a, hostBase: h))
        },
        "strcasestr": { rt, f in
            let a = try f.int(0), h = try S.cstr(rt.memory, a), needle = try S.cstr(rt.memory, f.int(1))
            let hn = strlen(h), nn = strlen(needle)
            var i = 0
            while i + nn <= hn {
                if strncasecmp(h + i, needle, nn) == 0 { f.returnInt(a &+ UInt64(i)); return }
                i += 1
            }
            f.returnInt(0)
        },
        "strverscmp": { rt, f in
            f.returnInt32(crossrun_strverscmp(try S.cstr(rt.memory, f.int(0)), try S.cstr(rt.memory, f.int(1))))
        },
        "strsep": { rt, f in
            let cell = try f.int(0)
            let s = try rt.memory.load(cell, as: UInt64.self)
            guard s != 0 else { f.returnInt(0); return }
            let text = try S.cstr(rt.memory, s)
            let n = strcspn(text, try S.cstr(rt.memory, f.int(1)))
            if text[n] == 0 {
                try rt.memory.store(UInt64(0), at: cell)
            } else {
                try rt.memory.store(UInt8(0), at: s &+ UInt64(n))
                try rt.memory.store(s &+ UInt64(n) &+ 1, at: cell)
            }
            f.returnInt(s)
        },
        // GNU strerror_r: a known error's constant text (buf unused), else "Unknown error N" in buf.
        "strerror_r": { rt, f in
            let code = try f.int32(0), buffer = try f.int(1), size = try f.size(2)
            let text = String(cString: strerror(code))
            guard text.hasPrefix("Unknown error") else { f.returnInt(try rt.internedString(text)); return }
            if size > 0 { try rt.memory.write(Array(text.utf8.prefix(size - 1)) + [0], at: buffer) }
            f.returnInt(buffer)
        },
        // XSI strerror_r: the text in buf; ERANGE when truncated, EINVAL for an unknown code.
        "__xpg_strerror_r": { rt, f in
            let code = try f.int32(0), buffer = try f.int(1), size = try f.size(2)
            let text = Array(String(cString: strerror(code)).utf8)
            if size > 0 { try rt.memory.write(Array(text.prefix(size - 1)) + [0], at: buffer) }
            let unknown = String(decoding: text, as: UTF8.self).hasPrefix("Unknown error")
            f.returnInt32(unknown ? EINVAL : text.count >= size ? ERANGE : 0)
        },
        // GNU basename: the part after the last '/', in place ("" for "dir/").
        "basename": { rt, f in
            let a = try f.int(0), h = try S.cstr(rt.memory, a)
            f.returnInt(strrchr(h, 0x2f).map { S.guest(UnsafeRawPointer($0 + 1), base: a, hostBase: h) } ?? a)
        },
        "ffsl": { _, f in let v = try f.int(0); f.returnInt32(v == 0 ? 0 : Int32(v.trailingZeroBitCount + 1)) },
        "ffsll": { _, f in let v = try f.int(0); f.returnInt32(v == 0 ? 0 : Int32(v.trailingZeroBitCount + 1)) },
        // libgen.h: glibc's own routines on the guest's (writable) string; "." and "/" answers
        // that are not inside the argument are guest constants.
        "dirname": { rt, f in try pathPart(rt, f) { dirname($0) } },
        "__xpg_basename": { rt, f in
            try pathPart(rt, f) { crossrun_xpg_basename($0) }
        },
    ]

    static func pathPart(_ rt: LibcRuntime, _ f: any CallFrame, _ body: (UnsafeMutablePointer<CChar>) -> UnsafeMutablePointer<CChar>?) throws {
        let a = try f.int(0)
        if try a == 0 || rt.memory.load(a, as: UInt8.self) == 0 { f.returnInt(try rt.internedString(".")); return }
        let n = try rt.memory.stringLength(a)
        let h = try rt.memory.host(a, n + 1, write: true).assumingMemoryBound(to: CChar.self)
        guard let r = body(h) else { f.returnInt(0); return }
        let offset = UnsafeRawPointer(h).distance(to: UnsafeRawPointer(r))
        if offset >= 0 && offset <= n { f.returnInt(a &+ UInt64(offset)); return }
        f.returnInt(try rt.internedString(String(cString: r)))
    }
}

