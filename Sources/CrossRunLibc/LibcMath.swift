#if canImport(Glibc)
import Glibc
#endif

/// math.h: the host's libm, so results are bit-identical to a native run.
enum LibcMath {
    static func d1(_ fn: @escaping (Double) -> Double) -> HostFunction { { _, f in f.returnDouble(fn(try f.double(0))) } }
    static func d2(_ fn: @escaping (Double, Double) -> Double) -> HostFunction { { _, f in f.returnDouble(fn(try f.double(0), try f.double(1))) } }
    static func f1(_ fn: @escaping (Float) -> Float) -> HostFunction { { _, f in f.returnFloat(fn(try f.float(0))) } }
    static func f2(_ fn: @escaping (Float, Float) -> Float) -> HostFunction { { _, f in f.returnFloat(fn(try f.float(0), try f.float(1))) } }

    static let functions: [String: HostFunction] = {
        var t: [String: HostFunction] = [:]
        let unary: [(String, (Double) -> Double, (Float) -> Float)] = [
            ("sin", sin, sinf), ("cos", cos, cosf), ("tan", tan, tanf), ("asin", asin, asinf), ("acos", acos, acosf),
            ("atan", atan, atanf), ("sinh", sinh, sinhf), ("cosh", cosh, coshf), ("tanh", tanh, tanhf),
            ("asinh", asinh, asinhf), ("acosh", acosh, acoshf), ("atanh", atanh, atanhf), ("exp", exp, expf),
            ("exp2", exp2, exp2f), ("expm1", expm1, expm1f), ("log", log, logf), ("log10", log10, log10f),
            ("log2", log2, log2f), ("log1p", log1p, log1pf), ("logb", logb, logbf), ("sqrt", sqrt, sqrtf),
            ("cbrt", cbrt, cbrtf), ("fabs", fabs, fabsf), ("floor", floor, floorf), ("ceil", ceil, ceilf),
            ("trunc", trunc, truncf), ("round", round, roundf), ("rint", rint, rintf), ("nearbyint", nearbyint, nearbyintf),
            ("erf", erf, erff), ("erfc", erfc, erfcf), ("tgamma", tgamma, tgammaf), ("lgamma", lgamma, lgammaf),
        ]
        for (name, d, fl) in unary { t[name] = d1(d); t[name + "f"] = f1(fl) }
        let binary: [(String, (Double, Double) -> Double, (Float, Float) -> Float)] = [
            ("pow", pow, powf), ("atan2", atan2, atan2f), ("fmod", fmod, fmodf), ("hypot", hypot, hypotf),
            ("fmin", fmin, fminf), ("fmax", fmax, fmaxf), ("fdim", fdim, fdimf), ("copysign", copysign, copysignf),
            ("remainder", remainder, remainderf), ("nextafter", nextafter, nextafterf),
        ]
        for (name, d, fl) in binary { t[name] = d2(d); t[name + "f"] = f2(fl) }
        t["fma"] = { _, f in f.returnDouble(fma(try f.double(0), try f.double(1), try f.double(2))) }
        t["fmaf"] = { _, f in f.returnFloat(fmaf(try f.float(0), try f.float(1), try f.float(2))) }
        t["ldexp"] = { _, f in f.returnDouble(ldexp(try f.double(0), try f.int32(0))) }
        t["ldexpf"] = { _, f in f.returnFloat(ldexpf(try f.float(0), try f.int32(0))) }
        t["scalbn"] = { _, f in f.returnDouble(scalbn(try f.double(0), try f.int32(0))) }
        t["frexp"] = { rt, f in
            var e: Int32 = 0
            let r = frexp(try f.double(0), &e)
            try rt.memory.store(e, at: f.int(0))
            f.returnDouble(r)
        }
        t["modf"] = { rt, f in
            var ip = 0.0
            let r = modf(try f.double(0), &ip)
            try rt.memory.storeDouble(ip, at: f.int(0))
            f.returnDouble(r)
        }
        t["ilogb"] = { _, f in f.returnInt32(ilogb(try f.double(0))) }
        t["lround"] = { _, f in f.returnSigned(Int64(lround(try f.double(0)))) }
        t["llround"] = { _, f in f.returnSigned(Int64(llround(try f.double(0)))) }
        t["lrint"] = { _, f in f.returnSigned(Int64(lrint(try f.double(0)))) }
        t["llrint"] = { _, f in f.returnSigned(Int64(llrint(try f.double(0)))) }
        t["nan"] = { _, f in f.returnDouble(Double.nan) }
        return t
    }()
}
