#if canImport(Glibc)
import Glibc
#endif

/// The text of `--trace=libc` lines, shared by the emulator (which serves the calls itself)
/// and the native backend (which wraps the import slots): the same program gives the same
/// lines on both, pointer values aside. Every read of program memory goes through
/// ``GuestMemory`` and falls back to the pointer in hex when it faults.
public enum LibcTraceFormat {
    /// The result of a traced call, as far as the tracer saw it.
    public enum Result { case int(UInt64), double(Double), other }

    /// Argument and result kinds, one letter each, result after `>`: `i` int, `l` long,
    /// `u` size, `p` pointer, `s` string, `b` buffer whose length is the next argument,
    /// `f` printf format and its variadic arguments, `d` double, `v` void.
    public static let signatures: [String: String] = [
        "fopen": "ss>p", "fdopen": "is>p", "freopen": "ssp>p", "fclose": "p>i", "fflush": "p>i", "fputs": "sp>i", "puts": "s>i",
        "fputc": "ip>i", "putc": "ip>i", "putchar": "i>i", "fgetc": "p>i", "getc": "p>i", "getchar": ">i", "fgets": "pip>p",
        "fread": "puup>u", "fwrite": "puup>u", "fseek": "pli>i", "ftell": "p>l", "rewind": "p>v", "feof": "p>i", "ferror": "p>i",
        "printf": "f>i", "fprintf": "pf>i", "sprintf": "pf>i", "snprintf": "puf>i", "dprintf": "if>i", "remove": "s>i", "rename": "ss>i",
        "strlen": "s>u", "strcmp": "ss>i", "strncmp": "ssu>i", "strcpy": "ps>p", "strncpy": "psu>p", "strcat": "ps>p", "strchr": "si>p",
        "strrchr": "si>p", "strstr": "ss>p", "strdup": "s>p", "memcpy": "ppu>p", "memmove": "ppu>p", "memset": "piu>p", "memcmp": "ppu>i",
        "malloc": "u>p", "calloc": "uu>p", "realloc": "pu>p", "free": "p>v", "atoi": "s>i", "atol": "s>l", "strtol": "spi>l",
        "strtoul": "spi>l", "strtod": "sp>d", "getenv": "s>s", "setenv": "ssi>i", "exit": "i>v", "abort": ">v", "system": "s>i",
        "rand": ">i", "srand": "u>v", "open": "si>i", "close": "i>i", "read": "ipu>l", "write": "ibu>l", "lseek": "ili>l",
        "unlink": "s>i", "getpid": ">i", "sleep": "u>u", "usleep": "u>i", "access": "si>i", "chdir": "s>i", "mkdir": "si>i",
        "rmdir": "s>i", "time": "p>l", "clock": ">l", "sin": "d>d", "cos": "d>d", "sqrt": "d>d", "pow": "dd>d", "exp": "d>d",
        "log": "d>d", "floor": "d>d", "ceil": "d>d", "fabs": "d>d", "raise": "i>i", "kill": "ii>i", "signal": "ip>p",
    ]

    /// The result kind of a signature (the letter after `>`), "" when unknown.
    public static func resultKind(_ signature: String?) -> String {
        signature?.split(separator: ">", omittingEmptySubsequences: false).last.map(String.init) ?? ""
    }

    /// The arguments of a call as `"out.txt", "w"` (`...` without a signature).
    public static func arguments(_ signature: String?, _ f: any CallFrame, memory: any GuestMemory, limit: Int) -> String {
        guard let signature else { return "..." }
        var parts: [String] = []
        var ints = 0, floats = 0
        let kinds = Array(signature.split(separator: ">", omittingEmptySubsequences: false).first ?? "")
        for (k, kind) in kinds.enumerated() {
            if kind == "d" {
                parts.append((try? f.double(floats)).map { "\($0)" } ?? "?")
                floats += 1
                continue
            }
            guard let v = try? f.int(ints) else { parts.append("?"); continue }
            ints += 1
            switch kind {
            case "i": parts.append(String(Int32(truncatingIfNeeded: v)))
            case "l": parts.append(String(Int64(bitPattern: v)))
            case "u": parts.append(String(v))
            case "s": parts.append(quoted(v, memory: memory, limit: limit))
            case "b":
                let count = k + 1 < kinds.count ? (try? f.int(ints)).map { Int(clamping: $0) } ?? 0 : 0
                parts.append(quoted(v, count: count, memory: memory, limit: limit))
            case "f":
                parts.append(quoted(v, memory: memory, limit: limit))
                parts += formatArguments(v, f, afterInts: ints, floats: floats, memory: memory, limit: limit)
            default: parts.append(hex(v))
            }
        }
        return parts.joined(separator: ", ")
    }

    /// The variadic arguments a printf format consumes, decoded by conversion (up to 16).
    static func formatArguments(_ format: UInt64, _ f: any CallFrame, afterInts ints: Int, floats: Int,
                                memory: any GuestMemory, limit: Int) -> [String] {
        guard let text = try? Array(memory.cString(format).prefix(4096)), var va = try? f.variadic(afterInts: ints, floats: floats) else { return [] }
        var out: [String] = []
        var i = 0
        while i < text.count && out.count < 16 {
            guard text[i] == UInt8(ascii: "%") else { i += 1; continue }
            i += 1
            var long = false
            scan: while i < text.count {
                let c = text[i]
                i += 1
                switch c {
                case UInt8(ascii: "%"): break scan
                case UInt8(ascii: "*"): out.append((try? va.nextInt()).map { String(Int32(truncatingIfNeeded: $0)) } ?? "?")
                case UInt8(ascii: "d"), UInt8(ascii: "i"):
                    out.append((try? va.nextInt()).map { long ? String(Int64(bitPattern: $0)) : String(Int32(truncatingIfNeeded: $0)) } ?? "?")
                    break scan
                case UInt8(ascii: "u"), UInt8(ascii: "x"), UInt8(ascii: "X"), UInt8(ascii: "o"), UInt8(ascii: "c"):
                    out.append((try? va.nextInt()).map { long ? String($0) : String(UInt32(truncatingIfNeeded: $0)) } ?? "?")
                    break scan
                case UInt8(ascii: "s"): out.append((try? va.nextInt()).map { quoted($0, memory: memory, limit: limit) } ?? "?"); break scan
                case UInt8(ascii: "p"), UInt8(ascii: "n"): out.append((try? va.nextInt()).map(hex) ?? "?"); break scan
                case UInt8(ascii: "f"), UInt8(ascii: "F"), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "g"), UInt8(ascii: "G"),
                     UInt8(ascii: "a"), UInt8(ascii: "A"):
                    out.append((try? va.nextDouble()).map { "\($0)" } ?? "?")
                    break scan
                case UInt8(ascii: "l"), UInt8(ascii: "j"), UInt8(ascii: "z"), UInt8(ascii: "t"): long = true
                case UInt8(ascii: "L"): return out + ["..."]   // long double: not decoded
                default: continue   // flags, width, precision, h
                }
            }
        }
        return out
    }

    /// ` = 0x5020a0`, ` = 9`, "" for a void function; with errno's name and text after a
    /// failure (-1, or NULL for a pointer) when `errno` is positive.
    public static func result(_ kind: String, _ result: Result?, errno code: Int32, memory: any GuestMemory, limit: Int) -> String {
        var text: String
        switch result {
        case nil: return ""
        case .double(let d)?: return " = \(d)"
        case .other?: return " = ?"
        case .int(let v)?:
            switch kind {
            case "v": return ""
            case "i": text = " = \(Int32(truncatingIfNeeded: v))"
            case "l": text = " = \(Int64(bitPattern: v))"
            case "u": text = " = \(v)"
            case "s": text = " = " + quoted(v, memory: memory, limit: limit)
            case "p": text = " = " + hex(v)
            default: text = " = \(Int64(bitPattern: v))"
            }
            if (kind == "i" && Int32(truncatingIfNeeded: v) == -1) || (kind == "l" && Int64(bitPattern: v) == -1) || (kind == "p" && v == 0),
               code > 0 {
                text += " \(errnoName(code)) (\(String(cString: strerror(code))))"
            }
        }
        return text
    }

    /// `NULL` or `0x5020a0`.
    public static func hex(_ value: UInt64) -> String { value == 0 ? "NULL" : "0x" + String(value, radix: 16) }

    /// A string or buffer as strace quotes it: escapes, then `...` past `limit` bytes; the
    /// pointer in hex when it cannot be read.
    public static func quoted(_ address: UInt64, count: Int? = nil, memory: any GuestMemory, limit: Int) -> String {
        guard address != 0 else { return "NULL" }
        let bytes: [UInt8]
        if let count {
            guard let b = try? memory.bytes(address, min(max(count, 0), limit)) else { return hex(address) }
            bytes = Array(b)
        } else {
            // A view of the program's bytes: only what is shown is copied.
            guard let b = try? memory.cString(address) else { return hex(address) }
            bytes = Array(b.prefix(limit + 1))
        }
        var text = "\""
        for (i, byte) in bytes.prefix(limit).enumerated() {
            switch byte {
            case 0x0a: text += "\\n"
            case 0x09: text += "\\t"
            case 0x0d: text += "\\r"
            case 0x22: text += "\\\""
            case 0x5c: text += "\\\\"
            case 0x20...0x7e: text.append(Character(UnicodeScalar(byte)))
            default:
                // Octal, padded when a digit follows (as strace does).
                let next = i + 1 < bytes.count ? bytes[i + 1] : 0
                let digits = String(byte, radix: 8)
                text += "\\" + (next >= 0x30 && next <= 0x37 ? String(repeating: "0", count: 3 - digits.count) + digits : digits)
            }
        }
        text += "\""
        let total = count ?? bytes.count
        return total > limit ? text + "..." : text
    }

    /// The symbolic name of a Linux errno (the same numbers on every target).
    public static func errnoName(_ code: Int32) -> String {
        let names: [Int32: String] = [
            EPERM: "EPERM", ENOENT: "ENOENT", ESRCH: "ESRCH", EINTR: "EINTR", EIO: "EIO", ENXIO: "ENXIO", E2BIG: "E2BIG",
            ENOEXEC: "ENOEXEC", EBADF: "EBADF", ECHILD: "ECHILD", EAGAIN: "EAGAIN", ENOMEM: "ENOMEM", EACCES: "EACCES",
            EFAULT: "EFAULT", EBUSY: "EBUSY", EEXIST: "EEXIST", EXDEV: "EXDEV", ENODEV: "ENODEV", ENOTDIR: "ENOTDIR",
            EISDIR: "EISDIR", EINVAL: "EINVAL", ENFILE: "ENFILE", EMFILE: "EMFILE", ENOTTY: "ENOTTY", EFBIG: "EFBIG",
            ENOSPC: "ENOSPC", ESPIPE: "ESPIPE", EROFS: "EROFS", EMLINK: "EMLINK", EPIPE: "EPIPE", EDOM: "EDOM",
            ERANGE: "ERANGE", ENAMETOOLONG: "ENAMETOOLONG", ENOSYS: "ENOSYS", ENOTEMPTY: "ENOTEMPTY", ELOOP: "ELOOP",
            EOVERFLOW: "EOVERFLOW", ENOTSUP: "EOPNOTSUPP", ETIMEDOUT: "ETIMEDOUT",
        ]
        return names[code] ?? "E\(code)"
    }
}
