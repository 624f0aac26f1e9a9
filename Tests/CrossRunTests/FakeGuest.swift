import CrossRunLibc
#if canImport(Glibc)
import Glibc
#endif

/// Guest memory for host-libc unit tests: one host buffer at a fixed guest address, plus an
/// optional read-only range.
final class FakeMemory: GuestMemory {
    let base: UInt64 = 0x10_0000
    let size = 1 << 27
    let buffer: UnsafeMutableRawPointer
    var readOnly: Range<UInt64> = 0..<0
    private var cursor: UInt64

    init() {
        // Lazily committed, zero-filled.
        buffer = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)!
        cursor = base + UInt64(size / 2)  // lower half: the runtime's heap; upper half: test data
    }

    deinit { munmap(buffer, size) }

    func host(_ address: UInt64, _ count: Int, write: Bool) throws -> UnsafeMutableRawPointer {
        guard address >= base, address < base + UInt64(size), count <= 0 || UInt64(count) <= base + UInt64(size) - address else {
            throw GuestFault(address: address, size: max(count, 1), access: write ? .write : .read)
        }
        if write && readOnly.overlaps(address..<address + UInt64(max(count, 1))) {
            throw GuestFault(address: address, size: count, access: .write)
        }
        return buffer.advanced(by: Int(address - base))
    }

    func readableSpan(from address: UInt64) throws -> UnsafeRawBufferPointer {
        guard address >= base, address < base + UInt64(size) else { throw GuestFault(address: address, size: 1, access: .read) }
        return UnsafeRawBufferPointer(start: buffer.advanced(by: Int(address - base)), count: Int(base + UInt64(size) - address))
    }

    /// Places a NUL-terminated string in test data and returns its guest address.
    func string(_ s: String) -> UInt64 { bytes(Array(s.utf8) + [0]) }

    /// Places bytes in test data and returns their guest address.
    func bytes(_ b: [UInt8]) -> UInt64 {
        let a = cursor
        try! write(b, at: a)
        cursor = (cursor + UInt64(b.count) + 15) & ~15
        return a
    }
}

/// Arguments given as arrays; results captured.
final class FakeFrame: CallFrame {
    var ints: [UInt64]
    var doubles: [Double]
    var variadicInts: [UInt64]
    var variadicDoubles: [Double]
    /// Variadic `long double` arguments (raw 16 bytes each), in order.
    var variadicLongDoubles: [(UInt64, UInt64)] = []
    var result: UInt64 = 0
    var doubleResult: Double = 0

    init(ints: [UInt64] = [], doubles: [Double] = [], varInts: [UInt64] = [], varDoubles: [Double] = []) {
        self.ints = ints
        self.doubles = doubles
        self.variadicInts = varInts
        self.variadicDoubles = varDoubles
    }

    /// An argument the test did not give: a failure of that call, not a crash of the suite.
    struct MissingArgument: Error { var kind: String; var index: Int }

    func int(_ index: Int) throws -> UInt64 {
        guard ints.indices.contains(index) else { throw MissingArgument(kind: "integer", index: index) }
        return ints[index]
    }
    func double(_ index: Int) throws -> Double {
        guard doubles.indices.contains(index) else { throw MissingArgument(kind: "floating-point", index: index) }
        return doubles[index]
    }
    func float(_ index: Int) throws -> Float { Float(try double(index)) }
    func variadic(afterInts ints: Int, floats: Int) throws -> any VariadicArguments {
        ArrayVarArgs(ints: variadicInts, doubles: variadicDoubles, longDoubles: variadicLongDoubles)
    }
    func vaList(at address: UInt64) throws -> any VariadicArguments {
        ArrayVarArgs(ints: variadicInts, doubles: variadicDoubles, longDoubles: variadicLongDoubles)
    }
    var longDoubles: [(UInt64, UInt64)] = []
    var longDoubleResult: (UInt64, UInt64) = (0, 0)
    func longDouble(_ index: Int) throws -> (UInt64, UInt64) { longDoubles[index] }
    func returnLongDouble(_ value: (UInt64, UInt64)) { longDoubleResult = value }
    var imaginaryLongDoubleResult: (UInt64, UInt64) = (0, 0)
    func returnComplexLongDouble(_ real: (UInt64, UInt64), _ imaginary: (UInt64, UInt64)) {
        longDoubleResult = real
        imaginaryLongDoubleResult = imaginary
    }
    func returnInt(_ value: UInt64) { result = value }
    func returnComplexDouble(_ real: Double, _ imaginary: Double) { doubleResult = real; result = imaginary.bitPattern }
    func returnComplexFloat(_ real: Float, _ imaginary: Float) { doubleResult = Double(real); result = UInt64(imaginary.bitPattern) }
    var highResult: UInt64 = 0
    func returnPair(_ low: UInt64, _ high: UInt64) { result = low; highResult = high }
    func returnDouble(_ value: Double) { doubleResult = value }
    func returnFloat(_ value: Float) { doubleResult = Double(value) }
    func returningComplexLongDouble() -> any CallFrame { self }
    func skipping(longDoubles: Int, doubles: Int) -> any CallFrame {
        OffsetFrame(self, ints: 0, floats: doubles, longDoubles: longDoubles)
    }
}

struct ArrayVarArgs: VariadicArguments {
    var ints: [UInt64]
    var doubles: [Double]
    var longDoubles: [(UInt64, UInt64)] = []
    mutating func nextInt() throws -> UInt64 { ints.isEmpty ? 0 : ints.removeFirst() }
    mutating func nextDouble() throws -> Double { doubles.isEmpty ? 0 : doubles.removeFirst() }
    mutating func nextLongDouble() throws -> (UInt64, UInt64) { longDoubles.isEmpty ? (0, 0) : longDoubles.removeFirst() }
}

/// A runtime over fake memory; `binary128` selects an aarch64/riscv64-style `long double`.
func makeRuntime(binary128: Bool = false) throws -> (LibcRuntime, FakeMemory) {
    let memory = FakeMemory()
    let rt = try LibcRuntime(memory: memory, heapBase: memory.base, heapSize: UInt64(memory.size / 2),
                             environment: ["HOME": "/home/test"], abi: binary128 ? .riscv64 : .x86_64)
    return (rt, memory)
}

/// Calls a host libc function by name.
@discardableResult
func call(_ rt: LibcRuntime, _ name: String, _ frame: FakeFrame) throws -> FakeFrame {
    guard let fn = HostLibc.functions[name] else { throw GuestFault(address: 0, size: 0, access: .read) }
    try fn(rt, frame)
    return frame
}
