#if canImport(Glibc)
import Glibc
#endif

/// `printf`-family formatting over guest memory. Each conversion is handed to the host's
/// `vsnprintf` with the same flags, width, precision and (converted) argument, so the output
/// is glibc's to the byte.
enum Printf {
    /// Formats the guest format string at `format` with `args`; returns the bytes produced.
    static func format(_ runtime: LibcRuntime, format: UInt64, args: inout any VariadicArguments) throws -> [UInt8] {
        let memory = runtime.memory
        let fmt = try memory.cString(format)
        let positional = try PositionalArguments.gather(format: fmt, args: &args)
        if let positional { args = positional }
        var out: [UInt8] = []
        out.reserveCapacity(fmt.count + 32)
        var i = 0
        let n = fmt.count
        while i < n {
            let c = fmt[i]
            if c != UInt8(ascii: "%") {
                // Copy the literal run up to the next '%'.
                var j = i + 1
                while j < n && fmt[j] != UInt8(ascii: "%") { j += 1 }
                out.append(contentsOf: fmt[i..<j])
                i = j
                continue
            }
            let start = i
            i += 1
            guard i < n else { out.append(c); break }
            let valueIndex = positional == nil ? nil : PositionalArguments.reference(fmt, &i)
            // Flags.
            var flags: [UInt8] = []
            while i < n, let f = Optional(fmt[i]), f == UInt8(ascii: "-") || f == UInt8(ascii: "+") || f == UInt8(ascii: " ")
                    || f == UInt8(ascii: "#") || f == UInt8(ascii: "0") || f == UInt8(ascii: "'") {
                flags.append(f); i += 1
            }
            // Width.
            var width: [UInt8] = []
            if i < n && fmt[i] == UInt8(ascii: "*") {
                i += 1
                if let p = positional, let k = PositionalArguments.reference(fmt, &i) { p.cursor = k }
                let w = Int32(truncatingIfNeeded: try args.nextInt())
                width = Array(String(w).utf8)   // a negative width means '-' flag: vsnprintf handles "-N"
            } else {
                while i < n && fmt[i] >= 0x30 && fmt[i] <= 0x39 { width.append(fmt[i]); i += 1 }
            }
            var spec: [UInt8] = [UInt8(ascii: "%")] + flags + width
            // Precision.
            var precision: Int? = nil
            if i < n && fmt[i] == UInt8(ascii: ".") {
                i += 1
                if i < n && fmt[i] == UInt8(ascii: "*") {
                    i += 1
                    if let p = positional, let k = PositionalArguments.reference(fmt, &i) { p.cursor = k }
                    let p = Int32(truncatingIfNeeded: try args.nextInt())
                    if p >= 0 { precision = Int(p); spec += Array(".\(p)".utf8) }
                } else {
                    var p = 0
                    while i < n && fmt[i] >= 0x30 && fmt[i] <= 0x39 { p = min(p * 10 + Int(fmt[i] - 0x30), 1 << 20); i += 1 }
                    precision = p
                    spec += Array(".\(p)".utf8)
                }
            }
            // Length.
            var length = ""
            while i < n, let l = Optional(fmt[i]), [UInt8(ascii: "h"), UInt8(ascii: "l"), UInt8(ascii: "L"), UInt8(ascii: "q"),
                                                  UInt8(ascii: "j"), UInt8(ascii: "z"), UInt8(ascii: "Z"), UInt8(ascii: "t")].contains(l) {
                length.append(Character(UnicodeScalar(l))); i += 1
            }
            guard i < n else { out.append(contentsOf: fmt[start..<n]); break }
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
                case "hh": v = Int64(Int8(truncatingIfNeeded: raw))
                case "h": v = Int64(Int16(truncatingIfNeeded: raw))
                case "": v = Int64(Int32(truncatingIfNeeded: raw))
                default: v = Int64(bitPattern: raw)
                }
                host(&out, spec + Array("lld".utf8), [v])
            case UInt8(ascii: "u"), UInt8(ascii: "o"), UInt8(ascii: "x"), UInt8(ascii: "X"):
                let raw = try args.nextInt()
                let v: UInt64
                switch length {
                case "hh": v = UInt64(UInt8(truncatingIfNeeded: raw))
                case "h": v = UInt64(UInt16(truncatingIfNeeded: raw))
                case "": v = UInt64(UInt32(truncatingIfNeeded: raw))
                default: v = raw
                }
                host(&out, spec + [UInt8(ascii: "l"), UInt8(ascii: "l"), conv], [v])
            case UInt8(ascii: "c"):
                let v = Int32(truncatingIfNeeded: try args.nextInt())
                host(&out, spec + [conv], [v])
            case UInt8(ascii: "s") where length == "l", UInt8(ascii: "S"):
                // A wide string: 4-byte wchar_t on every target; the host converts it.
                let p = try args.nextInt()
                var wide: [wchar_t] = []
                if p == 0 {
                    wide = Array("(null)".unicodeScalars.map { wchar_t($0.value) })
                    if let prec = precision, prec < 6 { wide = [] }
                } else {
                    // A precision bounds output bytes, and each wide character makes at least one.
                    while precision.map({ wide.count < $0 }) ?? true {
                        let w = try memory.load(p + UInt64(4 * wide.count), as: Int32.self)
                        if w == 0 { break }
                        wide.append(wchar_t(w))
                    }
                }
                wide.append(0)
                wide.withUnsafeBufferPointer { host(&out, spec + Array("ls".utf8), [$0.baseAddress!]) }
            case UInt8(ascii: "s"):
                let p = try args.nextInt()
                var text: [CChar]
                if p == 0 {
                    text = Array("(null)".utf8CString)
                    if let prec = precision, prec < 6 { text = [0] }
                } else if let prec = precision {
                    let span = try memory.readableSpan(from: p)
                    let limit = min(prec, span.count)
                    let len = span.baseAddress.flatMap { memchr($0, 0, limit) }.map { span.baseAddress!.distance(to: UnsafeRawPointer($0)) } ?? limit
                    if len == limit && limit < prec && span.count <= prec { _ = try memory.stringLength(p) } // faults past the mapping
                    text = span[0..<len].map { CChar(bitPattern: $0) } + [0]
                } else {
                    text = try memory.cString(p).map { CChar(bitPattern: $0) } + [0]
                }
                text.withUnsafeBufferPointer { host(&out, spec + [conv], [$0.baseAddress!]) }
            case UInt8(ascii: "p"):
                let v = try args.nextInt()
                if let pointer = OpaquePointer(bitPattern: UInt(v)) {
                    host(&out, spec + [conv], [pointer])
                } else {
                    // glibc prints a null %p as "(nil)", honouring width and '-' only.
                    let nilText: [CChar] = Array("(nil)".utf8CString)
                    let nilSpec = [UInt8(ascii: "%")] + flags.filter { $0 == UInt8(ascii: "-") } + width + [UInt8(ascii: "s")]
                    nilText.withUnsafeBufferPointer { host(&out, nilSpec, [$0.baseAddress!]) }
                }
            case UInt8(ascii: "n"):
                let p = try args.nextInt()
                let count = out.count
                switch length {
                case "hh": try memory.store(UInt8(truncatingIfNeeded: count), at: p)
                case "h": try memory.store(UInt16(truncatingIfNeeded: count), at: p)
                case "": try memory.store(UInt32(truncatingIfNeeded: count), at: p)
                default: try memory.store(UInt64(count), at: p)
                }
            case UInt8(ascii: "m"):
                let e = try memory.load(runtime.errnoAddress, as: Int32.self)
                host(&out, spec + [UInt8(ascii: "s")], [strerror(e).map { UnsafePointer($0) } ?? UnsafePointer<CChar>(bitPattern: 1)!])
            case UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "f"), UInt8(ascii: "F"),
                 UInt8(ascii: "g"), UInt8(ascii: "G"), UInt8(ascii: "a"), UInt8(ascii: "A"):
                if length == "L" {
                    let bits = try args.nextLongDouble()
                    if runtime.longDoubleIsBinary128, let text = try LibcBinary128.format(spec, conv, bits) {
                        out.append(contentsOf: text)
                    } else {
                        let v = LongDouble.toHost(bits, binary128: runtime.longDoubleIsBinary128)
                        host(&out, spec + [UInt8(ascii: "L"), conv], [v])
                    }
                } else {
                    host(&out, spec + [conv], [try args.nextDouble()])
                }
            default:
                // Unknown conversion: glibc prints the directive as written.
                out.append(contentsOf: fmt[start..<i])
            }
        }
        return out
    }

    /// Appends the host's formatting of one conversion.
    private static func host(_ out: inout [UInt8], _ spec: [UInt8], _ args: [CVarArg]) {
        let cspec = spec.map { CChar(bitPattern: $0) } + [0]
        var buffer = [CChar](repeating: 0, count: 128)
        let needed = cspec.withUnsafeBufferPointer { f in
            withVaList(args) { vsnprintf(&buffer, buffer.count, f.baseAddress!, $0) }
        }
        // vsnprintf fails (-1) past INT_MAX; refuse absurd widths rather than allocate gigabytes.
        guard needed >= 0, needed < 1 << 26 else { return }
        if Int(needed) >= buffer.count {
            buffer = [CChar](repeating: 0, count: Int(needed) + 1)
            _ = cspec.withUnsafeBufferPointer { f in withVaList(args) { vsnprintf(&buffer, buffer.count, f.baseAddress!, $0) } }
        }
        buffer.withUnsafeBytes { out.append(contentsOf: $0[0..<Int(needed)]) }
    }
}
