import CPosixLib
#if canImport(Glibc)
import Glibc
#endif

/// `wcstold` (through the narrow `strtold` of the guest's `long double` format) and `wcsftime`
/// (the host's over the guest's `struct tm`).
enum LibcWideTime {
    /// Calls a narrow number parser on the guest's wide string at argument 0 and stores the
    /// end (argument 1) in wide characters. Numbers are ASCII: each wide character above
    /// U+007F ends the text the parser sees (so leading wide spaces beyond ASCII, which glibc's
    /// wcstold would skip, end it too).
    static func parseNarrowed<T>(_ rt: LibcRuntime, _ f: any CallFrame,
                                 _ body: (UnsafePointer<CChar>, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> T) throws -> T {
        let s = try f.int(0), endOut = try f.int(1)
        let count = try rt.memory.wideLength(s)
        let wide = try rt.memory.wideBuffer(s, count, write: false)
        var narrow = (0..<count).map { i -> CChar in
            let c = UInt32(bitPattern: wide[i])
            return c > 0 && c < 0x80 ? CChar(c) : 1
        }
        narrow.append(0)
        return try narrow.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { throw GuestFault(address: s, size: 1, access: .read) }
            var end: UnsafeMutablePointer<CChar>?
            errno = 0
            let v = body(base, &end)
            if errno != 0 { rt.setErrno(errno) }
            let consumed = end.map { base.distance(to: $0) } ?? 0
            if endOut != 0 { try rt.memory.store(s &+ UInt64(4 * consumed), at: endOut) }
            return v
        }
    }

    static let functions: [String: HostFunction] = [
        "wcsftime": { rt, f in
            // The guest's size bounds what is written, not what the host allocates.
            let out = try f.int(0), max = Swift.min(try f.size(1), 1 << 20)
            let format = try rt.memory.wideString(f.int(2))
            var buffer = [wchar_t](repeating: 0, count: Swift.max(max, 1))
            let n = try LibcTime.withZonedTM(rt, f.int(3), needsZone: LibcTime.formatNamesZone(UnsafeBufferPointer(start: format, count: wcslen(format)))) { crossrun_wcsftime(&buffer, max, format, &$0) }
            if max > 0 {
                let written = Swift.min(n + 1, max)
                let dst = try rt.memory.wideBuffer(out, written, write: true)
                for i in 0..<written { dst[i] = buffer[i] }
            }
            f.returnInt(UInt64(n))
        },
    ]
}
