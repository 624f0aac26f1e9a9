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

    /// Formats the guest format string at `format` with `args`; returns the bytes produced
    /// (for callers that need them whole; output functions stream through ``PrintfOutput``).
    static func format(_ runtime: LibcRuntime, format: UInt64, args: inout any VariadicArguments) throws -> [UInt8] {
        var out = PrintfOutput(.collect)
        _ = try self.format(runtime, format: format, args: &args, into: &out)
        return out.pending
    }

    /// Formats the guest format string at `format` with `args` into `out`. Returns false when
    /// glibc would fail with `EOVERFLOW` (a width or precision past `INT_MAX`, or more than
    /// `INT_MAX` bytes in all; errno is set), having written what came before, as glibc does.
    static func format(_ runtime: LibcRuntime, format: UInt64, args: inout any VariadicArguments,
                       into out: inout PrintfOutput) throws -> Bool {
        let memory = runtime.memory
        let fmt = try memory.cString(format)
        // POSIX positional arguments (`%2$s`) are gathered first; most formats have no '$'.
        let hasDollar = fmt.baseAddress.map { memchr($0, Int32(UInt8(ascii: "$")), fmt.count) != nil } ?? false
        let positional = hasDollar ? try PositionalArguments.gather(format: fmt, args: &args) : nil
        if let positional { args = positional }
        var spec: [UInt8] = []
        spec.reserveCapacity(48)
        var i = 0
        let n = fmt.count
        func overflow() -> Bool {
            runtime.setErrno(EOVERFLOW)
            return false
        }
        while i < n {
            if out.count > Int(Int32.max) { return overflow() }
            let c = fmt[i]
            if c != UInt8(ascii: "%") {
                // Copy the literal run up to the next '%'.
                var j = i + 1
                while j < n && fmt[j] != UInt8(ascii: "%") { j += 1 }
                try out.append(UnsafeRawBufferPointer(rebasing: fmt[i..<j]))
                i = j
                continue
            }
            let start = i
            i += 1
            guard i < n else { try out.append(c); break }
            let valueIndex = positional == nil ? nil : PositionalArguments.reference(fmt, &i)
            spec.removeAll(keepingCapacity: true)
            spec.append(UInt8(ascii: "%"))
            // Flags.
            var leftAlign = false
            while i < n, isFlag(fmt[i]) {
                if fmt[i] == UInt8(ascii: "-") { leftAlign = true }
                spec.append(fmt[i]); i += 1
            }
            // Width (saturating: anything past INT_MAX is EOVERFLOW).
            var width: Int? = nil
            let starWidth = i < n && fmt[i] == UInt8(ascii: "*")
            if starWidth {
                i += 1
                if let p = positional, let k = PositionalArguments.reference(fmt, &i) { p.cursor = k }
                let w = Int(Int32(truncatingIfNeeded: try args.nextInt()))
                if w < 0 && !leftAlign { leftAlign = true; spec.append(UInt8(ascii: "-")) }   // a negative width means '-'
                width = abs(w)
            } else if i < n && isDigit(fmt[i]) {
                width = decimal(fmt, &i)
            }
            // Precision.
            var precision: Int? = nil
            if i < n && fmt[i] == UInt8(ascii: ".") {
                i += 1
                if i < n && fmt[i] == UInt8(ascii: "*") {
                    i += 1
                    if let p = positional, let k = PositionalArguments.reference(fmt, &i) { p.cursor = k }
                    let p = Int32(truncatingIfNeeded: try args.nextInt())
                    if p >= 0 { precision = Int(p) }
                } else {
                    precision = decimal(fmt, &i)
                }
            }
            // glibc refuses a written width or precision past INT_MAX before converting; a `*`
            // width of INT_MIN (2^31, left-aligned) is printed, then the count overflows.
            if (starWidth ? 0 : width ?? 0) > Int(Int32.max) || (precision ?? 0) > Int(Int32.max) { return overflow() }
            // Length.
            var length: UInt32 = 0
            while i < n, isLength(fmt[i]) { length = length &<< 8 | UInt32(fmt[i]); i += 1 }
            guard i < n else { try out.append(UnsafeRawBufferPointer(rebasing: fmt[start..<n])); break }
            let conv = fmt[i]
            i += 1
            if let p = positional, let v = valueIndex { p.cursor = v }
            let field = PrintfField(flags: spec, width: width, precision: precision)
            switch conv {
            case UInt8(ascii: "%"):
                try out.append(UInt8(ascii: "%"))
            case UInt8(ascii: "d"), UInt8(ascii: "i"):
                let raw = try args.nextInt()
                let v: Int64
                switch length {
                case hh: v = Int64(Int8(truncatingIfNeeded: raw))
                case h: v = Int64(Int16(truncatingIfNeeded: raw))
                case 0: v = Int64(Int32(truncatingIfNeeded: raw))
                default: v = Int64(bitPattern: raw)
                }
                try field.emit(&out, "lld") { crossrun_format_i64($0, $1, $2, v) }
            case UInt8(ascii: "u"), UInt8(ascii: "o"), UInt8(ascii: "x"), UInt8(ascii: "X"):
                let raw = try args.nextInt()
                let v: UInt64
                switch length {
                case hh: v = UInt64(UInt8(truncatingIfNeeded: raw))
                case h: v = UInt64(UInt16(truncatingIfNeeded: raw))
                case 0: v = UInt64(UInt32(truncatingIfNeeded: raw))
                default: v = raw
                }
                let tail: StaticString = conv == UInt8(ascii: "u") ? "llu" : conv == UInt8(ascii: "o") ? "llo" : conv == UInt8(ascii: "x") ? "llx" : "llX"
                try field.emit(&out, tail) { crossrun_format_u64($0, $1, $2, v) }
            case UInt8(ascii: "c"):
                let v = Int32(truncatingIfNeeded: try args.nextInt())
                try field.emit(&out, "c", numeric: false) { crossrun_format_int($0, $1, $2, v) }
            case UInt8(ascii: "s") where length == l, UInt8(ascii: "S"):
                // A wide string: 4-byte wchar_t on every target; the host converts it.
                let p = try args.nextInt()
                var wide: [wchar_t] = []
                if p != 0 {
                    // A precision bounds output bytes, and each wide character makes at least one.
                    while precision.map({ wide.count < $0 }) ?? true {
                        let w = try memory.load(p &+ UInt64(4 &* wide.count), as: Int32.self)
                        if w == 0 { break }
                        wide.append(wchar_t(w))
                    }
                }
                wide.append(0)
                try wide.withUnsafeBufferPointer { w in
                    let text = p == 0 ? nil : UnsafeRawPointer(w.baseAddress)   // NULL: the host prints "(null)"
                    try field.emit(&out, "ls", numeric: false) { crossrun_format_pointer($0, $1, $2, text) }
                }
            case UInt8(ascii: "s"):
                // The guest's own bytes: NUL-terminated (checked), or at least `precision`
                // readable bytes, which is all "%.Ns" reads.
                let p = try args.nextInt()
                if p == 0 {
                    // The host glibc prints "(null)" (or "" below precision 6) itself.
                    try field.emit(&out, "s", numeric: false) { crossrun_format_pointer($0, $1, $2, nil) }
                    break
                }
                let body: UnsafeRawBufferPointer
                if let prec = precision {
                    let span = try memory.readableSpan(from: p)
                    let limit = min(prec, span.count)
                    let nul = span.baseAddress.flatMap { memchr($0, 0, limit) }
                    if nul == nil && limit < prec { _ = try memory.stringLength(p) } // faults past the mapping
                    body = UnsafeRawBufferPointer(rebasing: span[0..<(nul.map { span.baseAddress!.distance(to: UnsafeRawPointer($0)) } ?? limit)])
                } else {
                    body = try memory.cString(p)
                }
                try field.emitString(&out, body)
            case UInt8(ascii: "p"):
                let v = try args.nextInt()
                if v != 0 {
                    try field.emit(&out, "p") { crossrun_format_pointer($0, $1, $2, UnsafeRawPointer(bitPattern: UInt(v))) }
                } else {
                    // glibc prints a null %p as "(nil)", honouring width and '-' only.
                    let plain = PrintfField(flags: [UInt8(ascii: "%")] + (leftAlign ? [UInt8(ascii: "-")] : []), width: width, precision: nil)
                    try "(nil)".withCString { t in try plain.emit(&out, "s", numeric: false) { crossrun_format_pointer($0, $1, $2, t) } }
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
                let text = strerror(e).map { UnsafeRawPointer($0) }
                try field.emit(&out, "s", numeric: false) { crossrun_format_pointer($0, $1, $2, text) }
            case UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "f"), UInt8(ascii: "F"),
                 UInt8(ascii: "g"), UInt8(ascii: "G"), UInt8(ascii: "a"), UInt8(ascii: "A"):
                if length == L {
                    try longDouble(runtime, &out, field, conv, try args.nextLongDouble())
                } else {
                    let v = try args.nextDouble()
                    try field.emit(&out, [conv]) { crossrun_format_double($0, $1, $2, v) }
                }
            default:
                // Unknown conversion: glibc prints the directive as written.
                try out.append(UnsafeRawBufferPointer(rebasing: fmt[start..<i]))
            }
        }
        if out.count > Int(Int32.max) { return overflow() }
        return true
    }

    /// A decimal number in the format at `i` (moved past it), saturating just past `INT_MAX`.
    private static func decimal(_ fmt: UnsafeRawBufferPointer, _ i: inout Int) -> Int {
        var v = 0
        while i < fmt.count && isDigit(fmt[i]) { v = min(v * 10 + Int(fmt[i] - 0x30), Int(Int32.max) + 1); i += 1 }
        return v
    }

    /// A `long double` conversion: binary128 through libquadmath, x87 bytes straight to the
    /// host's `%L` (the host's own `long double` on x86-64).
    private static func longDouble(_ runtime: LibcRuntime, _ out: inout PrintfOutput, _ field: PrintfField, _ conv: UInt8,
                                   _ bits: (UInt64, UInt64)) throws {
        if runtime.longDoubleIsBinary128, LibcBinary128.available {
            try field.render(&out) { spec in try LibcBinary128.format(spec, conv, bits) ?? [] }
            return
        }
        var x87 = runtime.longDoubleIsBinary128 ? LongDouble.x87Bits(LongDouble.toHost(bits, binary128: true)) : bits
        try withUnsafeBytes(of: &x87) { raw in
            try field.emit(&out, [UInt8(ascii: "L"), conv]) { crossrun_format_x87($0, $1, $2, raw.baseAddress) }
        }
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

}

/// One conversion's `%` and flags, width and precision, formatted by the host.
struct PrintfField {
    /// `%` and the flags as written (plus `-` for a negative `*` width).
    var flags: [UInt8]
    var width: Int?
    var precision: Int?

    /// Whether one host call formats it into bounded memory.
    func isDirect(numeric: Bool) -> Bool {
        (width ?? 0) <= PrintfExpansion.directWidth && (!numeric || (precision ?? 0) <= PrintfExpansion.exactDigits)
    }

    /// Formats with `call(buffer, size, spec)` (a typed `snprintf`), `tail` being the length and
    /// conversion letters; `numeric`: the precision counts digits.
    func emit(_ out: inout PrintfOutput, _ tail: [UInt8], numeric: Bool = true,
              _ call: (UnsafeMutablePointer<CChar>, Int, UnsafePointer<CChar>) -> Int32) throws {
        try tail.withUnsafeBytes { try emit(&out, $0, numeric: numeric, call) }
    }

    func emit(_ out: inout PrintfOutput, _ tail: StaticString, numeric: Bool = true,
              _ call: (UnsafeMutablePointer<CChar>, Int, UnsafePointer<CChar>) -> Int32) throws {
        try emit(&out, UnsafeRawBufferPointer(start: tail.utf8Start, count: tail.utf8CodeUnitCount), numeric: numeric, call)
    }

    func emit(_ out: inout PrintfOutput, _ tail: UnsafeRawBufferPointer, numeric: Bool,
              _ call: (UnsafeMutablePointer<CChar>, Int, UnsafePointer<CChar>) -> Int32) throws {
        if isDirect(numeric: numeric) {
            try hostDirect(&out, tail, call)
        } else {
            let tailBytes = Array(tail)
            try PrintfExpansion.write(&out, flags: flags, width: width, precision: precision, numeric: numeric) { spec in
                var collected = PrintfOutput(.collect)
                try PrintfField.host(&collected, spec + tailBytes, call)
                return collected.pending
            }
        }
    }

    /// The common case, without allocating: the directive is assembled on the stack.
    private func hostDirect(_ out: inout PrintfOutput, _ tail: UnsafeRawBufferPointer,
                            _ call: (UnsafeMutablePointer<CChar>, Int, UnsafePointer<CChar>) -> Int32) throws {
        guard flags.count + tail.count <= 64 else {   // absurdly many flags: the general path
            try PrintfField.host(&out, PrintfExpansion.spec(flags, width, precision) + Array(tail), call)
            return
        }
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 96) { d in
            var n = 0
            for b in flags { d[n] = b; n += 1 }
            if let width { n = PrintfField.appendDecimal(d, n, width) }
            if let precision { d[n] = UInt8(ascii: "."); n = PrintfField.appendDecimal(d, n + 1, precision) }
            for b in tail { d[n] = b; n += 1 }
            d[n] = 0
            try d.withMemoryRebound(to: CChar.self) { directive in
                try PrintfField.host(&out, UnsafePointer(directive.baseAddress!), call)
            }
        }
    }

    /// Writes `value` (0...2^31) in decimal at `d[n...]`; returns the index after it.
    private static func appendDecimal(_ d: UnsafeMutableBufferPointer<UInt8>, _ n: Int, _ value: Int) -> Int {
        var digits = 1, v = value
        while v >= 10 { v /= 10; digits += 1 }
        v = value
        for i in stride(from: n + digits - 1, through: n, by: -1) { d[i] = UInt8(48 + v % 10); v /= 10 }
        return n + digits
    }

    /// Formats a numeric conversion with `render(spec)`, which adds the conversion itself.
    func render(_ out: inout PrintfOutput, _ render: ([UInt8]) throws -> [UInt8]) throws {
        if isDirect(numeric: true) {
            try out.append(render(PrintfExpansion.spec(flags, width, precision)))
        } else {
            try PrintfExpansion.write(&out, flags: flags, width: width, precision: precision, numeric: true, render: render)
        }
    }

    /// `%s` of guest bytes already cut to the precision: short ones in one host call (which
    /// reads the guest's bytes in place), long ones streamed from guest memory.
    func emitString(_ out: inout PrintfOutput, _ body: UnsafeRawBufferPointer) throws {
        if (width ?? 0) <= PrintfExpansion.directWidth && body.count <= PrintfExpansion.directWidth {
            let text = body.baseAddress ?? UnsafeRawPointer(("" as StaticString).utf8Start)
            try emit(&out, "s", numeric: false) { crossrun_format_pointer($0, $1, $2, text) }
        } else {
            try PrintfExpansion.writeString(&out, flags: flags, width: width, body: body) { spec, text in
                var collected = PrintfOutput(.collect)
                try? PrintfField.host(&collected, spec + [UInt8(ascii: "s")]) { crossrun_format_pointer($0, $1, $2, text) }
                return collected.pending
            }
        }
    }

    /// Appends the host's formatting of `spec` by `call(buffer, size, spec)`.
    static func host(_ out: inout PrintfOutput, _ spec: [UInt8],
                     _ call: (UnsafeMutablePointer<CChar>, Int, UnsafePointer<CChar>) -> Int32) throws {
        let directive = spec.map { CChar(bitPattern: $0) } + [0]
        try directive.withUnsafeBufferPointer { try host(&out, $0.baseAddress!, call) }
    }

    /// Appends the host's formatting of the NUL-terminated `directive`: from a stack buffer,
    /// or a heap one when it does not fit (bounded: widths and precisions past the direct
    /// limits never get here).
    static func host(_ out: inout PrintfOutput, _ directive: UnsafePointer<CChar>,
                     _ call: (UnsafeMutablePointer<CChar>, Int, UnsafePointer<CChar>) -> Int32) throws {
        try withUnsafeTemporaryAllocation(of: CChar.self, capacity: 256) { buffer in
            guard let b = buffer.baseAddress else { return }
            let needed = Int(call(b, buffer.count, directive))
            guard needed >= 0 else { return }
            if needed < buffer.count {
                try out.append(UnsafeRawBufferPointer(start: b, count: needed))
                return
            }
            var big = [CChar](repeating: 0, count: needed + 1)
            try big.withUnsafeMutableBufferPointer { p in
                guard let base = p.baseAddress else { return }
                _ = call(base, p.count, directive)
                try out.append(UnsafeRawBufferPointer(start: base, count: needed))
            }
        }
    }
}
