import CHostMath
#if canImport(Glibc)
import Glibc
#endif

/// The compiler-rt/libgcc helpers clang calls for 128-bit integers and complex numbers.
/// 128-bit arguments arrive as (low, high) pairs of integer arguments on every target.
enum CompilerHelpers {
    static func u128(_ f: any CallFrame, _ i: Int) throws -> UInt128 {
        UInt128(try f.int(i + 1)) << 64 | UInt128(try f.int(i))
    }
    static func i128(_ f: any CallFrame, _ i: Int) throws -> Int128 { Int128(bitPattern: try u128(f, i)) }
    static func ret(_ f: any CallFrame, _ v: UInt128) { f.returnPair(UInt64(truncatingIfNeeded: v), UInt64(truncatingIfNeeded: v >> 64)) }
    static func ret(_ f: any CallFrame, _ v: Int128) { ret(f, UInt128(bitPattern: v)) }
    /// Division by zero traps in libgcc too: report it as the guest's SIGFPE.
    static func nonZero<T: BinaryInteger>(_ v: T) throws {
        if v == 0 { throw GuestTermination.signal(SIGFPE, "integer divide by zero") }
    }

    static func complexDouble(_ f: any CallFrame, _ op: (Double, Double, Double, Double, UnsafeMutablePointer<Double>?) -> Void) throws {
        var out: [Double] = [0, 0]
        op(try f.double(0), try f.double(1), try f.double(2), try f.double(3), &out)
        f.returnComplexDouble(out[0], out[1])
    }

    static func complexFloat(_ f: any CallFrame, _ op: (Float, Float, Float, Float, UnsafeMutablePointer<Float>?) -> Void) throws {
        var out: [Float] = [0, 0]
        op(try f.float(0), try f.float(1), try f.float(2), try f.float(3), &out)
        f.returnComplexFloat(out[0], out[1])
    }

    /// libgcc's `__powi*f2`: square-and-multiply, reciprocal for negative exponents (so the
    /// rounding matches a native run).
    static func powi<T: BinaryFloatingPoint>(_ base: T, _ m: Int32) -> T {
        var x = base, n = m.magnitude
        var r: T = n % 2 == 1 ? x : 1
        n /= 2
        while n > 0 {
            x *= x
            if n % 2 == 1 { r *= x }
            n /= 2
        }
        return m < 0 ? 1 / r : r
    }

    static let functions: [String: HostFunction] = [
        "__divti3": { _, f in
            let a = try i128(f, 0), b = try i128(f, 2)
            try nonZero(b)
            ret(f, a.dividedReportingOverflow(by: b).partialValue)
        },
        "__modti3": { _, f in
            let a = try i128(f, 0), b = try i128(f, 2)
            try nonZero(b)
            ret(f, a.remainderReportingOverflow(dividingBy: b).partialValue)
        },
        "__udivti3": { _, f in
            let a = try u128(f, 0), b = try u128(f, 2)
            try nonZero(b)
            ret(f, a / b)
        },
        "__umodti3": { _, f in
            let a = try u128(f, 0), b = try u128(f, 2)
            try nonZero(b)
            ret(f, a % b)
        },
        "__udivmodti4": { rt, f in
            let a = try u128(f, 0), b = try u128(f, 2), remainder = try f.int(4)
            try nonZero(b)
            if remainder != 0 {
                let r = a % b
                try rt.memory.store(UInt64(truncatingIfNeeded: r), at: remainder)
                try rt.memory.store(UInt64(truncatingIfNeeded: r >> 64), at: remainder + 8)
            }
            ret(f, a / b)
        },
        "__multi3": { _, f in ret(f, try u128(f, 0) &* u128(f, 2)) },
        "__negti2": { _, f in ret(f, 0 &- (try u128(f, 0))) },
        "__popcountti2": { _, f in f.returnInt32(Int32(try u128(f, 0).nonzeroBitCount)) },
        // `__clear_cache(begin, end)`: a JIT's freshly written code (tcc -run on aarch64)
        // must not run from stale translations; an empty or reversed range does nothing.
        "__clear_cache": { rt, f in
            let begin = try f.int(0), end = try f.int(1)
            if end > begin { rt.mapper?.dropTranslations(begin, end - begin) }
        },
        "__popcountdi2": { _, f in f.returnInt32(Int32(try f.int(0).nonzeroBitCount)) },
        "__clzti2": { _, f in f.returnInt32(Int32(try u128(f, 0).leadingZeroBitCount)) },
        "__ctzti2": { _, f in f.returnInt32(Int32(try u128(f, 0).trailingZeroBitCount)) },
        "__ffsti2": { _, f in let v = try u128(f, 0); f.returnInt32(v == 0 ? 0 : Int32(v.trailingZeroBitCount + 1)) },
        "__parityti2": { _, f in f.returnInt32(Int32(try u128(f, 0).nonzeroBitCount & 1)) },
        "__floattidf": { _, f in f.returnDouble(Double(try i128(f, 0))) },
        "__floatuntidf": { _, f in f.returnDouble(Double(try u128(f, 0))) },
        "__floattisf": { _, f in f.returnFloat(Float(try i128(f, 0))) },
        "__floatuntisf": { _, f in f.returnFloat(Float(try u128(f, 0))) },
        "__fixdfti": { _, f in
            let d = try f.double(0)
            ret(f, d.isNaN ? Int128(0) : d >= 0x1p127 ? Int128.max : d < -0x1p127 ? Int128.min : Int128(d))
        },
        "__fixunsdfti": { _, f in
            let d = try f.double(0)
            ret(f, d.isNaN || d <= 0 ? UInt128(0) : d >= 0x1p128 ? UInt128.max : UInt128(d))
        },
        "__fixsfti": { _, f in
            let d = Double(try f.float(0))
            ret(f, d.isNaN ? Int128(0) : d >= 0x1p127 ? Int128.max : d < -0x1p127 ? Int128.min : Int128(d))
        },
        "__fixunssfti": { _, f in
            let d = Double(try f.float(0))
            ret(f, d.isNaN || d <= 0 ? UInt128(0) : d >= 0x1p128 ? UInt128.max : UInt128(d))
        },
        "__muldc3": { _, f in try complexDouble(f, crossrun_muldc3) },
        "__divdc3": { _, f in try complexDouble(f, crossrun_divdc3) },
        "__mulsc3": { _, f in try complexFloat(f, crossrun_mulsc3) },
        "__divsc3": { _, f in try complexFloat(f, crossrun_divsc3) },
        "__powidf2": { _, f in f.returnDouble(powi(try f.double(0), try f.int32(0))) },
        "__powisf2": { _, f in f.returnFloat(powi(try f.float(0), try f.int32(0))) },
    ]
}
