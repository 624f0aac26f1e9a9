import CPosixLib
#if canImport(Glibc)
import Glibc
#endif

/// `<uchar.h>` (C11): UTF-16 and UTF-32 code units from and to the guest locale's multibyte
/// characters. `char32_t` is glibc's `wchar_t` (UCS-4), so the 32-bit pair is the wide
/// conversion; the 16-bit pair is the host's, whose state (a pending surrogate) lives in the
/// guest's `mbstate_t` as the wide conversions' does. Each has its own hidden state for a
/// NULL `ps`, as in glibc.
enum LibcUchar {
    typealias Convert = LibcWideConvert

    /// c32rtomb/c16rtomb: the bytes for one code unit written at `s` (NULL: the reset
    /// sequence into a scratch buffer); (size_t)-1 with EILSEQ for an invalid unit.
    static func toMultibyte(_ rt: LibcRuntime, _ f: any CallFrame, key: String,
                            _ convert: (UnsafeMutablePointer<CChar>, UnsafeMutablePointer<mbstate_t>) -> Int) throws {
        let s = try f.int(0)
        let r = try Convert.withState(rt, try f.int(2), hidden: key) { st -> UInt64 in
            var buffer = [CChar](repeating: 0, count: 16)
            let n = buffer.withUnsafeMutableBufferPointer { convert($0.baseAddress!, st) }
            if n == Int(bitPattern: UInt(Convert.failed)) { rt.setErrno(EILSEQ); return Convert.failed }
            if s != 0 { try buffer.withUnsafeBytes { try rt.memory.write(UnsafeRawBufferPointer(rebasing: $0[0..<n]), at: s) } }
            return UInt64(n)
        }
        if r == nil { rt.setErrno(EINVAL) }
        f.returnInt(r ?? Convert.failed)
    }

    static let functions: [String: HostFunction] = [
        "mbrtoc32": { rt, f in try Convert.mbrtowcCall(rt, f, pwc: f.int(0), s: f.int(1), n: f.size(2), ps: f.int(3), key: "mbrtoc32") },
        "c32rtomb": { rt, f in
            let s = try f.int(0), c = wchar_t(truncatingIfNeeded: try f.int(1))
            try toMultibyte(rt, f, key: "c32rtomb") { buffer, st in wcrtomb(buffer, s == 0 ? 0 : c, st) }
        },
        "mbrtoc16": { rt, f in
            let out = try f.int(0), s = try f.int(1), n = try f.size(2)
            let r = try Convert.withState(rt, try f.int(3), hidden: "mbrtoc16") { st -> UInt64 in
                var unit: UInt16 = 0
                if s == 0 { return UInt64(UInt(bitPattern: crossrun_mbrtoc16(&unit, "", 1, st))) }
                let span = try rt.memory.readableSpan(from: s)
                let available = min(n, span.count)
                let r = UInt64(UInt(bitPattern: crossrun_mbrtoc16(&unit, span.baseAddress?.assumingMemoryBound(to: CChar.self), available, st)))
                if r == Convert.failed { rt.setErrno(EILSEQ); return r }
                if r == Convert.incomplete {
                    if available < n { throw GuestFault(address: s &+ UInt64(span.count), size: 1, access: .read) }
                    return r
                }
                if out != 0 { try rt.memory.store(unit, at: out) }
                return r
            }
            if r == nil { rt.setErrno(EINVAL) }
            f.returnInt(r ?? Convert.failed)
        },
        "c16rtomb": { rt, f in
            let s = try f.int(0), c = UInt16(truncatingIfNeeded: try f.int(1))
            try toMultibyte(rt, f, key: "c16rtomb") { buffer, st in crossrun_c16rtomb(buffer, s == 0 ? 0 : c, st) }
        },
    ]
}
