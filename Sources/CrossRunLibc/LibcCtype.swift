#if canImport(Glibc)
import Glibc
#endif

/// ctype.h in the C locale, via the host's classification. Every function is a
/// ``RegisterFunction`` (one `int` in, one `int` out), so the emulator's block hook can call
/// it without a frame; ``functions`` are the same bodies as ``HostFunction``s.
enum LibcCtype {
    /// A classification. Values outside unsigned char and EOF are undefined in C; glibc's
    /// tables also cover signed `char` values (-128…-2), so the host answers those as natively,
    /// and anything else is 0 instead of a read past the host's table. The `int` result is
    /// sign-extended, as the ABIs expect.
    @inline(__always)
    static func classify(_ argument: UInt64, _ fn: (Int32) -> Int32) -> UInt64 {
        let c = Int32(truncatingIfNeeded: argument)
        return UInt64(bitPattern: Int64(c >= -128 && c <= 255 ? fn(c) : 0))
    }

    /// A case conversion: signed `char` values, EOF and unsigned char as glibc converts them
    /// (`toupper(-100)` is 156 there), anything else unchanged.
    @inline(__always)
    static func convert(_ argument: UInt64, _ fn: (Int32) -> Int32) -> UInt64 {
        let c = Int32(truncatingIfNeeded: argument)
        return UInt64(bitPattern: Int64(c >= -128 && c <= 255 ? fn(c) : c))
    }

    static let registerFunctions: [String: RegisterFunction] = [
        "isalnum": { c, _, _ in classify(c) { isalnum($0) } }, "isalpha": { c, _, _ in classify(c) { isalpha($0) } },
        "isblank": { c, _, _ in classify(c) { isblank($0) } }, "iscntrl": { c, _, _ in classify(c) { iscntrl($0) } },
        "isdigit": { c, _, _ in classify(c) { isdigit($0) } }, "isgraph": { c, _, _ in classify(c) { isgraph($0) } },
        "islower": { c, _, _ in classify(c) { islower($0) } }, "isprint": { c, _, _ in classify(c) { isprint($0) } },
        "ispunct": { c, _, _ in classify(c) { ispunct($0) } }, "isspace": { c, _, _ in classify(c) { isspace($0) } },
        "isupper": { c, _, _ in classify(c) { isupper($0) } }, "isxdigit": { c, _, _ in classify(c) { isxdigit($0) } },
        "isascii": { c, _, _ in classify(c) { isascii($0) } },
        "tolower": { c, _, _ in convert(c) { tolower($0) } }, "toupper": { c, _, _ in convert(c) { toupper($0) } },
        "_tolower": { c, _, _ in convert(c) { tolower($0) } }, "_toupper": { c, _, _ in convert(c) { toupper($0) } },
        "toascii": { c, _, _ in UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: c) & 0x7f)) },
    ]

    static let functions: [String: HostFunction] = registerFunctions.mapValues { HostLibc.frameFunction($0, arguments: 1) }
}
