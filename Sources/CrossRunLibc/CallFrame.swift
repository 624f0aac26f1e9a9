/// A `va_list`-style cursor over variadic arguments (or a guest `va_list`).
public protocol VariadicArguments {
    /// The next integer or pointer argument.
    mutating func nextInt() throws -> UInt64
    /// The next `double` argument (floats are promoted by the caller).
    mutating func nextDouble() throws -> Double
    /// The next `long double` argument as raw bytes (16 bytes: x87 80-bit or IEEE binary128).
    mutating func nextLongDouble() throws -> (UInt64, UInt64)
}

/// One call from guest code into a host libc function: its arguments and its result, per
/// the guest's calling convention. Integer and floating arguments are numbered separately
/// (the way SysV, AAPCS64 and LP64D assign registers): `int(0)` is the first integer or
/// pointer argument, `double(0)` the first floating one.
///
/// Class-bound: a host function gets its frame as a reference and a witness table, so each
/// argument read or result write is one witness call (a struct frame in an `any CallFrame`
/// box was first projected out of it, a runtime call per access on the trap path). The
/// emulator makes one frame per run; the wrappers below are made only by the few functions
/// that need them.
public protocol CallFrame: AnyObject {
    /// Integer/pointer argument number `index` among the integer arguments.
    func int(_ index: Int) throws -> UInt64
    /// Floating argument number `index` among the floating arguments, as a double.
    func double(_ index: Int) throws -> Double
    /// Floating argument number `index` as a float.
    func float(_ index: Int) throws -> Float
    /// `long double` argument number `index` among the `long double` arguments, as its 16 raw
    /// bytes (x87 80-bit on x86-64, binary128 elsewhere).
    func longDouble(_ index: Int) throws -> (UInt64, UInt64)
    /// The first `long double` argument when `ints` integer arguments come before it and no
    /// other `long double` does (`jnl(int, long double)`): on riscv64 it takes the next two
    /// integer registers; elsewhere integers do not displace it, so it is `longDouble(0)`.
    func longDouble(afterInts ints: Int) throws -> (UInt64, UInt64)
    /// Sets a `long double` result (raw bytes as for ``longDouble(_:)``).
    func returnLongDouble(_ value: (UInt64, UInt64))
    /// The variadic arguments following `ints` named integer and `floats` named floating arguments.
    func variadic(afterInts ints: Int, floats: Int) throws -> any VariadicArguments
    /// A cursor over a guest `va_list` argument (for `vprintf` & co.): `address` is the
    /// argument as passed — the address of the `va_list` object on x86-64 (an array type) and
    /// aarch64 (a 32-byte struct, passed by reference), the cursor itself on riscv64 (a pointer).
    func vaList(at address: UInt64) throws -> any VariadicArguments
    /// Sets an integer or pointer result.
    func returnInt(_ value: UInt64)
    /// Sets a 128-bit integer result (low half in the first return register, high in the second).
    func returnPair(_ low: UInt64, _ high: UInt64)
    /// Sets a `long double _Complex` result.
    func returnComplexLongDouble(_ real: (UInt64, UInt64), _ imaginary: (UInt64, UInt64))
    /// Sets a `double _Complex` result.
    func returnComplexDouble(_ real: Double, _ imaginary: Double)
    /// Sets a `float _Complex` result.
    func returnComplexFloat(_ real: Float, _ imaginary: Float)
    /// Sets a `double` result.
    func returnDouble(_ value: Double)
    /// Sets a `float` result.
    func returnFloat(_ value: Float)
    /// The frame seen past `longDoubles` leading `long double` arguments and then `doubles`
    /// leading `double` ones: its `int(0)`, `double(0)` and `longDouble(0)` are the next
    /// arguments of each kind. (A `long double` travels in memory on x86-64, in a q register on
    /// aarch64 and in a pair of integer registers on riscv64, so what it displaces differs.)
    func skipping(longDoubles: Int, doubles: Int) -> any CallFrame
    /// The frame of a function returning `long double _Complex`: on riscv64 that result is
    /// returned through memory whose address arrives in the first integer register, so the
    /// arguments start one register later; elsewhere the frame itself.
    func returningComplexLongDouble() -> any CallFrame
}

/// A frame whose argument indices start further on: the building block of
/// ``CallFrame/skipping(longDoubles:doubles:)`` for each architecture.
public final class OffsetFrame: CallFrame {
    public let base: any CallFrame
    public let ints: Int, floats: Int, longDoubles: Int

    public init(_ base: any CallFrame, ints: Int, floats: Int, longDoubles: Int) {
        self.base = base
        self.ints = ints
        self.floats = floats
        self.longDoubles = longDoubles
    }

    public func int(_ index: Int) throws -> UInt64 { try base.int(index + ints) }
    public func double(_ index: Int) throws -> Double { try base.double(index + floats) }
    public func float(_ index: Int) throws -> Float { try base.float(index + floats) }
    public func longDouble(_ index: Int) throws -> (UInt64, UInt64) { try base.longDouble(index + longDoubles) }
    public func longDouble(afterInts ints: Int) throws -> (UInt64, UInt64) {
        longDoubles == 0 ? try base.longDouble(afterInts: ints + self.ints) : try longDouble(0)
    }
    public func returnLongDouble(_ value: (UInt64, UInt64)) { base.returnLongDouble(value) }
    public func variadic(afterInts ints: Int, floats: Int) throws -> any VariadicArguments {
        try base.variadic(afterInts: ints + self.ints, floats: floats + self.floats)
    }
    public func vaList(at address: UInt64) throws -> any VariadicArguments { try base.vaList(at: address) }
    public func returnInt(_ value: UInt64) { base.returnInt(value) }
    public func returnPair(_ low: UInt64, _ high: UInt64) { base.returnPair(low, high) }
    public func returnComplexLongDouble(_ real: (UInt64, UInt64), _ imaginary: (UInt64, UInt64)) {
        base.returnComplexLongDouble(real, imaginary)
    }
    public func returnComplexDouble(_ real: Double, _ imaginary: Double) { base.returnComplexDouble(real, imaginary) }
    public func returnComplexFloat(_ real: Float, _ imaginary: Float) { base.returnComplexFloat(real, imaginary) }
    public func returnDouble(_ value: Double) { base.returnDouble(value) }
    public func returnFloat(_ value: Float) { base.returnFloat(value) }
    public func skipping(longDoubles: Int, doubles: Int) -> any CallFrame {
        OffsetFrame(base, ints: ints, floats: floats + doubles, longDoubles: self.longDoubles + longDoubles)
    }
    public func returningComplexLongDouble() -> any CallFrame { self }
}

extension CallFrame {
    /// Where integers do not displace `long double` arguments (x86-64: memory; aarch64: q registers).
    public func longDouble(afterInts ints: Int) throws -> (UInt64, UInt64) { try longDouble(0) }
    /// Integer argument as a signed 32-bit `int`.
    public func int32(_ index: Int) throws -> Int32 { Int32(truncatingIfNeeded: try int(index)) }
    /// Integer argument as a signed 64-bit `long`.
    public func long(_ index: Int) throws -> Int64 { Int64(bitPattern: try int(index)) }
    /// Integer argument as a size (`size_t`), clamped for host use.
    public func size(_ index: Int) throws -> Int { Int(clamping: try int(index)) }
    /// Returns a signed integer result.
    public func returnSigned(_ value: Int64) { returnInt(UInt64(bitPattern: value)) }
    /// Returns a C `int` result (sign-extended as the ABIs expect).
    public func returnInt32(_ value: Int32) { returnInt(UInt64(bitPattern: Int64(value))) }
}
