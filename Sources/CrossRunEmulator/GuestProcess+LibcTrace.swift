import CrossRunLibc
#if canImport(Glibc)
import Glibc
#endif

/// `--trace=libc[:NAME,...]`: one ltrace-style line per call the program makes into the C
/// library the host serves, with the arguments decoded from a small signature table
/// (strings quoted, `printf` formats with their arguments) and the result:
/// `fopen("out.txt", "w") = 0x5020a0`, `fprintf(0x5020a0, "%s:%d\n", "alpha", 42) = 9`.
/// Functions without a signature show `name(...)`. Zero cost when off: the trampoline table
/// is built with the traced wrappers only when tracing (``GuestProcess/tracedFunction``).
public struct LibcTraceOptions {
    public var output: UnsafeMutablePointer<FILE>
    public var stringLimit = 32
    /// Only these functions (`--trace=libc:fopen,fclose`); nil: every one.
    public var only: Set<String>?

    public init(output: UnsafeMutablePointer<FILE>) { self.output = output }
}

extension GuestProcess {
    /// Argument and result kinds, one letter each, result after `>`: `i` int, `l` long,
    /// `u` size, `p` pointer, `s` string, `b` buffer whose length is the next argument,
    /// `f` printf format and its variadic arguments, `d` double, `v` void.
    static let libcSignatures: [String: String] = [
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

    /// `body` wrapped to print its line after each call (and `= ?` when it does not return).
    func tracedFunction(_ name: String, _ body: @escaping HostFunction, _ trace: LibcTraceOptions) -> HostFunction {
        if let only = trace.only, !only.contains(name) { return body }
        let signature = Self.libcSignatures[name]
        return { [unowned self] rt, f in
            let arguments = signature.map { self.describeLibcArguments($0, f, limit: trace.stringLimit) } ?? "..."
            let recorder = ResultRecordingFrame(f)
            do {
                try body(rt, recorder)
            } catch {
                fputs("\(name)(\(arguments)) = ?\n", trace.output)
                fflush(trace.output)
                throw error
            }
            let kind = signature?.split(separator: ">", omittingEmptySubsequences: false).last.map(String.init) ?? ""
            var result = self.describeLibcResult(kind, recorder.result, limit: trace.stringLimit)
            // A failure (-1, or NULL for a pointer) shows errno, as the program would read it.
            if case .int(let v)? = recorder.result,
               (kind == "i" && Int32(truncatingIfNeeded: v) == -1) || (kind == "l" && Int64(bitPattern: v) == -1) || (kind == "p" && v == 0),
               let code = try? rt.memory.load(rt.errnoAddress, as: Int32.self), code > 0 {
                result += " \(Self.errnoName(code)) (\(String(cString: strerror(code))))"
            }
            fputs("\(name)(\(arguments))\(result)\n", trace.output)
            fflush(trace.output)
        }
    }

    func describeLibcArguments(_ signature: String, _ f: any CallFrame, limit: Int) -> String {
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
            case "s": parts.append(quoted(v, limit: limit))
            case "b":
                let count = k + 1 < kinds.count ? (try? f.int(ints)).map { Int(clamping: $0) } ?? 0 : 0
                parts.append(quoted(v, count: count, limit: limit))
            case "f":
                parts.append(quoted(v, limit: limit))
                parts += describeFormatArguments(v, f, afterInts: ints, floats: floats, limit: limit)
            default: parts.append(Self.hex(v))
            }
        }
        return parts.joined(separator: ", ")
    }

    /// The variadic arguments a printf format consumes, decoded by conversion (up to 16).
    func describeFormatArguments(_ format: UInt64, _ f: any CallFrame, afterInts ints: Int, floats: Int, limit: Int) -> [String] {
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
                case UInt8(ascii: "s"): out.append((try? va.nextInt()).map { quoted($0, limit: limit) } ?? "?"); break scan
                case UInt8(ascii: "p"), UInt8(ascii: "n"): out.append((try? va.nextInt()).map(Self.hex) ?? "?"); break scan
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

    func describeLibcResult(_ kind: String, _ result: ResultRecordingFrame.Result?, limit: Int) -> String {
        switch result {
        case nil: return ""
        case .double(let d)?: return " = \(d)"
        case .other?: return " = ?"
        case .int(let v)?:
            switch kind {
            case "v": return ""
            case "i": return " = \(Int32(truncatingIfNeeded: v))"
            case "l": return " = \(Int64(bitPattern: v))"
            case "u": return " = \(v)"
            case "s": return " = " + quoted(v, limit: limit)
            case "p": return " = " + Self.hex(v)
            default: return " = \(Int64(bitPattern: v))"
            }
        }
    }
}

/// Forwards a call frame and remembers the result the host function set.
final class ResultRecordingFrame: CallFrame {
    enum Result { case int(UInt64), double(Double), other }
    let base: any CallFrame
    var result: Result?

    init(_ base: any CallFrame) { self.base = base }

    func int(_ index: Int) throws -> UInt64 { try base.int(index) }
    func double(_ index: Int) throws -> Double { try base.double(index) }
    func float(_ index: Int) throws -> Float { try base.float(index) }
    func longDouble(_ index: Int) throws -> (UInt64, UInt64) { try base.longDouble(index) }
    func longDouble(afterInts ints: Int) throws -> (UInt64, UInt64) { try base.longDouble(afterInts: ints) }
    func returnLongDouble(_ value: (UInt64, UInt64)) { result = .other; base.returnLongDouble(value) }
    func variadic(afterInts ints: Int, floats: Int) throws -> any VariadicArguments { try base.variadic(afterInts: ints, floats: floats) }
    func vaList(at address: UInt64) throws -> any VariadicArguments { try base.vaList(at: address) }
    func returnInt(_ value: UInt64) { result = .int(value); base.returnInt(value) }
    func returnPair(_ low: UInt64, _ high: UInt64) { result = .other; base.returnPair(low, high) }
    func returnComplexLongDouble(_ real: (UInt64, UInt64), _ imaginary: (UInt64, UInt64)) { result = .other; base.returnComplexLongDouble(real, imaginary) }
    func returnComplexDouble(_ real: Double, _ imaginary: Double) { result = .other; base.returnComplexDouble(real, imaginary) }
    func returnComplexFloat(_ real: Float, _ imaginary: Float) { result = .other; base.returnComplexFloat(real, imaginary) }
    func returnDouble(_ value: Double) { result = .double(value); base.returnDouble(value) }
    func returnFloat(_ value: Float) { result = .double(Double(value)); base.returnFloat(value) }
    func skipping(longDoubles: Int, doubles: Int) -> any CallFrame { base.skipping(longDoubles: longDoubles, doubles: doubles) }
    func returningComplexLongDouble() -> any CallFrame { base.returningComplexLongDouble() }
}
