import CPosixLib
#if canImport(Glibc)
import Glibc
#endif

extension GuestMemory {
    /// Number of `wchar_t`s before the terminating L'\0' of the wide string at `address`
    /// (every target's `wchar_t` is 4 bytes).
    public func wideLength(_ address: UInt64) throws -> Int {
        try boundedWideLength(address, Int.max, mustTerminate: true)
    }

    /// Wide length, but at most `max` characters (characters after the terminator or the limit
    /// are not read). With `mustTerminate` the terminator must be readable.
    func boundedWideLength(_ address: UInt64, _ max: Int, mustTerminate: Bool = false) throws -> Int {
        // Nothing to read: `address` may be anything (wcsnlen(p, 0), wcsncmp(p, q, 0)).
        if max <= 0 && !mustTerminate { return 0 }
        let span = try readableSpan(from: address)
        let units = span.count / 4
        let limit = Swift.min(max, units)
        if let base = span.baseAddress {
            for i in 0..<limit where base.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self) == 0 { return i }
        }
        if limit < max || mustTerminate { throw GuestFault(address: address &+ UInt64(4 * units), size: 4, access: .read) }
        return limit
    }

    /// Host view of the wide string at `address` (checked up to and including its terminator).
    func wideString(_ address: UInt64) throws -> UnsafeMutablePointer<wchar_t> {
        let n = try wideLength(address)
        return try host(address, 4 * (n + 1), write: false).assumingMemoryBound(to: wchar_t.self)
    }

    /// Host view of `count` wide characters at `address` (overflow-checked).
    func wideBuffer(_ address: UInt64, _ count: Int, write: Bool) throws -> UnsafeMutablePointer<wchar_t> {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: 4)
        guard !overflow else { throw GuestFault(address: address, size: Int.max, access: write ? .write : .read) }
        return try host(address, bytes, write: write).assumingMemoryBound(to: wchar_t.self)
    }
}

/// wchar.h's string functions: checked views of guest wide strings handed to the host's routines.
enum LibcWideString {
    /// Guest address of host pointer `p` inside the guest range starting at `base`/`hostBase`.
    static func guest(_ p: UnsafePointer<wchar_t>?, base: UInt64, hostBase: UnsafePointer<wchar_t>) -> UInt64 {
        guard let p else { return 0 }
        return base &+ UInt64(UnsafeRawPointer(hostBase).distance(to: UnsafeRawPointer(p)))
    }

    static func wchar(_ f: any CallFrame, _ i: Int) throws -> wchar_t { wchar_t(truncatingIfNeeded: try f.int(i)) }

    /// A guest copy of `count` wide characters from `source` plus L'\0', on the guest heap.
    static func duplicate(_ rt: LibcRuntime, _ source: UnsafePointer<wchar_t>, _ count: Int) throws -> UInt64 {
        let d = try LibcMemory.allocate(rt, 4 * (count + 1), zero: false)
        guard d != 0 else { return 0 }
        let dst = try rt.memory.wideBuffer(d, count + 1, write: true)
        dst.update(from: source, count: count)
        dst[count] = 0
        return d
    }

    static let functions: [String: HostFunction] = [
        "wcslen": { rt, f in f.returnInt(UInt64(try rt.memory.wideLength(f.int(0)))) },
        "wcsnlen": { rt, f in f.returnInt(UInt64(try rt.memory.boundedWideLength(f.int(0), f.size(1)))) },
        "wcscmp": { rt, f in f.returnInt32(wcscmp(try rt.memory.wideString(f.int(0)), try rt.memory.wideString(f.int(1)))) },
        "wcsncmp": { rt, f in
            let n = try f.size(2), a = try f.int(0), b = try f.int(1)
            guard n > 0 else { f.returnInt32(0); return }
            let la = try rt.memory.boundedWideLength(a, n), lb = try rt.memory.boundedWideLength(b, n)
            f.returnInt32(wcsncmp(try rt.memory.wideBuffer(a, Swift.min(la + 1, n), write: false),
                                  try rt.memory.wideBuffer(b, Swift.min(lb + 1, n), write: false), Swift.min(n, Swift.max(la, lb) + 1)))
        },
        "wcscasecmp": { rt, f in f.returnInt32(wcscasecmp(try rt.memory.wideString(f.int(0)), try rt.memory.wideString(f.int(1)))) },
        "wcsncasecmp": { rt, f in
            let n = try f.size(2), a = try f.int(0), b = try f.int(1)
            guard n > 0 else { f.returnInt32(0); return }
            let la = try rt.memory.boundedWideLength(a, n), lb = try rt.memory.boundedWideLength(b, n)
            f.returnInt32(wcsncasecmp(try rt.memory.wideBuffer(a, Swift.min(la + 1, n), write: false),
                                      try rt.memory.wideBuffer(b, Swift.min(lb + 1, n), write: false), Swift.min(n, Swift.max(la, lb) + 1)))
        },
        "wcscoll": { rt, f in f.returnInt32(wcscoll(try rt.memory.wideString(f.int(0)), try rt.memory.wideString(f.int(1)))) },
        "wcsxfrm": { rt, f in
            let d = try f.int(0), s = try rt.memory.wideString(f.int(1)), n = try f.size(2)
            let dst = n == 0 ? nil : try rt.memory.wideBuffer(d, n, write: true)
            f.returnInt(UInt64(wcsxfrm(dst, s, n)))
        },
        "wcscpy": { rt, f in
            let d = try f.int(0), s = try f.int(1)
            let n = try rt.memory.wideLength(s) + 1
            try rt.memory.wideBuffer(d, n, write: true).update(from: try rt.memory.wideBuffer(s, n, write: false), count: n)
            f.returnInt(d)
        },
        "wcpcpy": { rt, f in
            let d = try f.int(0), s = try f.int(1)
            let n = try rt.memory.wideLength(s) + 1
            try rt.memory.wideBuffer(d, n, write: true).update(from: try rt.memory.wideBuffer(s, n, write: false), count: n)
            f.returnInt(d &+ UInt64(4 * (n - 1)))
        },
        "wcsncpy": { rt, f in f.returnInt(try copyBounded(rt, f).start) },
        "wcpncpy": { rt, f in let r = try copyBounded(rt, f); f.returnInt(r.start &+ UInt64(4 * r.end)) },
        "wcscat": { rt, f in
            let d = try f.int(0), s = try f.int(1)
            let dl = try rt.memory.wideLength(d), sl = try rt.memory.wideLength(s) + 1
            try rt.memory.wideBuffer(d &+ UInt64(4 * dl), sl, write: true).update(from: try rt.memory.wideBuffer(s, sl, write: false), count: sl)
            f.returnInt(d)
        },
        "wcsncat": { rt, f in
            let d = try f.int(0), s = try f.int(1), n = try f.size(2)
            let dl = try rt.memory.wideLength(d), sl = try rt.memory.boundedWideLength(s, n)
            let dst = try rt.memory.wideBuffer(d &+ UInt64(4 * dl), sl + 1, write: true)
            if sl > 0 { dst.update(from: try rt.memory.wideBuffer(s, sl, write: false), count: sl) }
            dst[sl] = 0
            f.returnInt(d)
        },
        "wcsdup": { rt, f in
            let s = try f.int(0)
            let n = try rt.memory.wideLength(s)
            f.returnInt(try duplicate(rt, try rt.memory.wideBuffer(s, n, write: false), n))
        },
        "wcschr": { rt, f in
            let a = try f.int(0), h = try rt.memory.wideString(a)
            f.returnInt(guest(wcschr(h, try wchar(f, 1)), base: a, hostBase: h))
        },
        "wcsrchr": { rt, f in
            let a = try f.int(0), h = try rt.memory.wideString(a)
            f.returnInt(guest(wcsrchr(h, try wchar(f, 1)), base: a, hostBase: h))
        },
        "wcschrnul": { rt, f in
            let a = try f.int(0), h = try rt.memory.wideString(a)
            f.returnInt(guest(wcschr(h, try wchar(f, 1)) ?? UnsafeMutablePointer(mutating: h + wcslen(h)), base: a, hostBase: h))
        },
        "wcsstr": { rt, f in
            let a = try f.int(0), h = try rt.memory.wideString(a)
            f.returnInt(guest(wcsstr(h, try rt.memory.wideString(f.int(1))), base: a, hostBase: h))
        },
        "wcspbrk": { rt, f in
            let a = try f.int(0), h = try rt.memory.wideString(a)
            f.returnInt(guest(wcspbrk(h, try rt.memory.wideString(f.int(1))), base: a, hostBase: h))
        },
        "wcsspn": { rt, f in f.returnInt(UInt64(wcsspn(try rt.memory.wideString(f.int(0)), try rt.memory.wideString(f.int(1))))) },
        "wcscspn": { rt, f in f.returnInt(UInt64(wcscspn(try rt.memory.wideString(f.int(0)), try rt.memory.wideString(f.int(1))))) },
        "wcstok": { rt, f in
            var s = try f.int(0)
            let delims = try rt.memory.wideString(f.int(1)), save = try f.int(2)
            if s == 0 { s = try rt.memory.load(save, as: UInt64.self) }
            guard s != 0 else { f.returnInt(0); return }
            let text = try rt.memory.wideString(s)
            let start = wcsspn(text, delims)
            if text[start] == 0 { try rt.memory.store(UInt64(0), at: save); f.returnInt(0); return }
            let end = start + wcscspn(text + start, delims)
            if text[end] != 0 {
                try rt.memory.store(Int32(0), at: s &+ UInt64(4 * end))
                try rt.memory.store(s &+ UInt64(4 * (end + 1)), at: save)
            } else {
                try rt.memory.store(s &+ UInt64(4 * end), at: save)
            }
            f.returnInt(s &+ UInt64(4 * start))
        },
        "wmemchr": { rt, f in
            let a = try f.int(0), n = try f.size(2)
            guard n > 0 else { f.returnInt(0); return }
            let h = try rt.memory.wideBuffer(a, n, write: false)
            f.returnInt(guest(wmemchr(h, try wchar(f, 1), n), base: a, hostBase: h))
        },
        "wmemcmp": { rt, f in
            let n = try f.size(2)
            guard n > 0 else { f.returnInt32(0); return }
            f.returnInt32(wmemcmp(try rt.memory.wideBuffer(f.int(0), n, write: false), try rt.memory.wideBuffer(f.int(1), n, write: false), n))
        },
        "wmemcpy": { rt, f in f.returnInt(try move(rt, f)) },
        "wmemmove": { rt, f in f.returnInt(try move(rt, f)) },
        "wmempcpy": { rt, f in f.returnInt(try move(rt, f) &+ UInt64(4 * (try f.size(2)))) },
        "wmemset": { rt, f in
            let d = try f.int(0), n = try f.size(2)
            if n > 0 { try rt.memory.wideBuffer(d, n, write: true).update(repeating: try wchar(f, 1), count: n) }
            f.returnInt(d)
        },
    ]

    /// wmemcpy/wmemmove: returns the destination.
    static func move(_ rt: LibcRuntime, _ f: any CallFrame) throws -> UInt64 {
        let d = try f.int(0), s = try f.int(1), n = try f.size(2)
        if n > 0 {
            memmove(try rt.memory.wideBuffer(d, n, write: true), try rt.memory.wideBuffer(s, n, write: false), 4 * n)
        }
        return d
    }

    /// wcsncpy/wcpncpy: copies at most n characters, pads with L'\0'; returns the destination
    /// and the index of the first padding character (n when none).
    static func copyBounded(_ rt: LibcRuntime, _ f: any CallFrame) throws -> (start: UInt64, end: Int) {
        let d = try f.int(0), s = try f.int(1), n = try f.size(2)
        guard n > 0 else { return (d, 0) }
        let len = try rt.memory.boundedWideLength(s, n)
        let dst = try rt.memory.wideBuffer(d, n, write: true)
        if len > 0 { dst.update(from: try rt.memory.wideBuffer(s, len, write: false), count: len) }
        if len < n { (dst + len).update(repeating: 0, count: n - len) }
        return (d, len)
    }
}
