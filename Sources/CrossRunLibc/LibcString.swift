#if canImport(Glibc)
import Glibc
#endif

/// string.h / strings.h: checked views of guest memory handed to the host's own routines.
enum LibcString {
    typealias M = any GuestMemory

    static func ptr(_ m: M, _ a: UInt64, _ n: Int, write: Bool = false) throws -> UnsafeMutableRawPointer {
        try m.host(a, n, write: write)
    }
    static func cstr(_ m: M, _ a: UInt64) throws -> UnsafePointer<CChar> {
        _ = try m.stringLength(a)
        return UnsafePointer(try m.host(a, 0, write: false).assumingMemoryBound(to: CChar.self))
    }
    /// Guest address of host pointer `p` that lies inside the guest range starting at `base`/`hostBase`.
    static func guest(_ p: UnsafeRawPointer?, base: UInt64, hostBase: UnsafeRawPointer) -> UInt64 {
        guard let p else { return 0 }
        return base + UInt64(hostBase.distance(to: p))
    }
    /// Length of the string at `a` but at most `max` bytes (bytes beyond the NUL are not touched).
    /// With `max` 0 nothing is read, so `a` may be anything (even NULL), as with the C library's
    /// `strnlen(p, 0)` or `strncmp(p, q, 0)`.
    static func boundedLength(_ m: M, _ a: UInt64, _ max: Int) throws -> Int {
        guard max > 0 else { return 0 }
        let span = try m.readableSpan(from: a)
        let limit = Swift.min(max, span.count)
        if let nul = memchr(span.baseAddress!, 0, limit) { return span.baseAddress!.distance(to: UnsafeRawPointer(nul)) }
        if limit < max { throw GuestFault(address: a + UInt64(span.count), size: 1, access: .read) }
        return limit
    }

    static let functions: [String: HostFunction] = [
        "memcpy": { rt, f in
            let d = try f.int(0), s = try f.int(1), n = try f.size(2)
            if n > 0 { memmove(try ptr(rt.memory, d, n, write: true), try ptr(rt.memory, s, n), n) }
            f.returnInt(d)
        },
        "memmove": { rt, f in
            let d = try f.int(0), s = try f.int(1), n = try f.size(2)
            if n > 0 { memmove(try ptr(rt.memory, d, n, write: true), try ptr(rt.memory, s, n), n) }
            f.returnInt(d)
        },
        "memset": { rt, f in
            let d = try f.int(0), n = try f.size(2)
            if n > 0 { memset(try ptr(rt.memory, d, n, write: true), try f.int32(1), n) }
            f.returnInt(d)
        },
        "memcmp": { rt, f in
            let n = try f.size(2)
            f.returnInt32(n == 0 ? 0 : memcmp(try ptr(rt.memory, f.int(0), n), try ptr(rt.memory, f.int(1), n), n))
        },
        // BSD <strings.h> forms; clang also turns `memcmp(…) == 0` into `bcmp`.
        "bcmp": { rt, f in
            let n = try f.size(2)
            f.returnInt32(n == 0 ? 0 : memcmp(try ptr(rt.memory, f.int(0), n), try ptr(rt.memory, f.int(1), n), n))
        },
        "bcopy": { rt, f in
            let s = try f.int(0), d = try f.int(1), n = try f.size(2)
            if n > 0 { memmove(try ptr(rt.memory, d, n, write: true), try ptr(rt.memory, s, n), n) }
        },
        "bzero": { rt, f in
            let n = try f.size(1)
            if n > 0 { memset(try ptr(rt.memory, f.int(0), n, write: true), 0, n) }
        },
        "memchr": { rt, f in
            let a = try f.int(0), n = try f.size(2)
            guard n > 0 else { f.returnInt(0); return }
            let h = try ptr(rt.memory, a, n)
            f.returnInt(guest(memchr(h, try f.int32(1), n), base: a, hostBase: h))
        },
        "strlen": { rt, f in f.returnInt(UInt64(try rt.memory.stringLength(f.int(0)))) },
        "strnlen": { rt, f in f.returnInt(UInt64(try boundedLength(rt.memory, f.int(0), f.size(1)))) },
        "strcmp": { rt, f in f.returnInt32(strcmp(try cstr(rt.memory, f.int(0)), try cstr(rt.memory, f.int(1)))) },
        "strcoll": { rt, f in f.returnInt32(strcmp(try cstr(rt.memory, f.int(0)), try cstr(rt.memory, f.int(1)))) },
        "strncmp": { rt, f in
            // strncmp reads each string only up to its NUL or n bytes: validate exactly that.
            // With n 0 it reads nothing and returns 0 whatever the pointers (programs pass NULL).
            let a = try f.int(0), b = try f.int(1), n = try f.size(2)
            guard n > 0 else { f.returnInt32(0); return }
            _ = try boundedLength(rt.memory, a, n)
            _ = try boundedLength(rt.memory, b, n)
            f.returnInt32(strncmp(try ptr(rt.memory, a, 0).assumingMemoryBound(to: CChar.self),
                                  try ptr(rt.memory, b, 0).assumingMemoryBound(to: CChar.self), n))
        },
        "strcasecmp": { rt, f in f.returnInt32(strcasecmp(try cstr(rt.memory, f.int(0)), try cstr(rt.memory, f.int(1)))) },
        "strncasecmp": { rt, f in
            let n = try f.size(2), a = try f.int(0), b = try f.int(1)
            guard n > 0 else { f.returnInt32(0); return }
            _ = try boundedLength(rt.memory, a, n); _ = try boundedLength(rt.memory, b, n)
            f.returnInt32(strncasecmp(try ptr(rt.memory, a, 0).assumingMemoryBound(to: CChar.self), try ptr(rt.memory, b, 0).assumingMemoryBound(to: CChar.self), n))
        },
        "strcpy": { rt, f in
            let d = try f.int(0), s = try f.int(1)
            let n = try rt.memory.stringLength(s) + 1
            memmove(try ptr(rt.memory, d, n, write: true), try ptr(rt.memory, s, n), n)
            f.returnInt(d)
        },
        "stpcpy": { rt, f in
            let d = try f.int(0), s = try f.int(1)
            let n = try rt.memory.stringLength(s) + 1
            memmove(try ptr(rt.memory, d, n, write: true), try ptr(rt.memory, s, n), n)
            f.returnInt(d + UInt64(n - 1))
        },
        "strncpy": { rt, f in
            let d = try f.int(0), s = try f.int(1), n = try f.size(2)
            guard n > 0 else { f.returnInt(d); return }
            let len = try boundedLength(rt.memory, s, n)
            let dst = try ptr(rt.memory, d, n, write: true)
            memmove(dst, try ptr(rt.memory, s, len), len)
            if len < n { memset(dst + len, 0, n - len) }
            f.returnInt(d)
        },
        "strcat": { rt, f in
            let d = try f.int(0), s = try f.int(1)
            let dl = try rt.memory.stringLength(d), sl = try rt.memory.stringLength(s) + 1
            memmove(try ptr(rt.memory, d + UInt64(dl), sl, write: true), try ptr(rt.memory, s, sl), sl)
            f.returnInt(d)
        },
        "strncat": { rt, f in
            let d = try f.int(0), s = try f.int(1), n = try f.size(2)
            let dl = try rt.memory.stringLength(d), sl = try boundedLength(rt.memory, s, n)
            let dst = try ptr(rt.memory, d + UInt64(dl), sl + 1, write: true)
            if sl > 0 { memmove(dst, try ptr(rt.memory, s, sl), sl) }
            dst.storeBytes(of: 0, toByteOffset: sl, as: UInt8.self)
            f.returnInt(d)
        },
        "strchr": { rt, f in
            let a = try f.int(0)
            let h = try cstr(rt.memory, a)
            f.returnInt(guest(strchr(h, try f.int32(1)), base: a, hostBase: h))
        },
        "index": { rt, f in
            let a = try f.int(0)
            let h = try cstr(rt.memory, a)
            f.returnInt(guest(strchr(h, try f.int32(1)), base: a, hostBase: h))
        },
        "rindex": { rt, f in
            let a = try f.int(0)
            let h = try cstr(rt.memory, a)
            f.returnInt(guest(strrchr(h, try f.int32(1)), base: a, hostBase: h))
        },
        "strrchr": { rt, f in
            let a = try f.int(0)
            let h = try cstr(rt.memory, a)
            f.returnInt(guest(strrchr(h, try f.int32(1)), base: a, hostBase: h))
        },
        "strstr": { rt, f in
            let a = try f.int(0)
            let h = try cstr(rt.memory, a)
            f.returnInt(guest(strstr(h, try cstr(rt.memory, f.int(1))), base: a, hostBase: h))
        },
        "strpbrk": { rt, f in
            let a = try f.int(0)
            let h = try cstr(rt.memory, a)
            f.returnInt(guest(strpbrk(h, try cstr(rt.memory, f.int(1))), base: a, hostBase: h))
        },
        "strspn": { rt, f in f.returnInt(UInt64(strspn(try cstr(rt.memory, f.int(0)), try cstr(rt.memory, f.int(1))))) },
        "strcspn": { rt, f in f.returnInt(UInt64(strcspn(try cstr(rt.memory, f.int(0)), try cstr(rt.memory, f.int(1))))) },
        "strdup": { rt, f in
            let s = try f.int(0)
            let n = try rt.memory.stringLength(s) + 1
            let d = try LibcMemory.allocate(rt, n, zero: false)
            if d != 0 { memcpy(try ptr(rt.memory, d, n, write: true), try ptr(rt.memory, s, n), n) }
            f.returnInt(d)
        },
        "strndup": { rt, f in
            let s = try f.int(0)
            let n = try boundedLength(rt.memory, s, f.size(1))
            let d = try LibcMemory.allocate(rt, n + 1, zero: false)
            if d != 0 {
                let dst = try ptr(rt.memory, d, n + 1, write: true)
                if n > 0 { memcpy(dst, try ptr(rt.memory, s, n), n) }
                dst.storeBytes(of: 0, toByteOffset: n, as: UInt8.self)
            }
            f.returnInt(d)
        },
        "strtok": { rt, f in
            var s = try f.int(0)
            let delims = try rt.memory.cString(f.int(1))
            if s == 0 { s = rt.strtokNext }
            guard s != 0 else { f.returnInt(0); return }
            let text = try rt.memory.cString(s)
            var i = 0
            while i < text.count && delims.contains(text[i]) { i += 1 }
            if i == text.count { rt.strtokNext = 0; f.returnInt(0); return }
            var j = i
            while j < text.count && !delims.contains(text[j]) { j += 1 }
            if j < text.count {
                try rt.memory.store(UInt8(0), at: s + UInt64(j))
                rt.strtokNext = s + UInt64(j) + 1
            } else {
                rt.strtokNext = 0
            }
            f.returnInt(s + UInt64(i))
        },
        "strerror": { rt, f in
            f.returnInt(try rt.messageString(String(cString: strerror(try f.int32(0))), buffer: "strerror", generated: "Unknown error"))
        },
    ]
}

extension LibcRuntime {
    /// A message for `strerror`/`strsignal`: the table's texts are constant strings, while
    /// glibc formats the others ("Unknown error 1000") into one per-thread buffer that the next
    /// such call overwrites; `buffer` names the guest's copy of it.
    func messageString(_ text: String, buffer: String, generated prefix: String) throws -> UInt64 {
        guard text.hasPrefix(prefix) else { return try internedString(text) }
        let a = try staticObject(buffer, size: 64)
        try memory.write(Array(text.utf8.prefix(63)) + [0], at: a)
        return a
    }
}
