#if arch(x86_64)
import CHostQuad
#endif
#if canImport(Glibc)
import Glibc
#endif

/// math.h's `long double` functions, `strtold` and the `L` conversions of printf/scanf for
/// guests whose `long double` is IEEE binary128 (aarch64, riscv64). On an x86-64 host they
/// run glibc's own binary128 code (libm's `*f128` functions, `strtof128`, and libquadmath's
/// copy of glibc's printf_fp), so results are those of glibc on aarch64.
/// Values travel as their two little-endian 64-bit words (low word first).
enum LibcBinary128 {
    /// The one-argument functions, by their guest names (all have glibc `*f128` counterparts).
    static let unaryNames = [
        "sinl", "cosl", "tanl", "asinl", "acosl", "atanl", "sinhl", "coshl", "tanhl", "asinhl", "acoshl", "atanhl",
        "expl", "exp2l", "expm1l", "logl", "log10l", "log2l", "log1pl", "logbl", "sqrtl", "cbrtl", "fabsl", "floorl",
        "ceill", "truncl", "roundl", "rintl", "nearbyintl", "erfl", "erfcl", "tgammal", "exp10l", "j0l", "j1l", "y0l",
        "y1l",
    ]
    /// The two-argument functions (`nexttowardl` is `nextafterl` when `long double` is binary128).
    static let binaryNames = [
        "powl", "atan2l", "fmodl", "hypotl", "fminl", "fmaxl", "fdiml", "copysignl", "remainderl", "nextafterl",
        "nexttowardl",
    ]

    #if arch(x86_64)
    /// Whether the host can compute in binary128 (x86-64 hosts, through `__float128`).
    static let available = true

    typealias Quad = crossrun_quad

    static func quad(_ words: (UInt64, UInt64)) -> Quad { Quad(lo: words.0, hi: words.1) }
    static func arg(_ f: any CallFrame, _ i: Int) throws -> Quad { quad(try f.longDouble(i)) }
    static func ret(_ f: any CallFrame, _ v: Quad) { f.returnLongDouble((v.lo, v.hi)) }
    /// The frame past `count` leading `long double` arguments (where the pointer or integer
    /// arguments that follow them are found).
    static func after(_ f: any CallFrame, _ count: Int) -> any CallFrame { f.skipping(longDoubles: count, doubles: 0) }

    /// Stores a binary128 value in guest memory (16 bytes, low word first).
    static func store(_ memory: any GuestMemory, _ v: Quad, at address: UInt64) throws {
        try memory.write([UInt8](withUnsafeBytes(of: v) { Array($0) }), at: address)
    }

    static let functions: [String: HostFunction] = {
        var t: [String: HostFunction] = [:]
        for name in unaryNames {
            guard let found = crossrun_q_function1(name) else { continue }
            nonisolated(unsafe) let fn = found   // a libm entry point: immutable
            t[name] = { _, f in ret(f, crossrun_q_call1(fn, try arg(f, 0))) }
        }
        for name in binaryNames {
            guard let found = crossrun_q_function2(name) else { continue }
            nonisolated(unsafe) let fn = found
            t[name] = { _, f in ret(f, crossrun_q_call2(fn, try arg(f, 0), try arg(f, 1))) }
        }
        t["fmal"] = { _, f in ret(f, crossrun_q_fma(try arg(f, 0), try arg(f, 1), try arg(f, 2))) }
        t["ldexpl"] = { _, f in ret(f, crossrun_q_ldexp(try arg(f, 0), try after(f, 1).int32(0))) }
        t["scalbnl"] = { _, f in ret(f, crossrun_q_ldexp(try arg(f, 0), try after(f, 1).int32(0))) }
        t["scalblnl"] = { _, f in ret(f, crossrun_q_scalbln(try arg(f, 0), Int(try after(f, 1).long(0)))) }
        t["ilogbl"] = { rt, f in
            let x = try arg(f, 0)
            let isNaN = x.hi & 0x7fff_ffff_ffff_ffff > 0x7fff_0000_0000_0000 || (x.hi & 0x7fff_ffff_ffff_ffff == 0x7fff_0000_0000_0000 && x.lo != 0)
            f.returnInt32(LibcMath.ilogbResult(rt, crossrun_q_ilogb(x), isNaN: isNaN))
        }
        t["lroundl"] = { _, f in f.returnSigned(Int64(crossrun_q_lround(try arg(f, 0)))) }
        t["llroundl"] = { _, f in f.returnSigned(Int64(crossrun_q_llround(try arg(f, 0)))) }
        t["lrintl"] = { _, f in f.returnSigned(Int64(crossrun_q_lrint(try arg(f, 0)))) }
        t["llrintl"] = { _, f in f.returnSigned(Int64(crossrun_q_llrint(try arg(f, 0)))) }
        t["lgammal"] = { rt, f in
            var sign: Int32 = 0
            let r = crossrun_q_lgamma(try arg(f, 0), &sign)
            // glibc's lgammal also sets signgam: the guest's, if it uses it.
            if let cell = rt.dataSymbols["signgam"] { try rt.memory.store(sign, at: cell) }
            ret(f, r)
        }
        t["lgammal_r"] = { rt, f in
            var sign: Int32 = 0
            let r = crossrun_q_lgamma(try arg(f, 0), &sign)
            try rt.memory.store(sign, at: after(f, 1).int(0))
            ret(f, r)
        }
        // glibc's legacy names: gammal is lgammal, dreml remainderl; scalbl and significandl
        // have no *f128 form (quad.c follows glibc's generic code).
        t["gammal"] = t["lgammal"]
        t["dreml"] = t["remainderl"]
        t["scalbl"] = { _, f in ret(f, crossrun_q_scalb(try arg(f, 0), try arg(f, 1))) }
        t["significandl"] = { _, f in ret(f, crossrun_q_significand(try arg(f, 0))) }
        // jnl(int, long double): on riscv64 the int takes a0 and the long double a1:a2.
        t["jnl"] = { _, f in ret(f, crossrun_q_jn(try f.int32(0), quad(try f.longDouble(afterInts: 1)))) }
        t["ynl"] = { _, f in ret(f, crossrun_q_yn(try f.int32(0), quad(try f.longDouble(afterInts: 1)))) }
        t["sincosl"] = { rt, f in
            var s = Quad(lo: 0, hi: 0), c = Quad(lo: 0, hi: 0)
            crossrun_q_sincos(try arg(f, 0), &s, &c)
            let rest = after(f, 1)
            try store(rt.memory, s, at: rest.int(0))
            try store(rt.memory, c, at: rest.int(1))
        }
        t["nanl"] = { rt, f in ret(f, crossrun_q_nan(try LibcString.cstr(rt.memory, f.int(0)))) }
        t["frexpl"] = { rt, f in
            var e: Int32 = 0
            let r = crossrun_q_frexp(try arg(f, 0), &e)
            try rt.memory.store(e, at: after(f, 1).int(0))
            ret(f, r)
        }
        t["modfl"] = { rt, f in
            var integral = Quad(lo: 0, hi: 0)
            let r = crossrun_q_modf(try arg(f, 0), &integral)
            try store(rt.memory, integral, at: after(f, 1).int(0))
            ret(f, r)
        }
        t["remquol"] = { rt, f in
            var q = try rt.memory.load(after(f, 2).int(0), as: Int32.self)   // glibc leaves it alone when the result is NaN
            let r = crossrun_q_remquo(try arg(f, 0), try arg(f, 1), &q)
            try rt.memory.store(q, at: after(f, 2).int(0))
            ret(f, r)
        }
        // nexttoward(double, long double) / nexttowardf(float, long double): the long double
        // comes after one floating argument.
        t["nexttoward"] = { _, f in
            f.returnDouble(crossrun_q_nexttoward(try f.double(0), try arg(f.skipping(longDoubles: 0, doubles: 1), 0)))
        }
        t["nexttowardf"] = { _, f in
            f.returnFloat(crossrun_q_nexttowardf(try f.float(0), try arg(f.skipping(longDoubles: 0, doubles: 1), 0)))
        }
        t["strtold"] = { rt, f in ret(f, try LibcConvert.parse(rt, f) { crossrun_q_strtod($0, $1) }) }
        t["wcstold"] = { rt, f in ret(f, try LibcWideTime.parseNarrowed(rt, f) { crossrun_q_strtod($0, $1) }) }
        return t
    }()

    /// One printf conversion of a binary128 value: `spec` is `%[flags][width][.precision]`
    /// and `conversion` one of `aAeEfFgG`. Needs libquadmath.so.0 on the host.
    static func format(_ spec: [UInt8], _ conversion: UInt8, _ words: (UInt64, UInt64)) throws -> [UInt8]? {
        let cspec = (spec + [UInt8(ascii: "Q"), conversion]).map { CChar(bitPattern: $0) } + [0]
        let value = quad(words)
        var buffer = [CChar](repeating: 0, count: 128)
        var needed = crossrun_q_format(&buffer, buffer.count, cspec, value)
        if needed == -2 {
            let why = crossrun_q_quadmath_error().map { String(cString: $0) } ?? "not found"
            throw GuestTermination.signal(SIGILL, "printf of a binary128 long double needs libquadmath.so.0 on the host (\(why))")
        }
        // Like vsnprintf past INT_MAX: refuse absurd widths rather than allocate gigabytes.
        guard needed >= 0, needed < 1 << 26 else { return [] }
        if Int(needed) >= buffer.count {
            buffer = [CChar](repeating: 0, count: Int(needed) + 1)
            needed = crossrun_q_format(&buffer, buffer.count, cspec, value)
            guard needed >= 0, Int(needed) < buffer.count else { return [] }
        }
        return buffer[0..<Int(needed)].map { UInt8(bitPattern: $0) }
    }

    /// `strtold` on a host string: the value and how many characters it used (0: no number).
    static func parse(_ text: UnsafePointer<CChar>) -> (value: (UInt64, UInt64), consumed: Int) {
        var end: UnsafeMutablePointer<CChar>?
        let v = crossrun_q_strtod(text, &end)
        return ((v.lo, v.hi), end.map { text.distance(to: UnsafePointer($0)) } ?? 0)
    }
    #else
    static let available = false
    static let functions: [String: HostFunction] = [:]
    /// Without `__float128` on the host, printf falls back to an approximation.
    static func format(_ spec: [UInt8], _ conversion: UInt8, _ words: (UInt64, UInt64)) throws -> [UInt8]? { nil }
    static func parse(_ text: UnsafePointer<CChar>) -> (value: (UInt64, UInt64), consumed: Int) { ((0, 0), 0) }
    #endif
}
