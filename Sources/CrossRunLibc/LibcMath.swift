#if canImport(Glibc)
import Glibc
#endif

/// The host's libm symbols, looked up by name: the very functions a native run binds with
/// `dlsym`. Calling them through C function pointers (rather than Swift's `Glibc.fmax` & co.)
/// keeps the compiler from substituting its own code — LLVM lowers `fmax` to `maxnum`, which
/// orders ±0 differently from glibc — and from Swift's generic `<tgmath.h>` overlays.
enum HostLibm {
    nonisolated(unsafe) static let handle = dlopen("libm.so.6", RTLD_NOW)

    /// `name` in libm as a C function of type `T` (nil if the host's libm lacks it).
    static func function<T>(_ name: String, _ type: T.Type) -> T? {
        guard let handle, let p = dlsym(handle, name) else { return nil }
        return unsafeBitCast(p, to: T.self)
    }

    typealias D1 = @convention(c) (Double) -> Double
    typealias D2 = @convention(c) (Double, Double) -> Double
    typealias D3 = @convention(c) (Double, Double, Double) -> Double
    typealias F1 = @convention(c) (Float) -> Float
    typealias F2 = @convention(c) (Float, Float) -> Float
    typealias F3 = @convention(c) (Float, Float, Float) -> Float
}

/// math.h in `double` and `float`: the host's libm (``HostLibm``), so results are
/// bit-identical to a native run. glibc's `math_errhandling` is `MATH_ERRNO | MATH_ERREXCEPT`:
/// the errno a libm call sets on the host becomes the guest's (``withErrno(_:)``), and
/// `lgamma` sets the guest's `signgam`. (The `long double` forms are in ``LibcLongDouble``.)
enum LibcMath {
    /// One-argument functions, each in `double` and (suffix `f`) `float`.
    static let unaryNames = [
        "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "exp", "exp2",
        "expm1", "exp10", "log", "log10", "log2", "log1p", "logb", "sqrt", "cbrt", "fabs", "floor", "ceil", "trunc",
        "round", "rint", "nearbyint", "erf", "erfc", "tgamma", "j0", "j1", "y0", "y1", "significand",
    ]
    /// Two-argument functions (`fmax`/`fmin` are also adjusted per guest: ``zeroMax(_:_:_:max:)``).
    static let binaryNames = [
        "pow", "atan2", "fmod", "hypot", "fmin", "fmax", "fdim", "copysign", "remainder", "nextafter", "drem", "scalb",
    ]

    /// `fn` with the host errno it leaves carried over to the guest's `errno` (untouched when
    /// the call succeeds, as glibc leaves it).
    static func withErrno(_ fn: @escaping HostFunction) -> HostFunction {
        { rt, f in
            errno = 0
            try fn(rt, f)
            let e = errno
            if e != 0 { rt.setErrno(e) }
        }
    }

    /// glibc's `lgamma*` also store the sign of Γ(x) in `signgam`: the guest's, if it has one.
    static func setSigngam(_ rt: LibcRuntime, _ sign: Int32) throws {
        if let cell = rt.dataSymbols["signgam"] { try rt.memory.store(sign, at: cell) }
    }

    /// Whether the guest's glibc is a generic port (aarch64, riscv64: the guests whose `long
    /// double` is binary128) rather than x86's, where libm differs in two defined ways:
    /// `FP_ILOGB0`/`FP_ILOGBNAN` are -INT_MAX/INT_MAX instead of INT_MIN/INT_MIN, and `fmax`/
    /// `fmin` are the CPU's maxNum/minNum (`fmaxnm`, `fmax.d`), which order -0 below +0.
    static func genericPort(_ rt: LibcRuntime) -> Bool { rt.longDoubleIsBinary128 }

    /// An `ilogb` result as the guest's glibc returns it (the host's is x86's INT_MIN for 0 and NaN).
    static func ilogbResult(_ rt: LibcRuntime, _ r: Int32, isNaN: Bool) -> Int32 {
        guard genericPort(rt), r == Int32.min else { return r }
        return isNaN ? Int32.max : -Int32.max
    }

    /// `fmax`/`fmin` of two zeros on generic ports: +0 for max and -0 for min unless both
    /// zeros have the other sign (x86's glibc returns the second argument).
    static func zeroMax<T: BinaryFloatingPoint>(_ rt: LibcRuntime, _ x: T, _ y: T, max: Bool) -> T? {
        guard genericPort(rt), x == 0, y == 0 else { return nil }
        let negative = max ? (x.sign == .minus && y.sign == .minus) : (x.sign == .minus || y.sign == .minus)
        return negative ? -T(0) : T(0)
    }

    static let functions: [String: HostFunction] = table.mapValues(withErrno)

    static let table: [String: HostFunction] = {
        typealias L = HostLibm
        var t: [String: HostFunction] = [:]
        func add<T>(_ name: String, _ type: T.Type, _ make: (T) -> HostFunction) {
            if let fn = L.function(name, type) { t[name] = make(fn) }
        }
        for name in unaryNames {
            add(name, L.D1.self) { fn in { _, f in f.returnDouble(fn(try f.double(0))) } }
            add(name + "f", L.F1.self) { fn in { _, f in f.returnFloat(fn(try f.float(0))) } }
        }
        for name in binaryNames {
            let isMinMax = name == "fmax" || name == "fmin", isMax = name == "fmax"
            add(name, L.D2.self) { fn in
                { rt, f in
                    let x = try f.double(0), y = try f.double(1)
                    f.returnDouble((isMinMax ? zeroMax(rt, x, y, max: isMax) : nil) ?? fn(x, y))
                }
            }
            add(name + "f", L.F2.self) { fn in
                { rt, f in
                    let x = try f.float(0), y = try f.float(1)
                    f.returnFloat((isMinMax ? zeroMax(rt, x, y, max: isMax) : nil) ?? fn(x, y))
                }
            }
        }
        add("fma", L.D3.self) { fn in { _, f in f.returnDouble(fn(try f.double(0), try f.double(1), try f.double(2))) } }
        add("fmaf", L.F3.self) { fn in { _, f in f.returnFloat(fn(try f.float(0), try f.float(1), try f.float(2))) } }

        // (x, int), (x, long) and (int, x).
        typealias DI = @convention(c) (Double, Int32) -> Double
        typealias FI = @convention(c) (Float, Int32) -> Float
        typealias DL = @convention(c) (Double, Int) -> Double
        typealias FL = @convention(c) (Float, Int) -> Float
        typealias ID = @convention(c) (Int32, Double) -> Double
        typealias IF = @convention(c) (Int32, Float) -> Float
        for name in ["ldexp", "scalbn"] {
            add(name, DI.self) { fn in { _, f in f.returnDouble(fn(try f.double(0), try f.int32(0))) } }
            add(name + "f", FI.self) { fn in { _, f in f.returnFloat(fn(try f.float(0), try f.int32(0))) } }
        }
        add("scalbln", DL.self) { fn in { _, f in f.returnDouble(fn(try f.double(0), Int(try f.long(0)))) } }
        add("scalblnf", FL.self) { fn in { _, f in f.returnFloat(fn(try f.float(0), Int(try f.long(0)))) } }
        for name in ["jn", "yn"] {
            add(name, ID.self) { fn in { _, f in f.returnDouble(fn(try f.int32(0), try f.double(0))) } }
            add(name + "f", IF.self) { fn in { _, f in f.returnFloat(fn(try f.int32(0), try f.float(0))) } }
        }

        // Integer results.
        add("ilogb", (@convention(c) (Double) -> Int32).self) { fn in
            { rt, f in let x = try f.double(0); f.returnInt32(ilogbResult(rt, fn(x), isNaN: x.isNaN)) }
        }
        add("ilogbf", (@convention(c) (Float) -> Int32).self) { fn in
            { rt, f in let x = try f.float(0); f.returnInt32(ilogbResult(rt, fn(x), isNaN: x.isNaN)) }
        }
        for name in ["lround", "llround", "lrint", "llrint"] {
            add(name, (@convention(c) (Double) -> Int).self) { fn in { _, f in f.returnSigned(Int64(fn(try f.double(0)))) } }
            add(name + "f", (@convention(c) (Float) -> Int).self) { fn in { _, f in f.returnSigned(Int64(fn(try f.float(0)))) } }
        }

        // nan("tag"): the tag is the payload, as strtod("NAN(tag)") reads it.
        typealias Tag = UnsafePointer<CChar>
        add("nan", (@convention(c) (Tag) -> Double).self) { fn in
            { rt, f in f.returnDouble(fn(try LibcString.cstr(rt.memory, f.int(0)))) }
        }
        add("nanf", (@convention(c) (Tag) -> Float).self) { fn in
            { rt, f in f.returnFloat(fn(try LibcString.cstr(rt.memory, f.int(0)))) }
        }

        // lgamma sets signgam; lgamma_r reports the sign through its pointer instead.
        typealias Sign = UnsafeMutablePointer<Int32>
        if let fn = L.function("lgamma_r", (@convention(c) (Double, Sign) -> Double).self) {
            t["lgamma"] = { rt, f in
                var sign: Int32 = 0
                let r = fn(try f.double(0), &sign)
                try setSigngam(rt, sign)
                f.returnDouble(r)
            }
            t["lgamma_r"] = { rt, f in
                var sign: Int32 = 0
                let r = fn(try f.double(0), &sign)
                try rt.memory.store(sign, at: f.int(0))
                f.returnDouble(r)
            }
        }
        if let fn = L.function("lgammaf_r", (@convention(c) (Float, Sign) -> Float).self) {
            t["lgammaf"] = { rt, f in
                var sign: Int32 = 0
                let r = fn(try f.float(0), &sign)
                try setSigngam(rt, sign)
                f.returnFloat(r)
            }
            t["lgammaf_r"] = { rt, f in
                var sign: Int32 = 0
                let r = fn(try f.float(0), &sign)
                try rt.memory.store(sign, at: f.int(0))
                f.returnFloat(r)
            }
        }

        // glibc's legacy gamma is lgamma (signgam included).
        t["gamma"] = t["lgamma"]
        t["gammaf"] = t["lgammaf"]

        // Results through pointers: int for exponents and quotients, the argument's own type
        // for the parts of modf and sincos.
        add("frexp", (@convention(c) (Double, Sign) -> Double).self) { fn in
            { rt, f in
                var e: Int32 = 0
                let r = fn(try f.double(0), &e)
                try rt.memory.store(e, at: f.int(0))
                f.returnDouble(r)
            }
        }
        add("frexpf", (@convention(c) (Float, Sign) -> Float).self) { fn in
            { rt, f in
                var e: Int32 = 0
                let r = fn(try f.float(0), &e)
                try rt.memory.store(e, at: f.int(0))
                f.returnFloat(r)
            }
        }
        add("remquo", (@convention(c) (Double, Double, Sign) -> Double).self) { fn in
            { rt, f in
                var q = try rt.memory.load(f.int(0), as: Int32.self)   // glibc leaves it alone when the result is NaN
                let r = fn(try f.double(0), try f.double(1), &q)
                try rt.memory.store(q, at: f.int(0))
                f.returnDouble(r)
            }
        }
        add("remquof", (@convention(c) (Float, Float, Sign) -> Float).self) { fn in
            { rt, f in
                var q = try rt.memory.load(f.int(0), as: Int32.self)   // glibc leaves it alone when the result is NaN
                let r = fn(try f.float(0), try f.float(1), &q)
                try rt.memory.store(q, at: f.int(0))
                f.returnFloat(r)
            }
        }
        add("modf", (@convention(c) (Double, UnsafeMutablePointer<Double>) -> Double).self) { fn in
            { rt, f in
                var ip = 0.0
                let r = fn(try f.double(0), &ip)
                try rt.memory.storeDouble(ip, at: f.int(0))
                f.returnDouble(r)
            }
        }
        add("modff", (@convention(c) (Float, UnsafeMutablePointer<Float>) -> Float).self) { fn in
            { rt, f in
                var ip: Float = 0
                let r = fn(try f.float(0), &ip)
                try rt.memory.store(ip.bitPattern, at: f.int(0))
                f.returnFloat(r)
            }
        }
        add("sincos", (@convention(c) (Double, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>) -> Void).self) { fn in
            { rt, f in
                var s = 0.0, c = 0.0
                fn(try f.double(0), &s, &c)
                try rt.memory.storeDouble(s, at: f.int(0))
                try rt.memory.storeDouble(c, at: f.int(1))
            }
        }
        add("sincosf", (@convention(c) (Float, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void).self) { fn in
            { rt, f in
                var s: Float = 0, c: Float = 0
                fn(try f.float(0), &s, &c)
                try rt.memory.store(s.bitPattern, at: f.int(0))
                try rt.memory.store(c.bitPattern, at: f.int(1))
            }
        }
        return t
    }()
}
