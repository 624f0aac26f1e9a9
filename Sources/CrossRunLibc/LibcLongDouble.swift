#if canImport(Glibc)
import Glibc
#endif

/// math.h's `long double` forms and `strtold`, dispatched on the guest's format: on x86-64
/// guests `long double` is the x87 format, which the x86-64 host computes natively with its
/// own libm (bit-identical results); aarch64 and riscv64 guests have IEEE binary128, served
/// by ``LibcBinary128``. Like the `double` forms, they pass the errno libm sets on to the guest.
enum LibcLongDouble {
    /// Every `long double` function: the x87 or the binary128 implementation, per guest.
    static let functions: [String: HostFunction] = {
        var t: [String: HostFunction] = [:]
        for name in Set(x87.keys).union(LibcBinary128.functions.keys) {
            let x87Function = x87[name], binary128Function = LibcBinary128.functions[name]
            t[name] = LibcMath.withErrno { rt, f in
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
    /// Stores an x87 value in guest memory: its 10 bytes (the rest of the 16-byte slot is padding).
    static func store(_ rt: LibcRuntime, _ v: LD, at address: UInt64) throws {
        let bits = LongDouble.x87Bits(v)
        try rt.memory.store(bits.0, at: address)
        try rt.memory.store(UInt16(truncatingIfNeeded: bits.1), at: address + 8)
    }

    /// The x87 implementations (x86-64 guests): the host libm's own `*l` symbols (see ``HostLibm``).
    static let x87: [String: HostFunction] = {
        typealias L = HostLibm
        typealias L1 = @convention(c) (LD) -> LD
        typealias L2 = @convention(c) (LD, LD) -> LD
        typealias L3 = @convention(c) (LD, LD, LD) -> LD
        typealias Sign = UnsafeMutablePointer<Int32>
        var t: [String: HostFunction] = [:]
        func add<T>(_ name: String, _ type: T.Type, _ make: (T) -> HostFunction) {
            if let fn = L.function(name, type) { t[name] = make(fn) }
        }
        for name in LibcMath.unaryNames {
            add(name + "l", L1.self) { fn in { rt, f in ret(f, fn(try arg(rt, f, 0))) } }
        }
        for name in LibcMath.binaryNames + ["nexttoward"] {
            add(name + "l", L2.self) { fn in { rt, f in ret(f, fn(try arg(rt, f, 0), try arg(rt, f, 1))) } }
        }
        add("fmal", L3.self) { fn in { rt, f in ret(f, fn(try arg(rt, f, 0), try arg(rt, f, 1), try arg(rt, f, 2))) } }
        for name in ["ldexpl", "scalbnl"] {
            add(name, (@convention(c) (LD, Int32) -> LD).self) { fn in { rt, f in ret(f, fn(try arg(rt, f, 0), try f.int32(0))) } }
        }
        add("scalblnl", (@convention(c) (LD, Int) -> LD).self) { fn in { rt, f in ret(f, fn(try arg(rt, f, 0), Int(try f.long(0)))) } }
        for name in ["jnl", "ynl"] {
            add(name, (@convention(c) (Int32, LD) -> LD).self) { fn in { rt, f in ret(f, fn(try f.int32(0), try arg(rt, f, 0))) } }
        }
        add("ilogbl", (@convention(c) (LD) -> Int32).self) { fn in { rt, f in f.returnInt32(fn(try arg(rt, f, 0))) } }
        for name in ["lroundl", "llroundl", "lrintl", "llrintl"] {
            add(name, (@convention(c) (LD) -> Int).self) { fn in { rt, f in f.returnSigned(Int64(fn(try arg(rt, f, 0)))) } }
        }
        add("nanl", (@convention(c) (UnsafePointer<CChar>) -> LD).self) { fn in
            { rt, f in ret(f, fn(try LibcString.cstr(rt.memory, f.int(0)))) }
        }
        if let fn = L.function("lgammal_r", (@convention(c) (LD, Sign) -> LD).self) {
            t["lgammal"] = { rt, f in
                var sign: Int32 = 0
                let r = fn(try arg(rt, f, 0), &sign)
                try LibcMath.setSigngam(rt, sign)
                ret(f, r)
            }
            t["lgammal_r"] = { rt, f in
                var sign: Int32 = 0
                let r = fn(try arg(rt, f, 0), &sign)
                try rt.memory.store(sign, at: f.int(0))
                ret(f, r)
            }
        }
        t["gammal"] = t["lgammal"]   // glibc's legacy name
        add("frexpl", (@convention(c) (LD, Sign) -> LD).self) { fn in
            { rt, f in
                var e: Int32 = 0
                let r = fn(try arg(rt, f, 0), &e)
                try rt.memory.store(e, at: f.int(0))
                ret(f, r)
            }
        }
        add("remquol", (@convention(c) (LD, LD, Sign) -> LD).self) { fn in
            { rt, f in
                var q = try rt.memory.load(f.int(0), as: Int32.self)   // glibc leaves it alone when the result is NaN
                let r = fn(try arg(rt, f, 0), try arg(rt, f, 1), &q)
                try rt.memory.store(q, at: f.int(0))
                ret(f, r)
            }
        }
        add("modfl", (@convention(c) (LD, UnsafeMutablePointer<LD>) -> LD).self) { fn in
            { rt, f in
                var ip: LD = 0
                let r = fn(try arg(rt, f, 0), &ip)
                try store(rt, ip, at: f.int(0))
                ret(f, r)
            }
        }
        add("sincosl", (@convention(c) (LD, UnsafeMutablePointer<LD>, UnsafeMutablePointer<LD>) -> Void).self) { fn in
            { rt, f in
                var s: LD = 0, c: LD = 0
                fn(try arg(rt, f, 0), &s, &c)
                try store(rt, s, at: f.int(0))
                try store(rt, c, at: f.int(1))
            }
        }
        // nexttoward(double, long double) / nexttowardf(float, long double).
        add("nexttoward", (@convention(c) (Double, LD) -> Double).self) { fn in
            { rt, f in f.returnDouble(fn(try f.double(0), try arg(rt, f, 0))) }
        }
        add("nexttowardf", (@convention(c) (Float, LD) -> Float).self) { fn in
            { rt, f in f.returnFloat(fn(try f.float(0), try arg(rt, f, 0))) }
        }
        t["strtold"] = { rt, f in ret(f, try LibcConvert.parse(rt, f) { strtold($0, $1) }) }
        t["wcstold"] = { rt, f in ret(f, try LibcWideTime.parseNarrowed(rt, f) { strtold($0, $1) }) }
        return t
    }()
    #else
    static let x87: [String: HostFunction] = [:]
    #endif
}
