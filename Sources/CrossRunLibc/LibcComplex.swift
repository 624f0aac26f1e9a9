import CHostMath
#if arch(x86_64)
import CHostQuad
#endif
#if canImport(Glibc)
import Glibc
#endif

/// `<complex.h>` for emulated guests: the host side of `runtime/complex.c`. The guest runtime's
/// entry points (compiled for the target, so clang applies each ABI's complex calling
/// convention) split every value into parts and call one host function each, with plain
/// arguments: `__crossrun_NAME(double re, double im, double *out)`, `__crossrun_NAMEf` with
/// floats, `__crossrun_NAMEl(const long double *z, long double *out)` with the two parts in guest
/// memory in the guest's `long double` format (`cpow` takes a second operand the same way).
/// The host computes with its libm's own function (`CHostMath/hostcomplex.c`), the one a native
/// run binds, so double, float and x87 `long double` results are bit for bit the native ones;
/// binary128 `long double` (aarch64, riscv64) uses glibc's `*f128` complex functions, the code
/// those targets' glibc runs. `out` gets the two parts, or one value for `cabs` and `carg`; the
/// errno libm sets is the guest's, as for math.h.
enum LibcComplex {
    /// Functions from a complex value to a complex value (`clog10` is GNU's).
    static let unaryNames = ["cacos", "casin", "catan", "ccos", "csin", "ctan", "cacosh", "casinh", "catanh",
                             "ccosh", "csinh", "ctanh", "cexp", "clog", "clog10", "csqrt"]
    /// Functions from a complex value to a real one.
    static let realNames = ["cabs", "carg"]
    /// Every function the host computes, in double form (`creal`, `cimag`, `conj` and `cproj`
    /// only move parts: the guest runtime does them itself).
    static let hostNames = unaryNames + realNames + ["cpow"]

    /// The host calls' names as the guest imports them, in every precision.
    static let trampolineNames: [String] = hostNames.flatMap { ["__crossrun_" + $0, "__crossrun_\($0)f", "__crossrun_\($0)l"] }

    typealias DoubleCall = @convention(c) (Double, Double, UnsafeMutablePointer<Double>?) -> Void
    typealias DoublePairCall = @convention(c) (Double, Double, Double, Double, UnsafeMutablePointer<Double>?) -> Void
    typealias FloatCall = @convention(c) (Float, Float, UnsafeMutablePointer<Float>?) -> Void
    typealias FloatPairCall = @convention(c) (Float, Float, Float, Float, UnsafeMutablePointer<Float>?) -> Void
    typealias X87Call = @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?) -> Void
    typealias X87PairCall = @convention(c) (UnsafeRawPointer?, UnsafeRawPointer?, UnsafeMutableRawPointer?) -> Void

    /// The host implementation of `name` ("cexp", "cexpf", "cexpl") as a C function of type `T`.
    static func host<T>(_ name: String, _ type: T.Type) -> T? {
        crossrun_complex_function(name).map { unsafeBitCast($0, to: T.self) }
    }

    static let functions: [String: HostFunction] = {
        var t: [String: HostFunction] = [:]
        for name in hostNames {
            let pair = name == "cpow", results = realNames.contains(name) ? 1 : 2
            if pair {
                if let fn = host(name, DoublePairCall.self) {
                    t["__crossrun_" + name] = { rt, f in
                        let a = try f.double(0), b = try f.double(1), c = try f.double(2), d = try f.double(3)
                        try store(rt, call(2, 0.0) { fn(a, b, c, d, $0) }, at: f.int(0))
                    }
                }
                if let fn = host(name + "f", FloatPairCall.self) {
                    t["__crossrun_\(name)f"] = { rt, f in
                        let a = try f.float(0), b = try f.float(1), c = try f.float(2), d = try f.float(3)
                        try store(rt, call(2, Float(0)) { fn(a, b, c, d, $0) }, at: f.int(0))
                    }
                }
            } else {
                if let fn = host(name, DoubleCall.self) {
                    t["__crossrun_" + name] = { rt, f in
                        let re = try f.double(0), im = try f.double(1)
                        try store(rt, call(results, 0.0) { fn(re, im, $0) }, at: f.int(0))
                    }
                }
                if let fn = host(name + "f", FloatCall.self) {
                    t["__crossrun_\(name)f"] = { rt, f in
                        let re = try f.float(0), im = try f.float(1)
                        try store(rt, call(results, Float(0)) { fn(re, im, $0) }, at: f.int(0))
                    }
                }
            }
            t["__crossrun_\(name)l"] = longDouble(name + "l", operands: pair ? 2 : 1, results: results)
        }
        return t.mapValues(LibcMath.withErrno)
    }()

    /// Runs `body` with a host buffer of `count` values and returns them.
    static func call<T>(_ count: Int, _ zero: T, _ body: (UnsafeMutablePointer<T>) -> Void) -> [T] {
        var out = [T](repeating: zero, count: count)
        out.withUnsafeMutableBufferPointer { buffer in
            if let base = buffer.baseAddress { body(base) }
        }
        return out
    }

    /// Writes `values` contiguously at the guest's `address` (one checked range).
    static func store<T: BinaryFloatingPoint>(_ rt: LibcRuntime, _ values: [T], at address: UInt64) throws {
        let bytes = values.withUnsafeBytes { Array($0) }
        try rt.memory.write(bytes, at: address)
    }

    /// The `long double` form: operands and result are two parts 16 bytes apart in guest memory
    /// (`long double _Complex`), each 10 meaningful bytes (x87) or 16 (binary128). Only those
    /// bytes are read and written, as native code loading and storing the values would.
    static func longDouble(_ name: String, operands: Int, results: Int) -> HostFunction {
        let x87One = operands == 1 ? host(name, X87Call.self) : nil, x87Pair = operands == 2 ? host(name, X87PairCall.self) : nil
        #if arch(x86_64)
        nonisolated(unsafe) let binary128 = crossrun_q_complex_function(name)
        #endif
        return { rt, f in
            let wide = rt.longDoubleIsBinary128
            let partSize = wide ? 16 : 10
            // One aligned host scratch area, zeroed: z at 0, w at 32, the result at 64.
            let scratch = UnsafeMutableRawPointer.allocate(byteCount: 96, alignment: 16)
            defer { scratch.deallocate() }
            scratch.initializeMemory(as: UInt8.self, repeating: 0, count: 96)
            let z = scratch, w = scratch + 32, out = scratch + 64
            try read(rt, f.int(0), size: partSize, into: z)
            if operands == 2 { try read(rt, f.int(1), size: partSize, into: w) }
            if wide {
                #if arch(x86_64)
                guard let binary128 else { throw unsupported(name) }
                crossrun_q_complex_call(binary128, z.assumingMemoryBound(to: crossrun_quad.self),
                                        w.assumingMemoryBound(to: crossrun_quad.self), out.assumingMemoryBound(to: crossrun_quad.self))
                #else
                throw unsupported(name)
                #endif
            } else if operands == 2 {
                guard let x87Pair else { throw unsupported(name) }
                x87Pair(z, w, out)
            } else {
                guard let x87One else { throw unsupported(name) }
                x87One(z, out)
            }
            let result = try f.int(operands)
            for part in 0..<results {
                try rt.memory.write(UnsafeRawBufferPointer(start: out + part * 16, count: partSize),
                                    at: try offset(result, part, access: .write))
            }
        }
    }

    /// Reads the two parts of a guest `long double _Complex` (`size` bytes each, 16 apart) into
    /// the host's 16-byte slots at `buffer`.
    static func read(_ rt: LibcRuntime, _ address: UInt64, size: Int, into buffer: UnsafeMutableRawPointer) throws {
        for part in 0..<2 {
            let bytes = try rt.memory.bytes(try offset(address, part, access: .read), size)
            (buffer + part * 16).copyMemory(from: bytes.baseAddress ?? UnsafeRawPointer(buffer), byteCount: bytes.count)
        }
    }

    /// The address of part `part` (16 bytes each) of the value at `address`: a guest fault, not a
    /// host trap, when it would pass the end of the address space.
    static func offset(_ address: UInt64, _ part: Int, access: GuestFault.Access) throws -> UInt64 {
        let (sum, overflow) = address.addingReportingOverflow(UInt64(part) * 16)
        if overflow { throw GuestFault(address: address, size: 32, access: access) }
        return sum
    }

    static func unsupported(_ name: String) -> GuestTermination {
        .signal(SIGILL, "\(name) is not supported for this guest's long double format on this host")
    }
}

extension HostLibc {
    /// The guest runtime's complex host calls (`runtime/complex.c`), as the guest imports them:
    /// `__crossrun_NAME`, `NAMEf` and `NAMEl` for every function the host computes.
    /// `RuntimeSymbols.complexHostCalls` (the import table's side) lists the same names.
    public static let complexHostCalls: [String] = LibcComplex.trampolineNames

    /// Natively, the guest runtime's complex host calls (`__crossrun_cexp` …) are the same C
    /// functions the emulator calls (`CHostMath/hostcomplex.c`): the native loader binds them,
    /// so an image linked with `runtime/complex.c` also runs natively (images built for a native
    /// run bind the host libm's `cexp` & co. directly and do not refer to them).
    public static let nativeComplexFunctions: [String: UInt64] = {
        var table: [String: UInt64] = [:]
        for name in complexHostCalls {
            let base = String(name.dropFirst("__crossrun_".count))
            if let fn = crossrun_complex_function(base) { table[name] = UInt64(UInt(bitPattern: fn)) }
        }
        return table
    }()
}
