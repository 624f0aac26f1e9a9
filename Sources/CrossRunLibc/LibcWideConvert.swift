import CPosixLib
#if canImport(Glibc)
import Glibc
#endif

extension CallFrame {
    /// Returns an `unsigned int` (`wint_t`): sign-extended like every 32-bit value on riscv64
    /// (LP64 keeps 32-bit values sign-extended in registers), which x86-64 and aarch64 ignore.
    func returnUInt32(_ value: UInt32) { returnInt32(Int32(bitPattern: value)) }
}

/// Multibyte ↔ wide conversions, widths, wide number parsing and wctype.h. The trap
/// dispatcher has installed the guest's locale, so the host's functions answer for the guest's
/// LC_CTYPE (glibc's C or C.UTF-8).
enum LibcWideConvert {
    static let failed = UInt64.max       // (size_t)-1
    static let incomplete = UInt64.max - 1   // (size_t)-2

    /// Runs `body` on a host copy of the guest's `mbstate_t` at `address` (glibc's 8-byte
    /// layout on every target), or on the function's hidden state when `address` is 0; nil
    /// (EINVAL) when the guest's state is neither initial nor one the host left there under
    /// the current locale. (glibc trusts a state's contents: a forged or foreign one fails an
    /// assertion inside iconv, which would end CrossRun rather than the guest.)
    static func withState<T>(_ rt: LibcRuntime, _ address: UInt64, hidden key: String,
                             _ body: (UnsafeMutablePointer<mbstate_t>) throws -> T) throws -> T? {
        let locale = rt.posix.activeLocale.identity
        var bits: UInt64 = 0
        if address == 0 {
            if let hidden = rt.posix.hiddenStates[key], hidden.locale == locale { bits = Self.bits(of: hidden.state) }
        } else {
            bits = try rt.memory.load(address, as: UInt64.self)
            if bits != 0 {
                guard let known = rt.posix.partialStates[address], known.bits == bits, known.locale == locale else { return nil }
            }
        }
        var state = mbstate_t()
        withUnsafeMutableBytes(of: &state) { $0.storeBytes(of: bits, as: UInt64.self) }
        let result = try body(&state)
        let after = Self.bits(of: state)
        if address == 0 {
            rt.posix.hiddenStates[key] = (state, locale)
        } else {
            try rt.memory.store(after, at: address)
            rt.posix.partialStates[address] = after == 0 ? nil : (after, locale)
        }
        return result
    }

    static func bits(of state: mbstate_t) -> UInt64 {
        withUnsafeBytes(of: state) { $0.loadUnaligned(as: UInt64.self) }
    }

    /// One `mbrtowc` over guest bytes: at most `n` bytes and never past readable memory (a
    /// character that needs bytes beyond it is the fault a native run would take).
    static func convertOne(_ rt: LibcRuntime, _ s: UInt64, _ n: Int, _ state: UnsafeMutablePointer<mbstate_t>) throws -> (result: UInt64, wc: wchar_t) {
        let span = try rt.memory.readableSpan(from: s)
        var wc: wchar_t = 0
        let available = Swift.min(n, span.count)
        let r = mbrtowc(&wc, span.baseAddress?.assumingMemoryBound(to: CChar.self), available, state)
        if r == Int(bitPattern: UInt(failed)) { rt.setErrno(EILSEQ) }
        if r == Int(bitPattern: UInt(incomplete)) && available < n { throw GuestFault(address: s &+ UInt64(span.count), size: 1, access: .read) }
        return (UInt64(UInt(bitPattern: r)), wc)
    }

    static func mbrtowcCall(_ rt: LibcRuntime, _ f: any CallFrame, pwc: UInt64, s: UInt64, n: Int, ps: UInt64, key: String) throws {
        let r = try withState(rt, ps, hidden: key) { st -> UInt64 in
            if s == 0 { return UInt64(UInt(bitPattern: mbrtowc(nil, "", 1, st))) }
            let (r, wc) = try convertOne(rt, s, n, st)
            if r != failed && r != incomplete && pwc != 0 { try rt.memory.store(Int32(bitPattern: UInt32(bitPattern: wc)), at: pwc) }
            return r
        }
        if r == nil { rt.setErrno(EINVAL) }
        f.returnInt(r ?? failed)
    }

    /// mbsrtowcs/mbsnrtowcs: converts the guest string at `*srcp` (at most `sourceLimit` bytes)
    /// into at most `len` wide characters at `dst` (or counts them when `dst` is 0).
    static func toWide(_ rt: LibcRuntime, dst: UInt64, srcp: UInt64, sourceLimit: Int, len: Int, ps: UInt64, key: String) throws -> UInt64 {
        var p = try rt.memory.load(srcp, as: UInt64.self)
        let r = try withState(rt, ps, hidden: key) { st -> UInt64 in
            var count = 0, remaining = sourceLimit
            while dst == 0 || count < len {
                guard remaining > 0 else { break }
                let (r, wc) = try convertOne(rt, p, remaining, st)
                if r == failed { return failed }
                if r == incomplete {
                    p &+= UInt64(remaining); remaining = 0   // the state keeps the partial character
                    break
                }
                if dst != 0 { try rt.memory.store(Int32(bitPattern: UInt32(bitPattern: wc)), at: dst &+ UInt64(4 * count)) }
                if r == 0 { p = 0; return UInt64(count) }
                p &+= r; remaining -= Int(r); count += 1
            }
            return UInt64(count)
        }
        if r == nil { rt.setErrno(EINVAL); return failed }
        if dst != 0 { try rt.memory.store(p, at: srcp) }
        return r ?? failed
    }

    /// wcsrtombs/wcsnrtombs: converts the wide string at `*srcp` (at most `sourceLimit`
    /// characters) into at most `len` bytes at `dst` (or counts them when `dst` is 0).
    static func toMultibyte(_ rt: LibcRuntime, dst: UInt64, srcp: UInt64, sourceLimit: Int, len: Int, ps: UInt64, key: String) throws -> UInt64 {
        var p = try rt.memory.load(srcp, as: UInt64.self)
        let r = try withState(rt, ps, hidden: key) { st -> UInt64 in
            var total = 0, consumed = 0
            var buffer = [CChar](repeating: 0, count: 16)
            while consumed < sourceLimit {
                let wc = wchar_t(try rt.memory.load(p, as: Int32.self))
                let saved = st.pointee
                let r = wcrtomb(&buffer, wc, st)
                if r == Int(bitPattern: UInt(failed)) { rt.setErrno(EILSEQ); return failed }
                if dst != 0 {
                    if total + r > len { st.pointee = saved; break }
                    try buffer.withUnsafeBytes { try rt.memory.write(UnsafeRawBufferPointer(rebasing: $0[0..<r]), at: dst &+ UInt64(total)) }
                }
                if wc == 0 { p = 0; return UInt64(total) }
                total += r; consumed += 1; p &+= 4
            }
            return UInt64(total)
        }
        if r == nil { rt.setErrno(EINVAL); return failed }
        if dst != 0 { try rt.memory.store(p, at: srcp) }
        return r ?? failed
    }

    /// wcsto* over a checked guest wide string; `*endptr` becomes a guest address.
    static func parse<T>(_ rt: LibcRuntime, _ f: any CallFrame, _ body: (UnsafePointer<wchar_t>, UnsafeMutablePointer<UnsafeMutablePointer<wchar_t>?>) -> T) throws -> T {
        let s = try f.int(0), endOut = try f.int(1)
        let host = try rt.memory.wideString(s)
        var end: UnsafeMutablePointer<wchar_t>?
        errno = 0
        let v = body(host, &end)
        if errno != 0 { rt.setErrno(errno) }
        if endOut != 0, let end { try rt.memory.store(LibcWideString.guest(end, base: s, hostBase: host), at: endOut) }
        return v
    }

    static let functions: [String: HostFunction] = [
        "btowc": { _, f in f.returnUInt32(btowc(try f.int32(0))) },
        "wctob": { _, f in f.returnInt32(wctob(wint_t(truncatingIfNeeded: try f.int(0)))) },
        "mbsinit": { rt, f in
            let ps = try f.int(0)
            f.returnInt32(try withState(rt, ps, hidden: "mbsinit") { mbsinit($0) } ?? 0)
        },
        "mbrtowc": { rt, f in try mbrtowcCall(rt, f, pwc: f.int(0), s: f.int(1), n: f.size(2), ps: f.int(3), key: "mbrtowc") },
        "mbrlen": { rt, f in try mbrtowcCall(rt, f, pwc: 0, s: f.int(0), n: f.size(1), ps: f.int(2), key: "mbrlen") },
        "wcrtomb": { rt, f in
            let s = try f.int(0), wc = try LibcWideString.wchar(f, 1)
            let r = try withState(rt, try f.int(2), hidden: "wcrtomb") { st -> UInt64 in
                var buffer = [CChar](repeating: 0, count: 16)
                let n = wcrtomb(&buffer, s == 0 ? 0 : wc, st)
                if n == Int(bitPattern: UInt(failed)) { rt.setErrno(EILSEQ); return failed }
                if s != 0 { try buffer.withUnsafeBytes { try rt.memory.write(UnsafeRawBufferPointer(rebasing: $0[0..<n]), at: s) } }
                return UInt64(n)
            }
            if r == nil { rt.setErrno(EINVAL) }
            f.returnInt(r ?? failed)
        },
        "mbsrtowcs": { rt, f in
            f.returnInt(try toWide(rt, dst: f.int(0), srcp: f.int(1), sourceLimit: Int.max, len: f.size(2), ps: f.int(3), key: "mbsrtowcs"))
        },
        "mbsnrtowcs": { rt, f in
            f.returnInt(try toWide(rt, dst: f.int(0), srcp: f.int(1), sourceLimit: f.size(2), len: f.size(3), ps: f.int(4), key: "mbsnrtowcs"))
        },
        "wcsrtombs": { rt, f in
            f.returnInt(try toMultibyte(rt, dst: f.int(0), srcp: f.int(1), sourceLimit: Int.max, len: f.size(2), ps: f.int(3), key: "wcsrtombs"))
        },
        "wcsnrtombs": { rt, f in
            f.returnInt(try toMultibyte(rt, dst: f.int(0), srcp: f.int(1), sourceLimit: f.size(2), len: f.size(3), ps: f.int(4), key: "wcsnrtombs"))
        },
        // The stdlib.h forms: a fresh state each call, the source pointer in a scratch cell.
        "mbstowcs": { rt, f in
            let cell = try rt.staticObject("mbstowcs.src", size: 8)
            try rt.memory.store(try f.int(1), at: cell)
            rt.posix.hiddenStates["mbstowcs"] = nil
            f.returnInt(try toWide(rt, dst: f.int(0), srcp: cell, sourceLimit: Int.max, len: f.size(2), ps: 0, key: "mbstowcs"))
        },
        "wcstombs": { rt, f in
            let cell = try rt.staticObject("wcstombs.src", size: 8)
            try rt.memory.store(try f.int(1), at: cell)
            rt.posix.hiddenStates["wcstombs"] = nil
            f.returnInt(try toMultibyte(rt, dst: f.int(0), srcp: cell, sourceLimit: Int.max, len: f.size(2), ps: 0, key: "wcstombs"))
        },
        "mbtowc": { rt, f in
            let pwc = try f.int(0), s = try f.int(1), n = try f.size(2)
            if s == 0 { rt.posix.hiddenStates["mbtowc"] = nil; f.returnInt32(0); return }   // stateless encodings
            let r = try withState(rt, 0, hidden: "mbtowc") { st in try convertOne(rt, s, n, st) }
            guard let (result, wc) = r, result != failed, result != incomplete else {
                rt.posix.hiddenStates["mbtowc"] = nil
                rt.setErrno(EILSEQ); f.returnInt32(-1); return
            }
            if pwc != 0 { try rt.memory.store(Int32(bitPattern: UInt32(bitPattern: wc)), at: pwc) }
            f.returnInt32(Int32(result))
        },
        "mblen": { rt, f in
            // glibc's mblen: a NUL first byte is 0 whatever n is; else a fresh mbrtowc.
            let s = try f.int(0), n = try f.size(1)
            if s == 0 { f.returnInt32(0); return }
            if try rt.memory.load(s, as: UInt8.self) == 0 { f.returnInt32(0); return }
            var st = mbstate_t()
            let (result, _) = try convertOne(rt, s, n, &st)
            f.returnInt32(result == failed || result == incomplete ? -1 : Int32(result))
        },
        "wctomb": { rt, f in
            let s = try f.int(0), wc = try LibcWideString.wchar(f, 1)
            if s == 0 { f.returnInt32(0); return }
            var buffer = [CChar](repeating: 0, count: 16)
            var st = mbstate_t()
            let n = wcrtomb(&buffer, wc, &st)
            if n == Int(bitPattern: UInt(failed)) { rt.setErrno(EILSEQ); f.returnInt32(-1); return }
            try buffer.withUnsafeBytes { try rt.memory.write(UnsafeRawBufferPointer(rebasing: $0[0..<n]), at: s) }
            f.returnInt32(Int32(n))
        },
        "wcwidth": { _, f in f.returnInt32(crossrun_wcwidth(try LibcWideString.wchar(f, 0))) },
        "wcswidth": { rt, f in
            let a = try f.int(0), n = try f.size(1)
            let len = try rt.memory.boundedWideLength(a, n)
            f.returnInt32(len == 0 ? 0 : crossrun_wcswidth(try rt.memory.wideBuffer(a, len, write: false), len))
        },
        "wcstol": { rt, f in let b = try f.int32(2); f.returnSigned(Int64(try parse(rt, f) { wcstol($0, $1, b) })) },
        "wcstoll": { rt, f in let b = try f.int32(2); f.returnSigned(Int64(try parse(rt, f) { wcstoll($0, $1, b) })) },
        "wcstoul": { rt, f in let b = try f.int32(2); f.returnInt(UInt64(try parse(rt, f) { wcstoul($0, $1, b) })) },
        "wcstoull": { rt, f in let b = try f.int32(2); f.returnInt(UInt64(try parse(rt, f) { wcstoull($0, $1, b) })) },
        "wcstod": { rt, f in f.returnDouble(try parse(rt, f) { wcstod($0, $1) }) },
        "wcstof": { rt, f in f.returnFloat(try parse(rt, f) { wcstof($0, $1) }) },
    ]
}

/// wctype.h: the host's classification under the guest's locale. `wctype_t`/`wctrans_t`
/// values given to the guest are small indices (a host pointer must never come back from it).
enum LibcWideClass {
    static let classes = ["alnum", "alpha", "blank", "cntrl", "digit", "graph", "lower", "print", "punct", "space", "upper", "xdigit"]

    static func wrap(_ fn: @escaping @Sendable (wint_t) -> Int32) -> HostFunction {
        { _, f in f.returnInt32(fn(wint_t(truncatingIfNeeded: try f.int(0)))) }
    }

    static let functions: [String: HostFunction] = [
        "iswalnum": wrap(iswalnum), "iswalpha": wrap(iswalpha), "iswblank": wrap(iswblank), "iswcntrl": wrap(iswcntrl),
        "iswdigit": wrap(iswdigit), "iswgraph": wrap(iswgraph), "iswlower": wrap(iswlower), "iswprint": wrap(iswprint),
        "iswpunct": wrap(iswpunct), "iswspace": wrap(iswspace), "iswupper": wrap(iswupper), "iswxdigit": wrap(iswxdigit),
        "towlower": { _, f in f.returnUInt32(towlower(wint_t(truncatingIfNeeded: try f.int(0)))) },
        "towupper": { _, f in f.returnUInt32(towupper(wint_t(truncatingIfNeeded: try f.int(0)))) },
        "wctype": { rt, f in
            let name = try rt.memory.string(f.int(0))
            f.returnInt(classes.firstIndex(of: name).map { UInt64($0 + 1) } ?? 0)
        },
        "iswctype": { _, f in
            let wc = wint_t(truncatingIfNeeded: try f.int(0)), d = try f.int(1)
            guard d >= 1, d <= UInt64(classes.count) else { f.returnInt32(0); return }
            f.returnInt32(iswctype(wc, wctype(classes[Int(d) - 1])))
        },
        "wctrans": { rt, f in
            let name = try rt.memory.string(f.int(0))
            f.returnInt(name == "tolower" ? 1 : name == "toupper" ? 2 : 0)
        },
        "towctrans": { _, f in
            let wc = wint_t(truncatingIfNeeded: try f.int(0)), d = try f.int(1)
            f.returnUInt32(d == 1 ? towlower(wc) : d == 2 ? towupper(wc) : wc)
        },
    ]
}
