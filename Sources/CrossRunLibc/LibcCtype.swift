#if canImport(Glibc)
import Glibc
#endif

/// ctype.h in the C locale, via the host's classification.
enum LibcCtype {
    static func wrap(_ fn: @escaping @Sendable (Int32) -> Int32) -> HostFunction {
        { _, f in
            let c = try f.int32(0)
            // Values outside unsigned char and EOF are undefined in C; answer 0 instead of trapping.
            f.returnInt32(c >= -1 && c <= 255 ? fn(c) : 0)
        }
    }

    static let functions: [String: HostFunction] = [
        "isalnum": wrap(isalnum), "isalpha": wrap(isalpha), "isblank": wrap(isblank), "iscntrl": wrap(iscntrl),
        "isdigit": wrap(isdigit), "isgraph": wrap(isgraph), "islower": wrap(islower), "isprint": wrap(isprint),
        "ispunct": wrap(ispunct), "isspace": wrap(isspace), "isupper": wrap(isupper), "isxdigit": wrap(isxdigit),
        "isascii": wrap(isascii),
        "tolower": { _, f in let c = try f.int32(0); f.returnInt32(c >= -1 && c <= 255 ? tolower(c) : c) },
        "toupper": { _, f in let c = try f.int32(0); f.returnInt32(c >= -1 && c <= 255 ? toupper(c) : c) },
        "_tolower": { _, f in let c = try f.int32(0); f.returnInt32(c >= -1 && c <= 255 ? tolower(c) : c) },
        "_toupper": { _, f in let c = try f.int32(0); f.returnInt32(c >= -1 && c <= 255 ? toupper(c) : c) },
        "toascii": { _, f in f.returnInt32(try f.int32(0) & 0x7f) },
    ]
}
