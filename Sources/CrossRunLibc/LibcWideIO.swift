import CPosixLib
#if canImport(Glibc)
import Glibc
#endif

/// Wide-character stream I/O and the `wprintf` family. Streams are host `FILE*`s, so their
/// orientation (`fwide`: a stream used with `printf` refuses `wprintf`, and the reverse) and the
/// encoding of output under the guest's locale are glibc's own.
enum LibcWideIO {
    static func stream(_ rt: LibcRuntime, _ f: any CallFrame, _ i: Int) throws -> HostStream? { try LibcStdio.stream(rt, f, i) }
    static func standard(_ rt: LibcRuntime, _ name: String) -> HostStream? { rt.streams[rt.dataHandle(name)] }

    /// `fputwc` (`checked`) refuses a narrow-oriented stream with WEOF. `putwc`/`putwchar` and
    /// their unlocked forms are glibc's `_IO_putwc_unlocked`, which on a narrow stream hands
    /// the character to the narrow overflow: its low byte is written and returned. The host's
    /// `putwc` is that same code on the same host stream, so both answer as natively.
    static func put(_ rt: LibcRuntime, _ f: any CallFrame, _ wc: wchar_t, _ s: HostStream?, checked: Bool = true) {
        guard let s else { f.returnUInt32(WEOF); return }
        let r = checked ? fputwc(wc, s.file) : putwc(wc, s.file)
        if r == WEOF { rt.setErrno(errno) }
        f.returnUInt32(r)
    }

    static func get(_ rt: LibcRuntime, _ f: any CallFrame, _ s: HostStream?) {
        guard let s else { f.returnUInt32(WEOF); return }
        errno = 0
        let r = fgetwc(s.file)
        if r == WEOF && errno != 0 { rt.setErrno(errno) }
        f.returnUInt32(r)
    }

    /// Writes formatted wide output to a stream: the host encodes it for the guest's locale.
    static func output(_ rt: LibcRuntime, _ s: HostStream?, _ text: [wchar_t]?, _ f: any CallFrame) {
        guard let s, let text else { f.returnInt32(-1); return }
        let r = (text + [0]).withUnsafeBufferPointer { fputws($0.baseAddress!, s.file) }
        if r < 0 { rt.setErrno(errno); f.returnInt32(-1) } else { f.returnInt32(Int32(clamping: text.count)) }
    }

    /// swprintf/vswprintf: the text and its terminator when they fit in `size` wide characters;
    /// else, as glibc 2.36, the first `size - 1` characters without a terminator, and -1.
    static func storeBounded(_ rt: LibcRuntime, _ text: [wchar_t]?, to buffer: UInt64, size: Int, _ f: any CallFrame) throws {
        guard let text else { f.returnInt32(-1); return }
        guard size > 0 else { f.returnInt32(-1); return }
        let fits = text.count < size
        let stored = fits ? text + [0] : Array(text.prefix(size - 1))
        if !stored.isEmpty {
            let dst = try rt.memory.wideBuffer(buffer, stored.count, write: true)
            stored.withUnsafeBufferPointer { dst.update(from: $0.baseAddress!, count: stored.count) }
        }
        f.returnInt32(fits ? Int32(clamping: text.count) : -1)
    }

    static let functions: [String: HostFunction] = [
        "fputwc": { rt, f in put(rt, f, try LibcWideString.wchar(f, 0), try stream(rt, f, 1)) },
        "putwc": { rt, f in put(rt, f, try LibcWideString.wchar(f, 0), try stream(rt, f, 1), checked: false) },
        "putwchar": { rt, f in put(rt, f, try LibcWideString.wchar(f, 0), standard(rt, "stdout"), checked: false) },
        "fgetwc": { rt, f in get(rt, f, try stream(rt, f, 0)) },
        "getwc": { rt, f in get(rt, f, try stream(rt, f, 0)) },
        "getwchar": { rt, f in get(rt, f, standard(rt, "stdin")) },
        "ungetwc": { rt, f in
            guard let s = try stream(rt, f, 1) else { f.returnUInt32(WEOF); return }
            f.returnUInt32(ungetwc(wint_t(truncatingIfNeeded: try f.int(0)), s.file))
        },
        "fputws": { rt, f in
            let text = try rt.memory.wideString(f.int(0))
            guard let s = try stream(rt, f, 1) else { f.returnInt32(-1); return }
            let r = fputws(text, s.file)
            if r < 0 { rt.setErrno(errno) }
            f.returnInt32(r)
        },
        "fgetws": { rt, f in
            let buffer = try f.int(0), n = try f.int32(1)
            guard let s = try stream(rt, f, 2) else { f.returnInt(0); return }
            guard n > 0 else { rt.setErrno(EINVAL); f.returnInt(0); return }
            let dst = try rt.memory.wideBuffer(buffer, Int(n), write: true)
            f.returnInt(fgetws(dst, n, s.file) == nil ? 0 : buffer)
        },
        "fwide": { rt, f in
            guard let s = try stream(rt, f, 0) else { f.returnInt32(0); return }
            f.returnInt32(fwide(s.file, try f.int32(1)))
        },
        "wprintf": { rt, f in
            var a = try f.variadic(afterInts: 1, floats: 0)
            output(rt, standard(rt, "stdout"), try WidePrintf.format(rt, format: f.int(0), args: &a), f)
        },
        "vwprintf": { rt, f in
            var a = try f.vaList(at: f.int(1))
            output(rt, standard(rt, "stdout"), try WidePrintf.format(rt, format: f.int(0), args: &a), f)
        },
        "fwprintf": { rt, f in
            var a = try f.variadic(afterInts: 2, floats: 0)
            let text = try WidePrintf.format(rt, format: f.int(1), args: &a)
            output(rt, try stream(rt, f, 0), text, f)
        },
        "vfwprintf": { rt, f in
            var a = try f.vaList(at: f.int(2))
            let text = try WidePrintf.format(rt, format: f.int(1), args: &a)
            output(rt, try stream(rt, f, 0), text, f)
        },
        "swprintf": { rt, f in
            var a = try f.variadic(afterInts: 3, floats: 0)
            try storeBounded(rt, try WidePrintf.format(rt, format: f.int(2), args: &a), to: f.int(0), size: f.size(1), f)
        },
        "vswprintf": { rt, f in
            var a = try f.vaList(at: f.int(3))
            try storeBounded(rt, try WidePrintf.format(rt, format: f.int(2), args: &a), to: f.int(0), size: f.size(1), f)
        },
        "getwc_unlocked": { rt, f in get(rt, f, try stream(rt, f, 0)) },
        "fgetwc_unlocked": { rt, f in get(rt, f, try stream(rt, f, 0)) },
        "getwchar_unlocked": { rt, f in get(rt, f, standard(rt, "stdin")) },
        "putwc_unlocked": { rt, f in put(rt, f, try LibcWideString.wchar(f, 0), try stream(rt, f, 1), checked: false) },
        "fputwc_unlocked": { rt, f in put(rt, f, try LibcWideString.wchar(f, 0), try stream(rt, f, 1)) },
        "putwchar_unlocked": { rt, f in put(rt, f, try LibcWideString.wchar(f, 0), standard(rt, "stdout"), checked: false) },
        "fgetws_unlocked": { rt, f in try functions["fgetws"].map { try $0(rt, f) } },
        "fputws_unlocked": { rt, f in try functions["fputws"].map { try $0(rt, f) } },
    ]
}

/// The `wprintf` format engine: strings and characters are converted here (widths and
/// precisions count wide characters, as glibc's), numeric conversions are formatted by the
/// narrow engine (``Printf``, the host's `snprintf`) and widened. Positional arguments
/// (`%1$d`) are not supported in wide formats (the call fails with EINVAL).
enum WidePrintf {
    static func ascii(_ c: wchar_t) -> UInt8? { c >= 0 && c < 0x80 ? UInt8(c) : nil }

    /// The formatted text, or nil (errno set) on an encoding error or an unsupported format.
    static func format(_ rt: LibcRuntime, format: UInt64, args: inout any VariadicArguments) throws -> [wchar_t]? {
        let n = try rt.memory.wideLength(format)
        let fmt = UnsafeBufferPointer(start: try rt.memory.wideBuffer(format, n, write: false), count: n)
        var out: [wchar_t] = []
        var i = 0
        func char(_ c: Character) -> wchar_t { wchar_t(c.unicodeScalars.first!.value) }
        while i < n {
            let c = fmt[i]
            i += 1
            guard c == char("%") else { out.append(c); continue }
            guard i < n else { out.append(c); break }
            let start = i - 1
            var flags: [UInt8] = [], leftAlign = false
            while i < n, let a = ascii(fmt[i]), "-+ #0'".utf8.contains(a) {
                if a == UInt8(ascii: "-") { leftAlign = true }
                flags.append(a); i += 1
            }
            var width: Int? = nil, precision: Int? = nil
            if i < n && fmt[i] == char("*") {
                i += 1
                let w = Int(Int32(truncatingIfNeeded: try args.nextInt()))
                if w < 0 { leftAlign = true; flags.append(UInt8(ascii: "-")) }
                width = Swift.min(Swift.abs(w), 1 << 24)
            } else {
                var w = 0, any = false
                while i < n, let d = ascii(fmt[i]), d >= 0x30, d <= 0x39 { w = Swift.min(w * 10 + Int(d - 0x30), 1 << 24); any = true; i += 1 }
                if i < n && fmt[i] == char("$") { rt.setErrno(EINVAL); return nil }
                if any { width = w }
            }
            if i < n && fmt[i] == char(".") {
                i += 1
                if i < n && fmt[i] == char("*") {
                    i += 1
                    let p = Int(Int32(truncatingIfNeeded: try args.nextInt()))
                    precision = p < 0 ? nil : Swift.min(p, 1 << 24)
                } else {
                    var p = 0
                    while i < n, let d = ascii(fmt[i]), d >= 0x30, d <= 0x39 { p = Swift.min(p * 10 + Int(d - 0x30), 1 << 24); i += 1 }
                    precision = p
                }
            }
            var length: [UInt8] = []
            while i < n, let a = ascii(fmt[i]), "hlLqjzZt".utf8.contains(a) { length.append(a); i += 1 }
            guard i < n, let conv = ascii(fmt[i]) else { out.append(contentsOf: fmt[start..<Swift.min(i, n)]); break }
            i += 1
            let isLong = length == [UInt8(ascii: "l")]
            func pad(_ text: [wchar_t]) {
                let fill = Swift.max(0, (width ?? 0) - text.count)
                if !leftAlign { out.append(contentsOf: repeatElement(wchar_t(32), count: fill)) }
                out.append(contentsOf: text)
                if leftAlign { out.append(contentsOf: repeatElement(wchar_t(32), count: fill)) }
            }
            switch conv {
            case UInt8(ascii: "%"):
                out.append(char("%"))
            case UInt8(ascii: "s"), UInt8(ascii: "S"):
                let p = try args.nextInt()
                let limit = precision ?? Int.max
                if p == 0 {
                    // glibc prints "(null)" for a null string unless the precision is too short for it.
                    pad(limit < 6 ? [] : "(null)".unicodeScalars.map { wchar_t($0.value) })
                } else if isLong || conv == UInt8(ascii: "S") {
                    let len = try rt.memory.boundedWideLength(p, limit, mustTerminate: precision == nil)
                    pad(Array(UnsafeBufferPointer(start: try rt.memory.wideBuffer(p, len, write: false), count: len)))
                } else {
                    guard let text = try decode(rt, p, limit: limit) else { return nil }
                    pad(text)
                }
            case UInt8(ascii: "c"), UInt8(ascii: "C"):
                let v = try args.nextInt()
                if isLong || conv == UInt8(ascii: "C") {
                    pad([wchar_t(truncatingIfNeeded: v)])
                } else {
                    let w = btowc(Int32(UInt8(truncatingIfNeeded: v)))
                    guard w != WEOF else { rt.setErrno(EILSEQ); return nil }
                    pad([wchar_t(bitPattern: w)])
                }
            case UInt8(ascii: "n"):
                let p = try args.nextInt()
                switch length {
                case [UInt8(ascii: "h"), UInt8(ascii: "h")]: try rt.memory.store(UInt8(truncatingIfNeeded: out.count), at: p)
                case [UInt8(ascii: "h")]: try rt.memory.store(UInt16(truncatingIfNeeded: out.count), at: p)
                case []: try rt.memory.store(UInt32(truncatingIfNeeded: out.count), at: p)
                default: try rt.memory.store(UInt64(out.count), at: p)
                }
            case UInt8(ascii: "d"), UInt8(ascii: "i"), UInt8(ascii: "o"), UInt8(ascii: "u"), UInt8(ascii: "x"), UInt8(ascii: "X"),
                 UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "f"), UInt8(ascii: "F"), UInt8(ascii: "g"), UInt8(ascii: "G"),
                 UInt8(ascii: "a"), UInt8(ascii: "A"), UInt8(ascii: "p"), UInt8(ascii: "m"):
                // One narrow directive (the stars already resolved) through the narrow engine.
                var spec = [UInt8(ascii: "%")] + flags
                if let width { spec += Array(String(width).utf8) }
                if let precision { spec += [UInt8(ascii: ".")] + Array(String(precision).utf8) }
                spec += length + [conv, 0]
                guard spec.count <= 96 else { rt.setErrno(EINVAL); return nil }
                let scratch = try rt.staticObject("wprintf.directive", size: 96)
                try rt.memory.write(spec, at: scratch)
                let bytes = try Printf.format(rt, format: scratch, args: &args)
                out.append(contentsOf: bytes.map { wchar_t($0) })   // digits, signs, "inf", "(nil)", strerror texts
            default:
                out.append(contentsOf: fmt[start..<i])
            }
        }
        return out
    }

    /// The multibyte string at `address` as wide characters (at most `limit`), or nil with
    /// EILSEQ when it is not valid in the guest's locale.
    static func decode(_ rt: LibcRuntime, _ address: UInt64, limit: Int) throws -> [wchar_t]? {
        var out: [wchar_t] = []
        var p = address
        var state = mbstate_t()
        while out.count < limit {
            let (r, wc) = try LibcWideConvert.convertOne(rt, p, Int.max, &state)   // incomplete: faults
            if r == LibcWideConvert.failed { return nil }
            if r == 0 { break }
            out.append(wc)
            p &+= r
        }
        return out
    }
}
