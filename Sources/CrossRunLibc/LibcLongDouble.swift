#if canImport(Glibc)
import Glibc
#endif

/// math.h's `long double` forms and `strtold`, dispatched on the guest's format: on x86-64
/// guests `long double` is the x87 format, which the x86-64 host computes natively with its
/// own libm (bit-identical results); aarch64 and riscv64 guests have IEEE binary128, served
/// by ``LibcBinary128``.
enum LibcLongDouble {
    /// Every `long double` function: the x87 or the binary128 implementation, per guest.
    static let functions: [String: HostFunction] = {
        var t: [String: HostFunction] = [:]
        for name in Set(x87.keys).union(LibcBinary128.functions.keys) {
            let x87Function = x87[name], binary128Function = LibcBinary128.functions[name]
            t[name] = { rt, f in
                guard let fn = rt.longDoubleIsBinary128 ? binary128Function : x87Function else {
                    throw GuestTermination.signal(SIGILL, "\(name) is not supported for this guest's long double format")
                }
                try fn(rt, f)
            }
        }
        return t
    }()

    #if arch(x86_64)
    typealias LD = Float80

    static func arg(_ rt: LibcRuntime, _ f: any CallFrame, _ i: Int) throws -> LD {
        LongDouble.x87(try f.longDouble(i))
    }
    static func ret(_ f: any CallFrame, _ v: LD) { f.returnLongDouble(LongDouble.x87Bits(v)) }

    static func l1(_ fn: @escaping (LD) -> LD) -> HostFunction { { rt, f in ret(f, fn(try arg(rt, f, 0))) } }
    static func l2(_ fn: @escaping (LD, LD) -> LD) -> HostFunction { { rt, f in ret(f, fn(try arg(rt, f, 0), try arg(rt, f, 1))) } }

    /// The x87 implementations (x86-64 guests).
    static let x87: [String: HostFunction] = {
        var t: [String: HostFunction] = [:]
        let unary: [(String, (LD) -> LD)] = [
            ("sinl", sinl), ("cosl", cosl), ("tanl", tanl), ("asinl", asinl), ("acosl", acosl), ("atanl", atanl),
            ("sinhl", sinhl), ("coshl", coshl), ("tanhl", tanhl), ("asinhl", asinhl), ("acoshl", acoshl), ("atanhl", atanhl),
            ("expl", expl), ("exp2l", exp2l), ("expm1l", expm1l), ("logl", logl), ("log10l", log10l), ("log2l", log2l),
            ("log1pl", log1pl), ("logbl", logbl), ("sqrtl", sqrtl), ("cbrtl", cbrtl), ("fabsl", fabsl), ("floorl", floorl),
            ("ceill", ceill), ("truncl", truncl), ("roundl", roundl), ("rintl", rintl), ("nearbyintl", nearbyintl),
            ("erfl", erfl), ("erfcl", erfcl), ("tgammal", tgammal), ("lgammal", lgammal),
        ]
        for (name, fn) in unary { t[name] = l1(fn) }
        let binary: [(String, (LD, LD) -> LD)] = [
            ("powl", powl), ("atan2l", atan2l), ("fmodl", fmodl), ("hypotl", hypotl), ("fminl", fminl), ("fmaxl", fmaxl),
            ("fdiml", fdiml), ("copysignl", copysignl), ("remainderl", remainderl), ("nextafterl", nextafterl),
            ("nexttowardl", nexttowardl),
        ]
        for (name, fn) in binary { t[name] = l2(fn) }
        t["fmal"] = { rt, f in ret(f, fmal(try arg(rt, f, 0), try arg(rt, f, 1), try arg(rt, f, 2))) }
        t["ldexpl"] = { rt, f in ret(f, ldexpl(try arg(rt, f, 0), try f.int32(0))) }
        t["scalbnl"] = { rt, f in ret(f, scalbnl(try arg(rt, f, 0), try f.int32(0))) }
        t["scalblnl"] = { rt, f in ret(f, scalblnl(try arg(rt, f, 0), Int(try f.long(0)))) }
        t["ilogbl"] = { rt, f in f.returnInt32(ilogbl(try arg(rt, f, 0))) }
        t["lroundl"] = { rt, f in f.returnSigned(Int64(lroundl(try arg(rt, f, 0)))) }
        t["llroundl"] = { rt, f in f.returnSigned(Int64(llroundl(try arg(rt, f, 0)))) }
        t["lrintl"] = { rt, f in f.returnSigned(Int64(lrintl(try arg(rt, f, 0)))) }
        t["llrintl"] = { rt, f in f.returnSigned(Int64(llrintl(try arg(rt, f, 0)))) }
        t["nanl"] = { _, f in ret(f, LD.nan) }
        t["frexpl"] = { rt, f in
            var e: Int32 = 0
            let r = frexpl(try arg(rt, f, 0), &e)
            try rt.memory.store(e, at: f.int(0))
            ret(f, r)
        }
        t["modfl"] = { rt, f in
            var ip: LD = 0
            let r = modfl(try arg(rt, f, 0), &ip)
            let bits = LongDouble.x87Bits(ip)
            try rt.memory.store(bits.0, at: f.int(0))
            try rt.memory.store(UInt16(truncatingIfNeeded: bits.1), at: f.int(0) + 8)
            ret(f, r)
        }
        t["remquol"] = { rt, f in
            var q: Int32 = 0
            let r = remquol(try arg(rt, f, 0), try arg(rt, f, 1), &q)
            try rt.memory.store(q, at: f.int(0))
            ret(f, r)
        }
        // nexttoward(double, long double) / nexttowardf(float, long double).
        t["nexttoward"] = { rt, f in f.returnDouble(nexttoward(try f.double(0), try arg(rt, f, 0))) }
        t["nexttowardf"] = { rt, f in f.returnFloat(nexttowardf(try f.float(0), try arg(rt, f, 0))) }
        t["strtold"] = { rt, f in ret(f, try LibcConvert.parse(rt, f) { strtold($0, $1) }) }
        return t
    }()
    #else
    static let x87: [String: HostFunction] = [:]
    #endif
}
