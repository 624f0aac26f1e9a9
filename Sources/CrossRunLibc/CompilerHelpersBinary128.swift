#if arch(x86_64)
import CHostQuad
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The compiler helpers for IEEE binary128 `long double` (aarch64 and riscv64 guests):
/// arithmetic, comparisons, conversions, `__powitf2` and complex multiply/divide, computed by
/// the host's libgcc soft-fp routines of the same names (correctly rounded, and saturating
/// where a conversion overflows, as a guest's libgcc would). x86-64 guests only reach these
/// through `__float128`, whose register passing the host side does not model: they stop
/// with a message instead of computing on the wrong bits.
enum CompilerHelpersBinary128 {
    #if arch(x86_64)
    typealias Quad = crossrun_quad

    static func arg(_ f: any CallFrame, _ i: Int) throws -> Quad { LibcBinary128.quad(try f.longDouble(i)) }
    static func ret(_ f: any CallFrame, _ v: Quad) { f.returnLongDouble((v.lo, v.hi)) }

    /// A helper that only binary128 guests may call.
    static func binary128(_ name: String, _ body: @escaping HostFunction) -> HostFunction {
        { rt, f in
            guard rt.longDoubleIsBinary128 else {
                throw GuestTermination.signal(SIGILL, "\(name): __float128 arithmetic is not supported for x86-64 guests")
            }
            try body(rt, f)
        }
    }

    static func arithmetic(_ op: @escaping @Sendable (Quad, Quad) -> Quad) -> HostFunction {
        { _, f in ret(f, op(try arg(f, 0), try arg(f, 1))) }
    }
    static func comparison(_ op: @escaping @Sendable (Quad, Quad) -> Int32) -> HostFunction {
        { _, f in f.returnInt32(op(try arg(f, 0), try arg(f, 1))) }
    }
    static func complex(_ op: @escaping @Sendable (Quad, Quad, Quad, Quad, UnsafeMutablePointer<Quad>?) -> Void) -> HostFunction {
        { _, frame in
            let f = frame.returningComplexLongDouble()
            var out = [Quad(lo: 0, hi: 0), Quad(lo: 0, hi: 0)]
            op(try arg(f, 0), try arg(f, 1), try arg(f, 2), try arg(f, 3), &out)
            f.returnComplexLongDouble((out[0].lo, out[0].hi), (out[1].lo, out[1].hi))
        }
    }
    static func int128(_ f: any CallFrame, _ op: (Quad, UnsafeMutablePointer<UInt64>?) -> Void) throws {
        var out: [UInt64] = [0, 0]
        op(try arg(f, 0), &out)
        f.returnPair(out[0], out[1])
    }

    static let helpers: [String: HostFunction] = [
        "__addtf3": arithmetic(crossrun_q_add),
        "__subtf3": arithmetic(crossrun_q_sub),
        "__multf3": arithmetic(crossrun_q_mul),
        "__divtf3": arithmetic(crossrun_q_div),
        "__negtf2": { _, f in ret(f, crossrun_q_neg(try arg(f, 0))) },
        "__eqtf2": comparison(crossrun_q_eq),
        "__netf2": comparison(crossrun_q_ne),
        "__lttf2": comparison(crossrun_q_lt),
        "__letf2": comparison(crossrun_q_le),
        "__gttf2": comparison(crossrun_q_gt),
        "__getf2": comparison(crossrun_q_ge),
        "__unordtf2": comparison(crossrun_q_unord),
        // compiler-rt's three-way compare (libgcc has none): -1, 0, 1, and 1 when unordered.
        "__cmptf2": comparison { a, b in crossrun_q_unord(a, b) != 0 ? 1 : crossrun_q_le(a, b).signum() },
        "__extenddftf2": { _, f in ret(f, crossrun_q_from_double(try f.double(0))) },
        "__extendsftf2": { _, f in ret(f, crossrun_q_from_float(try f.float(0))) },
        "__trunctfdf2": { _, f in f.returnDouble(crossrun_q_to_double(try arg(f, 0))) },
        "__trunctfsf2": { _, f in f.returnFloat(crossrun_q_to_float(try arg(f, 0))) },
        "__fixtfsi": { _, f in f.returnInt32(crossrun_q_to_int32(try arg(f, 0))) },
        "__fixtfdi": { _, f in f.returnSigned(crossrun_q_to_int64(try arg(f, 0))) },
        "__fixtfti": { _, f in try int128(f, crossrun_q_to_int128) },
        // An unsigned int result is still sign-extended from bit 31 on riscv64.
        "__fixunstfsi": { _, f in f.returnInt32(Int32(bitPattern: crossrun_q_to_uint32(try arg(f, 0)))) },
        "__fixunstfdi": { _, f in f.returnInt(crossrun_q_to_uint64(try arg(f, 0))) },
        "__fixunstfti": { _, f in try int128(f, crossrun_q_to_uint128) },
        "__floatsitf": { _, f in ret(f, crossrun_q_from_int32(try f.int32(0))) },
        "__floatditf": { _, f in ret(f, crossrun_q_from_int64(try f.long(0))) },
        "__floattitf": { _, f in ret(f, crossrun_q_from_int128(try f.int(0), try f.int(1))) },
        "__floatunsitf": { _, f in ret(f, crossrun_q_from_uint32(UInt32(truncatingIfNeeded: try f.int(0)))) },
        "__floatunditf": { _, f in ret(f, crossrun_q_from_uint64(try f.int(0))) },
        "__floatuntitf": { _, f in ret(f, crossrun_q_from_uint128(try f.int(0), try f.int(1))) },
        "__powitf2": { _, f in ret(f, crossrun_q_powi(try arg(f, 0), try f.skipping(longDoubles: 1, doubles: 0).int32(0))) },
        "__multc3": complex(crossrun_q_mulc),
        "__divtc3": complex(crossrun_q_divc),
    ]

    static let functions: [String: HostFunction] = Dictionary(uniqueKeysWithValues: helpers.map { ($0.key, binary128($0.key, $0.value)) })
    #else
    static let functions: [String: HostFunction] = [:]
    #endif
}
