#if canImport(Glibc)
import Glibc
#endif

/// `<iconv.h>`: the host's converters (glibc's, with its names and `//TRANSLIT`/`//IGNORE`
/// suffixes) on guest memory. The guest's `iconv_t` is an opaque handle (a small number, never
/// `(iconv_t)-1`) naming a host descriptor; `iconv` converts between the guest's buffers in
/// place and moves the guest's `*inbuf`/`*outbuf` and their counts as glibc moves them. Each
/// buffer is bounded by what its guest region holds: a count larger than the memory behind a
/// pointer converts what is there, and the host never reads or writes past it.
enum LibcIconv {
    /// `(iconv_t)-1` and `(size_t)-1`.
    static let failure = UInt64.max

    static let functions: [String: HostFunction] = [
        "iconv_open": { rt, f in
            let to = try LibcString.cstr(rt.memory, f.int(0)), from = try LibcString.cstr(rt.memory, f.int(1))
            guard let cd = iconv_open(to, from), Int(bitPattern: cd) != -1 else {
                rt.setErrno(errno)
                f.returnInt(failure)
                return
            }
            let handle = rt.posix.nextIconvHandle
            rt.posix.nextIconvHandle += 1
            rt.posix.converters[handle] = cd
            f.returnInt(handle)
        },
        "iconv_close": { rt, f in
            guard let cd = rt.posix.converters.removeValue(forKey: try f.int(0)) else {
                rt.setErrno(EBADF)
                f.returnInt32(-1)
                return
            }
            LibcPosix.result(rt, f, Int(iconv_close(cd)))
        },
        "iconv": { rt, f in
            guard let cd = rt.posix.converters[try f.int(0)] else {
                rt.setErrno(EBADF)
                f.returnInt(failure)
                return
            }
            try convert(rt, f, cd)
        },
    ]

    /// One `iconv` call: NULL `inbuf` (or `*inbuf`) resets the state, writing the shift
    /// sequence that returns to it when `outbuf` is given.
    static func convert(_ rt: LibcRuntime, _ f: any CallFrame, _ cd: iconv_t) throws {
        let inbuf = try f.int(1), inLeftAt = try f.int(2), outbuf = try f.int(3), outLeftAt = try f.int(4)
        let inStart = inbuf == 0 ? 0 : try rt.memory.load(inbuf, as: UInt64.self)
        let outStart = outbuf == 0 ? 0 : try rt.memory.load(outbuf, as: UInt64.self)
        let inLeft = inStart == 0 ? 0 : try rt.memory.load(inLeftAt, as: UInt64.self)
        let outLeft = outStart == 0 ? 0 : try rt.memory.load(outLeftAt, as: UInt64.self)
        // What the guest's regions hold behind each pointer, at most the counts.
        let inCount = inStart == 0 ? 0 : Int(min(inLeft, UInt64(try rt.memory.readableSpan(from: inStart).count)))
        let outCount = outStart == 0 ? 0 : Int(min(outLeft, UInt64(try rt.memory.readableSpan(from: outStart).count)))
        let inHost = inCount == 0 ? nil : try rt.memory.host(inStart, inCount, write: false)
        let outHost = outCount == 0 ? nil : try rt.memory.host(outStart, outCount, write: true)
        // An empty buffer is still a buffer (not a reset): a pointer to a byte never touched.
        let empty = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
        defer { empty.deallocate() }
        var inPointer: UnsafeMutablePointer<CChar>? = inHost?.assumingMemoryBound(to: CChar.self) ?? (inStart == 0 ? nil : empty)
        var outPointer: UnsafeMutablePointer<CChar>? = outHost?.assumingMemoryBound(to: CChar.self) ?? (outStart == 0 ? nil : empty)
        var inRemaining = inCount, outRemaining = outCount
        let r: Int = withUnsafeMutablePointer(to: &inPointer) { inAddress in
            withUnsafeMutablePointer(to: &outPointer) { outAddress in
                Glibc.iconv(cd, inStart == 0 ? nil : inAddress, &inRemaining, outStart == 0 ? nil : outAddress, &outRemaining)
            }
        }
        let error = errno
        let consumed = inCount - inRemaining, produced = outCount - outRemaining
        if inStart != 0 {
            try rt.memory.store(inStart &+ UInt64(consumed), at: inbuf)
            try rt.memory.store(inLeft &- UInt64(consumed), at: inLeftAt)
        }
        if outStart != 0 {
            try rt.memory.store(outStart &+ UInt64(produced), at: outbuf)
            try rt.memory.store(outLeft &- UInt64(produced), at: outLeftAt)
        }
        if r == -1 {
            // The guest's count was larger than its memory and the host stopped at the end of
            // what is there: natively the next byte would have faulted, or the input ended.
            rt.setErrno(error)
            f.returnInt(failure)
        } else {
            f.returnInt(UInt64(r))
        }
    }
}
