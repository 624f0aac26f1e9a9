import CHostMath

/// The x87 `long double` compiler helpers (x86-64 guests on an x86-64 host), computed by the
/// host's libgcc.
enum CompilerHelpersX87 {
    #if arch(x86_64)
    /// A guest long double argument as a 16-byte host buffer.
    static func buffer(_ f: any CallFrame, _ i: Int) throws -> [UInt64] {
        let v = try f.longDouble(i)
        return [v.0, v.1]
    }

    static func longDoubleResult(_ body: (UnsafeMutableRawPointer) -> Void) -> (UInt64, UInt64) {
        var out: [UInt64] = [0, 0]
        out.withUnsafeMutableBytes { body($0.baseAddress!) }
        return (out[0], out[1])
    }

    static func complex(_ f: any CallFrame, _ op: (UnsafeRawPointer?, UnsafeRawPointer?, UnsafeRawPointer?, UnsafeRawPointer?,
                                                   UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Void) throws {
        let a = try buffer(f, 0), b = try buffer(f, 1), c = try buffer(f, 2), d = try buffer(f, 3)
        var re: [UInt64] = [0, 0], im: [UInt64] = [0, 0]
        op(a, b, c, d, &re, &im)
        f.returnComplexLongDouble((re[0], re[1]), (im[0], im[1]))
    }

    static let functions: [String: HostFunction] = [
        "__fixxfti": { _, f in
            var out: [UInt64] = [0, 0]
            crossrun_fixxfti(try buffer(f, 0), &out)
            f.returnPair(out[0], out[1])
        },
        "__fixunsxfti": { _, f in
            var out: [UInt64] = [0, 0]
            crossrun_fixunsxfti(try buffer(f, 0), &out)
            f.returnPair(out[0], out[1])
        },
        "__floattixf": { _, f in
            let lo = try f.int(0), hi = try f.int(1)
            f.returnLongDouble(longDoubleResult { crossrun_floattixf(lo, hi, $0) })
        },
        "__floatuntixf": { _, f in
            let lo = try f.int(0), hi = try f.int(1)
            f.returnLongDouble(longDoubleResult { crossrun_floatuntixf(lo, hi, $0) })
        },
        "__powixf2": { _, f in
            let x = try buffer(f, 0), n = try f.int32(0)
            f.returnLongDouble(longDoubleResult { crossrun_powixf2(x, n, $0) })
        },
        "__mulxc3": { _, f in try complex(f, crossrun_mulxc3) },
        "__divxc3": { _, f in try complex(f, crossrun_divxc3) },
    ]
    #else
    static let functions: [String: HostFunction] = [:]
    #endif
}
