#if canImport(Glibc)
import Glibc
#endif

/// The scanf family. Each directive is handed to the host's `sscanf`/`fscanf` with a `%n`
/// appended, into host temporaries, and results are stored through the guest's pointers —
/// so number parsing is glibc's own.
enum LibcScanf {
    /// Where characters come from.
    enum Source {
        case string(UnsafePointer<CChar>)      // sscanf: position advances through `offset`
        case stream(UnsafeMutablePointer<FILE>)
    }

    /// Runs the format; like glibc, when the result is EOF every buffer a `%m` conversion of
    /// this call allocated is freed and its pointer set to NULL.
    static func scan(_ rt: LibcRuntime, _ source: Source, format: UInt64, args: any VariadicArguments) throws -> Int32 {
        var allocated: [(pointer: UInt64, block: UInt64)] = []
        let r = try scanFields(rt, source, format: format, args: args, allocated: &allocated)
        if r == EOF {
            for (pointer, block) in allocated {
                _ = rt.heap.free(block)
                try rt.memory.store(UInt64(0), at: pointer)
            }
        }
        return r
    }

    private static func scanFields(_ rt: LibcRuntime, _ source: Source, format: UInt64, args: any VariadicArguments,
                                   allocated: inout [(pointer: UInt64, block: UInt64)]) throws -> Int32 {
        var args = args
        let fmt = Array(try rt.memory.cString(format))
        var offset = 0          // characters consumed so far
        var assigned: Int32 = 0
        var anyConversion = false
        var i = 0

        /// Runs one host conversion `spec` (without %n) on the source; returns (items, consumed) or nil at failure.
        func host(_ spec: String, _ target: UnsafeMutableRawPointer?) -> (Int32, Int)? {
            var n: Int32 = -1
            let full = spec + "%n"
            let r: Int32 = full.withCString { f in
                switch source {
                case .string(let s):
                    if let target { return withVaList([OpaquePointer(target), withUnsafeMutablePointer(to: &n) { $0 }]) { vsscanf(s + offset, f, $0) } }
                    return withVaList([withUnsafeMutablePointer(to: &n) { $0 }]) { vsscanf(s + offset, f, $0) }
                case .stream(let file):
                    if let target { return withVaList([OpaquePointer(target), withUnsafeMutablePointer(to: &n) { $0 }]) { vfscanf(file, f, $0) } }
                    return withVaList([withUnsafeMutablePointer(to: &n) { $0 }]) { vfscanf(file, f, $0) }
                }
            }
            if r == EOF { return (EOF, 0) }    // input failure: nothing left to read
            if n < 0 { return nil }            // matching failure
            return (r, Int(n))
        }

        /// Whether the input is exhausted (without consuming anything).
        func atEnd() -> Bool {
            switch source {
            case .string(let s): return s[offset] == 0
            case .stream(let file):
                let c = getc(file)
                if c != EOF { ungetc(c, file) }
                return c == EOF
            }
        }

        while i < fmt.count {
            let c = fmt[i]
            if isspace(Int32(c)) != 0 {
                while i < fmt.count && isspace(Int32(fmt[i])) != 0 { i += 1 }
                if let (_, n) = host(" ", nil) { offset += n }
                continue
            }
            if c != UInt8(ascii: "%") || (i + 1 < fmt.count && fmt[i + 1] == UInt8(ascii: "%")) {
                let literal = c == UInt8(ascii: "%") ? "%%" : String(UnicodeScalar(c))
                i += c == UInt8(ascii: "%") ? 2 : 1
                guard let (items, n) = host(literal, nil), items != EOF, n > 0 else {
                    return atEnd() && !anyConversion ? EOF : assigned
                }
                offset += n
                continue
            }
            // A conversion: %[*][width][length]conv
            var j = i + 1
            var suppress = false
            if j < fmt.count && fmt[j] == UInt8(ascii: "*") { suppress = true; j += 1 }
            var width = 0
            while j < fmt.count && isdigit(Int32(fmt[j])) != 0 { width = min(width * 10 + Int(fmt[j] - 48), Int(Int32.max)); j += 1 }
            var allocate = false    // `m`: the field goes into a buffer scanf allocates
            if j < fmt.count && fmt[j] == UInt8(ascii: "m") { allocate = true; j += 1 }
            var length = ""
            while j < fmt.count, "hlLqjzt".utf8.contains(fmt[j]) { length.append(Character(UnicodeScalar(fmt[j]))); j += 1 }
            guard j < fmt.count else { break }
            var conv = String(UnicodeScalar(fmt[j]))
            if fmt[j] == UInt8(ascii: "[") {
                var k = j + 1
                if k < fmt.count && fmt[k] == UInt8(ascii: "^") { k += 1 }
                if k < fmt.count && fmt[k] == UInt8(ascii: "]") { k += 1 }
                while k < fmt.count && fmt[k] != UInt8(ascii: "]") { k += 1 }
                conv = String(decoding: fmt[j...min(k, fmt.count - 1)], as: UTF8.self)
                j = k
            }
            i = j + 1
            let spec = "%" + (suppress ? "*" : "") + (width > 0 ? String(width) : "") + length + conv
            if conv == "n" {
                if !suppress {
                    let p = try args.nextInt()
                    switch length {
                    case "hh": try rt.memory.store(UInt8(truncatingIfNeeded: offset), at: p)
                    case "h": try rt.memory.store(UInt16(truncatingIfNeeded: offset), at: p)
                    case "l", "ll", "j", "z", "t", "q": try rt.memory.store(UInt64(offset), at: p)
                    default: try rt.memory.store(UInt32(truncatingIfNeeded: offset), at: p)
                    }
                }
                continue
            }
            let isFloat = ["e", "E", "f", "F", "g", "G", "a", "A"].contains(conv)
            let binary128 = rt.longDoubleIsBinary128 && LibcBinary128.available && length == "L" && isFloat
            if binary128, case .stream(let file) = source {
                // glibc's grammar read here, converted with binary128 precision.
                switch ScanfFloatField.read(file, width: width) {
                case .inputFailure: return assigned > 0 || anyConversion ? assigned : EOF
                case .matchingFailure: return assigned
                case .field(let text, let consumed):
                    offset += consumed
                    let (value, used) = (text.map { CChar(bitPattern: $0) } + [0]).withUnsafeBufferPointer {
                        LibcBinary128.parse($0.baseAddress!)
                    }
                    if used == 0 { return assigned }
                    anyConversion = true
                    if suppress { continue }
                    try storeLongDouble(rt, value, at: args.nextInt())
                    assigned += 1
                    continue
                }
            }
            if conv == "s" || conv == "c" || conv.hasPrefix("[") {
                let kind: ScanfTextField.Kind = conv == "s" ? .string : conv == "c" ? .characters : .set(conv)
                let field = ScanfTextField(kind: kind, wide: length.contains("l"), width: width)
                switch try text(rt, field, suppress: suppress, allocate: allocate, args: &args, allocated: &allocated, skipSpace: {
                    if let (_, n) = host(" ", nil) { offset += n }
                }, convert: { spec, buffer in
                    guard let (items, n) = host(spec, buffer) else { return nil }
                    offset += n
                    return (items, n)
                }) {
                case .inputFailure: return assigned > 0 || anyConversion ? assigned : EOF
                case .matchingFailure: return assigned
                case .field:
                    anyConversion = true
                    if !suppress { assigned += 1 }
                }
                continue
            }
            let start = offset
            let temp = UnsafeMutableRawPointer.allocate(byteCount: 16, alignment: 16)
            defer { temp.deallocate() }
            guard let (items, n) = host(spec, suppress ? nil : temp) else { return assigned }
            if items == EOF { return assigned > 0 || anyConversion ? assigned : EOF }
            if !suppress && items < 1 { return assigned }
            anyConversion = true
            offset += n
            if suppress { continue }
            let dst = try args.nextInt()
            switch conv {
            case "d", "i", "u", "x", "X", "o", "p":
                switch length {
                case "hh": try rt.memory.store(temp.load(as: UInt8.self), at: dst)
                case "h": try rt.memory.store(temp.load(as: UInt16.self), at: dst)
                case "l", "ll", "j", "z", "t", "q": try rt.memory.store(temp.load(as: UInt64.self), at: dst)
                default:
                    if conv == "p" { try rt.memory.store(temp.load(as: UInt64.self), at: dst) }
                    else { try rt.memory.store(temp.load(as: UInt32.self), at: dst) }
                }
            case "f", "e", "g", "E", "G", "a", "F", "A":
                if length == "l" { try rt.memory.store(temp.load(as: UInt64.self), at: dst) }
                else if length == "L" {
                    if binary128, case .string(let input) = source {
                        // The host parsed an x87 value; convert the same characters as binary128.
                        let text = UnsafeBufferPointer(start: input + start, count: n).map { $0 } + [0]
                        try storeLongDouble(rt, text.withUnsafeBufferPointer { LibcBinary128.parse($0.baseAddress!).value }, at: dst)
                    } else {
                        try rt.memory.write(UnsafeRawBufferPointer(start: temp, count: 16), at: dst)
                    }
                }
                else { try rt.memory.store(temp.load(as: UInt32.self), at: dst) }
            default:
                break
            }
            assigned += 1
        }
        return assigned
    }

    /// A text conversion (``ScanfTextField``): its characters go straight to the guest's buffer
    /// as they are converted, or, for `%m`, into a guest heap block whose address is stored.
    static func text(_ rt: LibcRuntime, _ field: ScanfTextField, suppress: Bool, allocate: Bool,
                     args: inout any VariadicArguments, allocated: inout [(pointer: UInt64, block: UInt64)],
                     skipSpace: () -> Void,
                     convert: (String, UnsafeMutableRawPointer) -> (Int32, Int)?) throws -> ScanfTextField.Result {
        let dst = suppress ? 0 : try args.nextInt()
        var written = 0
        var collected: [UInt8] = []
        let result = try field.read(skipSpace: skipSpace, convert: convert) { piece in
            if suppress { return }
            if allocate {
                guard collected.count + piece.count < Int(rt.heap.limit - rt.heap.base) else { throw GuestHeapExhausted() }
                collected.append(contentsOf: piece)
            } else {
                try rt.memory.write(piece, at: dst &+ UInt64(written))
                written += piece.count
            }
        }
        if suppress { return result }
        guard case .field = result else {
            if allocate { try rt.memory.store(UInt64(0), at: dst) }   // glibc: the failed %m's pointer is NULL
            return result
        }
        let terminator = [UInt8](repeating: 0, count: field.terminated ? field.unit : 0)
        if allocate {
            let block = try LibcMemory.allocate(rt, max(collected.count + terminator.count, 1), zero: false)
            guard block != 0 else { throw GuestHeapExhausted() }
            try rt.memory.write(collected + terminator, at: block)
            try rt.memory.store(block, at: dst)
            allocated.append((dst, block))
        } else {
            try rt.memory.write(terminator, at: dst &+ UInt64(written))
        }
        return result
    }

    /// An allocating conversion's field does not fit the guest heap (glibc: ENOMEM, EOF).
    struct GuestHeapExhausted: Error {}

    /// Stores a `long double` given as its two little-endian words.
    static func storeLongDouble(_ rt: LibcRuntime, _ words: (UInt64, UInt64), at address: UInt64) throws {
        let bytes = withUnsafeBytes(of: words.0.littleEndian) { Array($0) } + withUnsafeBytes(of: words.1.littleEndian) { Array($0) }
        try rt.memory.write(bytes, at: address)
    }

    static func string(_ rt: LibcRuntime, _ f: any CallFrame, _ args: any VariadicArguments) throws {
        let input = try LibcString.cstr(rt.memory, f.int(0))
        f.returnInt32(try scanReportingExhaustion(rt, .string(input), format: f.int(1), args: args))
    }

    static func stream(_ rt: LibcRuntime, _ f: any CallFrame, _ handle: UInt64, _ format: UInt64, _ args: any VariadicArguments) throws {
        guard let s = rt.stream(handle) else { rt.setErrno(EBADF); f.returnInt32(EOF); return }
        f.returnInt32(try scanReportingExhaustion(rt, .stream(s.file), format: format, args: args))
    }

    private static func scanReportingExhaustion(_ rt: LibcRuntime, _ source: Source, format: UInt64, args: any VariadicArguments) throws -> Int32 {
        do {
            return try scan(rt, source, format: format, args: args)
        } catch is GuestHeapExhausted {
            rt.setErrno(ENOMEM)
            return EOF
        }
    }

    static let functions: [String: HostFunction] = [
        "sscanf": { rt, f in try string(rt, f, f.variadic(afterInts: 2, floats: 0)) },
        "vsscanf": { rt, f in try string(rt, f, f.vaList(at: f.int(2))) },
        "fscanf": { rt, f in try stream(rt, f, f.int(0), f.int(1), f.variadic(afterInts: 2, floats: 0)) },
        "vfscanf": { rt, f in try stream(rt, f, f.int(0), f.int(1), f.vaList(at: f.int(2))) },
        "scanf": { rt, f in try stream(rt, f, rt.dataHandle("stdin"), f.int(0), f.variadic(afterInts: 1, floats: 0)) },
        "vscanf": { rt, f in try stream(rt, f, rt.dataHandle("stdin"), f.int(0), f.vaList(at: f.int(1))) },
    ]
}
