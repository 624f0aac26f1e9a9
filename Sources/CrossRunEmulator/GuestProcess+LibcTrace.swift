import CrossRunLibc
#if canImport(Glibc)
import Glibc
#endif

/// `--trace=libc[:NAME,...]`: one ltrace-style line per call the program makes into the C
/// library the host serves, with the arguments decoded from a small signature table
/// (strings quoted, `printf` formats with their arguments) and the result:
/// `fopen("out.txt", "w") = 0x5020a0`, `fprintf(0x5020a0, "%s:%d\n", "alpha", 42) = 9`.
/// Functions without a signature show `name(...)`. Zero cost when off: the trampoline table
/// is built with the traced wrappers only when tracing (``GuestProcess/tracedFunction``).
/// `@unchecked Sendable`: its stream is written only by the traced process's thread.
public struct LibcTraceOptions: @unchecked Sendable {
    public var output: UnsafeMutablePointer<FILE>
    public var stringLimit = 32
    /// Only these functions (`--trace=libc:fopen,fclose`); nil: every one.
    public var only: Set<String>?

    public init(output: UnsafeMutablePointer<FILE>) { self.output = output }
}

extension GuestProcess {
    /// `body` wrapped to print its line after each call (and `= ?` when it does not return).
    func tracedFunction(_ name: String, _ body: @escaping HostFunction, _ trace: LibcTraceOptions) -> HostFunction {
        if let only = trace.only, !only.contains(name) { return body }
        let signature = LibcTraceFormat.signatures[name]
        let kind = LibcTraceFormat.resultKind(signature)
        return { [unowned self] rt, f in
            let arguments = LibcTraceFormat.arguments(signature, f, memory: self.memory, limit: trace.stringLimit)
            let recorder = ResultRecordingFrame(f)
            do {
                try body(rt, recorder)
            } catch {
                fputs("\(name)(\(arguments)) = ?\n", trace.output)
                fflush(trace.output)
                throw error
            }
            // A failure shows errno, as the program would read it.
            let code = (try? rt.memory.load(rt.errnoAddress, as: Int32.self)) ?? 0
            // longjmp "returns" by moving the guest elsewhere: it did not return to its caller.
            let result = name.hasSuffix("longjmp") ? " = ?"
                : LibcTraceFormat.result(kind, recorder.result, errno: code, memory: self.memory, limit: trace.stringLimit)
            fputs("\(name)(\(arguments))\(result)\n", trace.output)
            fflush(trace.output)
        }
    }
}

/// Forwards a call frame and remembers the result the host function set.
final class ResultRecordingFrame: CallFrame {
    typealias Result = LibcTraceFormat.Result
    let base: any CallFrame
    var result: Result?

    init(_ base: any CallFrame) { self.base = base }

    func int(_ index: Int) throws -> UInt64 { try base.int(index) }
    func double(_ index: Int) throws -> Double { try base.double(index) }
    func float(_ index: Int) throws -> Float { try base.float(index) }
    func longDouble(_ index: Int) throws -> (UInt64, UInt64) { try base.longDouble(index) }
    func longDouble(afterInts ints: Int) throws -> (UInt64, UInt64) { try base.longDouble(afterInts: ints) }
    func returnLongDouble(_ value: (UInt64, UInt64)) { result = .other; base.returnLongDouble(value) }
    func variadic(afterInts ints: Int, floats: Int) throws -> any VariadicArguments { try base.variadic(afterInts: ints, floats: floats) }
    func vaList(at address: UInt64) throws -> any VariadicArguments { try base.vaList(at: address) }
    func returnInt(_ value: UInt64) { result = .int(value); base.returnInt(value) }
    func returnPair(_ low: UInt64, _ high: UInt64) { result = .other; base.returnPair(low, high) }
    func returnComplexLongDouble(_ real: (UInt64, UInt64), _ imaginary: (UInt64, UInt64)) { result = .other; base.returnComplexLongDouble(real, imaginary) }
    func returnComplexDouble(_ real: Double, _ imaginary: Double) { result = .other; base.returnComplexDouble(real, imaginary) }
    func returnComplexFloat(_ real: Float, _ imaginary: Float) { result = .other; base.returnComplexFloat(real, imaginary) }
    func returnDouble(_ value: Double) { result = .double(value); base.returnDouble(value) }
    func returnFloat(_ value: Float) { result = .double(Double(value)); base.returnFloat(value) }
    func skipping(longDoubles: Int, doubles: Int) -> any CallFrame { base.skipping(longDoubles: longDoubles, doubles: doubles) }
    func returningComplexLongDouble() -> any CallFrame { base.returningComplexLongDouble() }
}
