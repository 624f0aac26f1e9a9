import CHostFormat
#if canImport(Glibc)
import Glibc
#endif

/// `printf`-family formatting over guest memory. Each conversion is handed to the host's
/// `snprintf` with the same flags, width, precision and (converted) argument, so the output
/// is glibc's to the byte. The directive is rebuilt in one reused buffer and formatted into a
/// stack buffer through typed C shims (`CHostFormat`): no per-conversion allocation or
/// `CVarArg` boxing, which dominated `printf`-heavy programs.
enum Printf {
    /// Length modifiers packed one byte per letter ("hh" = 0x6868), as written.
    private static let hh: UInt32 = 0x6868, h: UInt32 = 0x68, l: UInt32 = 0x6c, L: UInt32 = 0x4c

    /// Formats the guest format string at `format` with `args`; returns the bytes produced.
    static func format(_ runtime: LibcRuntime, format: UInt64, args: inout any VariadicArguments) throws -> [UInt8] {
        let memory = runtime.memory
        let fmt = try memory.cString(format)
        // POSIX positional arguments (`%2$s`) are gathered first; most formats have no '$'.
        let hasDollar = fmt.baseAddress.map { memchr($0, Int32(UInt8(ascii: "$")), fmt.count) != nil } ?? false
        let positional = hasDollar ? try PositionalArguments.gather(format: fmt, args: &args) : nil
        if let positional { args = positional }
        var out: [UInt8] = []
        out.reserveCapacity(fmt.count + 32)
        var spec: [UInt8] = []
        spec.reserveCapacity(48)
        var i = 0
        let n = fmt.count
        while i < n {
            let c = fmt[i]
            if c != UInt8(ascii: "%") {
                // Copy the literal run up to the next '%'.
                var j = i + 1
                while j < n && fmt[j] != UInt8(ascii: "%") { j += 1 }
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: fmt[i..<j]))
                i = j
                continue
            }
            let start = i
            i += 1
            guard i < n else { out.append(c); break }
            let valueIndex = positional == nil ? nil : PositionalArguments.reference(fmt, &i)
            spec.removeAll(keepingCapacity: true)
            spec.append(UInt8(ascii: "%"))
            // Flags.
            var leftAlign = false
            while i < n, isFlag(fmt[i]) {
                if fmt[i] == UInt8(ascii: "-") { leftAlign = true }
                spec.append(fmt[i]); i += 1
            }
            // Width.
            let widthStart = spec.count
            if i < n && fmt[i] == UInt8(ascii: "*") {
                i += 1
                if let p = positional, let k = PositionalArguments.reference(fmt, &i) { p.cursor = k }
                let w = Int32(truncatingIfNeeded: try args.nextInt())
                spec.append(contentsOf: String(w).utf8)   // a negative width means '-': snprintf handles "-N"
            } else {
                while i < n && isDigit(fmt[i]) { spec.append(fmt[i]); i += 1 }
            }
            let widthEnd = spec.count
            // Precision.
            var precision: Int? = nil
            if i < n && fmt[i] == UInt8(ascii: ".") {
                i += 1
                if i < n && fmt[i] == UInt8(ascii: "*") {
                    i += 1
                    if let p = positional, let k = PositionalArguments.reference(fmt, &i) { p.cursor = k }
                    let p = Int32(truncatingIfNeeded: try args.nextInt())
                    if p >= 0 { precision = Int(p); spec.append(UInt8(ascii: ".")); spec.append(contentsOf: String(p).utf8) }
                } else {
                    var p = 0
                    while i < n && isDigit(fmt[i]) { p = min(p * 10 + Int(fmt[i] - 0x30), 1 << 20); i += 1 }
                    precision = p
                    spec.append(UInt8(ascii: "."))
                    spec.append(contentsOf: String(p).utf8)
                }
            }
            // Length.
            var length: UInt32 = 0
            while i < n, isLength(fmt[i]) { length = length &<< 8 | UInt32(fmt[i]); i += 1 }
            guard i < n else { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: fmt[start..<n])); break }
            let conv = fmt[i]
            i += 1
            if let p = positional, let v = valueIndex { p.cursor = v }
            switch conv {
            case UInt8(ascii: "%"):
                out.append(UInt8(ascii: "%"))
            case UInt8(ascii: "d"), UInt8(ascii: "i"):
                let raw = try args.nextInt()
                let v: Int64
                switch length {
                case hh: v = Int64(Int8(truncatingIfNeeded: raw))
                case h: v = Int64(Int16(truncatingIfNeeded: raw))
                case 0: v = Int64(Int32(truncatingIfNeeded: raw))
                default: v = Int64(bitPattern: raw)
                }
                spec.append(contentsOf: [UInt8(ascii: "l"), UInt8(ascii: "l"), UInt8(ascii: "d")])
                emit(&out, &spec) { crossrun_format_i64($0, $1, $2, v) }
            case UInt8(ascii: "u"), UInt8(ascii: "o"), UInt8(ascii: "x"), UInt8(ascii: "X"):
                let raw = try args.nextInt()
                let v: UInt64
                switch length {
                case hh: v = UInt64(UInt8(truncatingIfNeeded: raw))
                case h: v = UInt64(UInt16(truncatingIfNeeded: raw))
                case 0: v = UInt64(UInt32(truncatingIfNeeded: raw))
                default: v = raw
                }
                spec.append(contentsOf: [UInt8(ascii: "l"), UInt8(ascii: "l"), conv])
                emit(&out, &spec) { crossrun_format_u64($0, $1, $2, v) }
            case UInt8(ascii: "c"):
                let v = Int32(truncatingIfNeeded: try args.nextInt())
                spec.append(conv)
                emit(&out, &spec) { crossrun_format_int($0, $1, $2, v) }
            case UInt8(ascii: "s") where length == l, UInt8(ascii: "S"):
                // A wide string: 4-byte wchar_t on every target; the host converts it.
                let p = try args.nextInt()
                var wide: [wchar_t] = []
                if p != 0 {
                    // A precision bounds output bytes, and each wide character makes at least one.
                    while precision.map({ wide.count < $0 }) ?? true {
                        let w = try memory.load(p &+ UInt64(4 * wide.count), as: Int32.self)
                        if w == 0 { break }
                        wide.append(wchar_t(w))
                    }
                }
                wide.append(0)
                spec.append(contentsOf: [UInt8(ascii: "l"), UInt8(ascii: "s")])
                wide.withUnsafeBufferPointer { w in
                    let text = p == 0 ? nil : UnsafeRawPointer(w.baseAddress)   // NULL: the host prints "(null)"
                    emit(&out, &spec) { crossrun_format_pointer($0, $1, $2, text) }
                }
            case UInt8(ascii: "s"):
                // The guest's own bytes go to snprintf: NUL-terminated (checked), or at least
                // `precision` readable bytes, which is all "%.Ns" reads.
                let p = try args.nextInt()
                let text: UnsafeRawPointer?
                if p == 0 {
                    text = nil      // the host glibc prints "(null)" (or "" below precision 6) itself
                } else if let prec = precision {
                    let span = try memory.readableSpan(from: p)
                    let limit = min(prec, span.count)
                    let terminated = span.baseAddress.flatMap { memchr($0, 0, limit) } != nil
                    if !terminated && limit < prec { _ = try memory.stringLength(p) } // faults past the mapping
                    text = span.baseAddress
                } else {
                    text = try memory.cString(p).baseAddress ?? UnsafeRawPointer(try memory.host(p, 1, write: false))
                }
                spec.append(conv)
                emit(&out, &spec) { crossrun_format_pointer($0, $1, $2, text) }
            case UInt8(ascii: "p"):
                let v = try args.nextInt()
                if v != 0 {
                    spec.append(conv)
                    emit(&out, &spec) { crossrun_format_pointer($0, $1, $2, UnsafeRawPointer(bitPattern: UInt(v))) }
                } else {
                    // glibc prints a null %p as "(nil)", honouring width and '-' only.
                    spec = [UInt8(ascii: "%")] + (leftAlign ? [UInt8(ascii: "-")] : []) + spec[widthStart..<widthEnd] + [UInt8(ascii: "s")]
                    "(nil)".withCString { t in emit(&out, &spec) { crossrun_format_pointer($0, $1, $2, t) } }
                }
            case UInt8(ascii: "n"):
                let p = try args.nextInt()
                let count = out.count
                switch length {
                case hh: try memory.store(UInt8(truncatingIfNeeded: count), at: p)
                case h: try memory.store(UInt16(truncatingIfNeeded: count), at: p)
                case 0: try memory.store(UInt32(truncatingIfNeeded: count), at: p)
                default: try memory.store(UInt64(count), at: p)
                }
            case UInt8(ascii: "m"):
                let e = try memory.load(runtime.errnoAddress, as: Int32.self)
                spec.append(UInt8(ascii: "s"))
                let text = strerror(e).map { UnsafeRawPointer($0) }
                emit(&out, &spec) { crossrun_format_pointer($0, $1, $2, text) }
            case UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "f"), UInt8(ascii: "F"),
                 UInt8(ascii: "g"), UInt8(ascii: "G"), UInt8(ascii: "a"), UInt8(ascii: "A"):
                if length == L {
                    try longDouble(runtime, &out, &spec, conv, try args.nextLongDouble())
                } else {
                    let v = try args.nextDouble()
                    spec.append(conv)
                    emit(&out, &spec) { crossrun_format_double($0, $1, $2, v) }
                }
            default:
                // Unknown conversion: glibc prints the directive as written.
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: fmt[start..<i]))
            }
        }
        return out
    }

    /// A `long double` conversion: binary128 through libquadmath, x87 bytes straight to the
    /// host's `%L` (the host's own `long double` on x86-64).
    private static func longDouble(_ runtime: LibcRuntime, _ out: inout [UInt8], _ spec: inout [UInt8], _ conv: UInt8,
                                   _ bits: (UInt64, UInt64)) throws {
        if runtime.longDoubleIsBinary128, let text = try LibcBinary128.format(spec, conv, bits) {
            out.append(contentsOf: text)
            return
        }
        var x87 = runtime.longDoubleIsBinary128 ? LongDouble.x87Bits(LongDouble.toHost(bits, binary128: true)) : bits
        spec.append(UInt8(ascii: "L"))
        spec.append(conv)
        withUnsafeBytes(of: &x87) { raw in emit(&out, &spec) { crossrun_format_x87($0, $1, $2, raw.baseAddress) } }
    }

    private static func isFlag(_ c: UInt8) -> Bool {
        c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c == UInt8(ascii: " ") || c == UInt8(ascii: "#")
            || c == UInt8(ascii: "0") || c == UInt8(ascii: "'")
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    private static func isLength(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "h"), UInt8(ascii: "l"), UInt8(ascii: "L"), UInt8(ascii: "q"), UInt8(ascii: "j"),
             UInt8(ascii: "z"), UInt8(ascii: "Z"), UInt8(ascii: "t"): return true
        default: return false
        }
    }

    /// Appends the host's formatting of the directive in `spec` (NUL-terminated here) by
    /// `call(buffer, size, spec)`: into a stack buffer, or a heap one when it does not fit.
    private static func emit(_ out: inout [UInt8], _ spec: inout [UInt8],
                             _ call: (UnsafeMutablePointer<CChar>, Int, UnsafePointer<CChar>) -> Int32) {
        spec.append(0)
        spec.withUnsafeBufferPointer { s in
            s.withMemoryRebound(to: CChar.self) { directive in
                guard let d = directive.baseAddress else { return }
                withUnsafeTemporaryAllocation(of: CChar.self, capacity: 256) { buffer in
                    guard let b = buffer.baseAddress else { return }
                    let needed = Int(call(b, buffer.count, d))
                    // snprintf fails (-1) past INT_MAX; refuse absurd widths rather than allocate gigabytes.
                    guard needed >= 0, needed < 1 << 26 else { return }
                    if needed < buffer.count {
                        out.append(contentsOf: UnsafeRawBufferPointer(start: b, count: needed))
                        return
                    }
                    var big = [CChar](repeating: 0, count: needed + 1)
                    big.withUnsafeMutableBufferPointer { p in
                        guard let base = p.baseAddress else { return }
                        _ = call(base, p.count, d)
                        out.append(contentsOf: UnsafeRawBufferPointer(start: base, count: needed))
                    }
                }
            }
        }
    }
}
