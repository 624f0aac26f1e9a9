import CNativeSupport
import CrossRunLibc
import CrossRunLink
import CrossRunRuntime
#if canImport(Glibc)
import Glibc
#endif

/// `--trace=libc[:NAME,...]` on the native backend (x86-64 hosts): each traced import slot is
/// bound to a generated stub (native_trace.c) that formats the arguments with
/// ``LibcTraceFormat`` — the emulator's signature table and quoting, so a program gives the
/// same lines on x64/native and x64/emu, pointer values aside — calls the host function with
/// the caller's registers and stack untouched, and prints `name(args) = result` when it
/// returns. Calls that do not return (`exit`, `longjmp`) print `= ?` before they run.
/// Zero cost when off: without this, slots hold the host functions themselves.
public struct NativeLibcTrace {
    /// Where lines go (stderr, or the `--trace-file`).
    public var output: UnsafeMutablePointer<FILE>
    /// Strings longer than this are cut and followed by `...` (strace's `-s`).
    public var stringLimit = 32
    /// Only these functions (`--trace=libc:fopen,fclose`); nil: every one.
    public var only: Set<String>?

    public init(output: UnsafeMutablePointer<FILE>) { self.output = output }

    /// Functions that return twice: a stub would hand setjmp our return trampoline as the
    /// place to come back to, or let a vfork child pop the parent's shadow entry; swapcontext
    /// returns on another stack. Never wrapped.
    static let returnsTwice: Set<String> = ["setjmp", "_setjmp", "sigsetjmp", "__sigsetjmp", "vfork", "getcontext", "swapcontext", "savectx"]
    /// Functions that do not return to their caller: their line is printed before they run.
    static let noReturn: Set<String> = [
        "exit", "_exit", "_Exit", "quick_exit", "abort", "longjmp", "_longjmp", "siglongjmp", "pthread_exit", "__assert_fail",
        "__stack_chk_fail", "err", "errx", "verr", "verrx", "setcontext", "__crossrun_thread_exit", "thrd_exit",
    ]

    /// The bindings that route `imports` through traced stubs (to pass as the loader's
    /// overrides); `overrides` are bindings chosen elsewhere (`--deterministic`), traced too.
    /// Installs the tracer for the rest of the process: call once, before the program runs.
    public func bindings(for imports: [LinkImage.Import], overrides: [String: UInt64] = [:]) throws -> [String: UInt64] {
        let real = try HostSymbols.resolve(imports, overrides: overrides)
        var flags = [UInt8](repeating: 0, count: imports.count)
        var names: [String] = []
        for (i, imp) in imports.enumerated() {
            names.append(imp.name)
            guard imp.kind == .function, RuntimeSymbols.all[imp.name]?.kind != .data,
                  HostSymbols.loaderProvided[imp.name] == nil || overrides[imp.name] != nil,
                  !Self.returnsTwice.contains(imp.name), only.map({ $0.contains(imp.name) }) ?? true else { continue }
            flags[i] = UInt8(CROSSRUN_TRACE_WRAP) | (Self.noReturn.contains(imp.name) ? UInt8(CROSSRUN_TRACE_NORETURN) : 0)
        }
        NativeTraceState.shared = NativeTraceState(names: names, output: output, limit: stringLimit)
        var stubs = [UInt64](repeating: 0, count: imports.count)
        let status = real.withUnsafeBufferPointer { r in
            flags.withUnsafeBufferPointer { f in
                stubs.withUnsafeMutableBufferPointer { s in
                    crossrun_native_trace_install(r.baseAddress!, f.baseAddress!, imports.count, nativeTraceFormat, nativeTraceReport, s.baseAddress!)
                }
            }
        }
        guard status == 0 else {
            if errno == ENOTSUP { throw NativeError.trace("--trace=libc with --backend native needs an x86-64 host; add --backend emu") }
            throw NativeError.memory("cannot map the --trace=libc stubs (errno \(errno))")
        }
        var bound = overrides
        for (i, imp) in imports.enumerated() where stubs[i] != 0 { bound[imp.name] = stubs[i] }
        return bound
    }
}

/// What the stubs' callbacks need, fixed before the program starts (read from any thread).
final class NativeTraceState: @unchecked Sendable {
    /// Set once before the program starts and only read afterwards (from the stubs' callbacks on
    /// any thread, where a lock would cost every traced call).
    nonisolated(unsafe) static var shared: NativeTraceState?
    let names: [String]
    let signatures: [String?]
    let kinds: [String]
    let output: UnsafeMutablePointer<FILE>
    let limit: Int
    let memory = NativeProcessMemory()

    init(names: [String], output: UnsafeMutablePointer<FILE>, limit: Int) {
        self.names = names
        signatures = names.map { LibcTraceFormat.signatures[$0] }
        kinds = signatures.map(LibcTraceFormat.resultKind)
        self.output = output
        self.limit = limit
    }
}

private func nativeTraceFormat(_ index: UInt32, _ registers: UnsafePointer<UInt64>, _ stack: UInt64) -> UnsafeMutablePointer<CChar>? {
    guard let state = NativeTraceState.shared, Int(index) < state.names.count else { return nil }
    let frame = NativeTraceFrame(registers: registers, stack: stack, memory: state.memory)
    return strdup(LibcTraceFormat.arguments(state.signatures[Int(index)], frame, memory: state.memory, limit: state.limit))
}

private func nativeTraceReport(_ index: UInt32, _ arguments: UnsafePointer<CChar>?, _ result: UnsafePointer<UInt64>?, _ error: Int32) {
    guard let state = NativeTraceState.shared, Int(index) < state.names.count else { return }
    let name = state.names[Int(index)]
    let text = arguments.map { String(cString: $0) } ?? "?"
    var line = "\(name)(\(text)) = ?\n"
    if let result {
        let kind = state.kinds[Int(index)]
        // Without a signature the result register is shown as a signed integer (as the
        // emulator shows an integer result); a double comes back in xmm0.
        // A long double result (x87 registers loaded, word 10) shows `= ?`, as the emulator does.
        let value: LibcTraceFormat.Result = result[10] > 0 ? .other : kind == "d" ? .double(Double(bitPattern: result[2])) : .int(result[0])
        line = "\(name)(\(text))" + LibcTraceFormat.result(kind, value, errno: error, memory: state.memory, limit: state.limit) + "\n"
    }
    fputs(line, state.output)   // one call: lines of concurrent threads do not mix
    fflush(state.output)
}

/// This process's memory seen through ``GuestMemory``: the traced program's pointers are
/// checked (process_vm_readv) before the tracer reads through them.
final class NativeProcessMemory: GuestMemory, @unchecked Sendable {
    func host(_ address: UInt64, _ count: Int, write: Bool) throws -> UnsafeMutableRawPointer {
        guard !write, count >= 0, address != 0, crossrun_native_readable(address, count) == count,
              let p = UnsafeMutableRawPointer(bitPattern: UInt(address)) else {
            throw GuestFault(address: address, size: count, access: write ? .write : .read)
        }
        return p
    }

    func readableSpan(from address: UInt64) throws -> UnsafeRawBufferPointer {
        let n = crossrun_native_readable(address, 1 << 16)
        guard n > 0, let p = UnsafeRawPointer(bitPattern: UInt(address)) else { throw GuestFault(address: address, size: 1, access: .read) }
        return UnsafeRawBufferPointer(start: p, count: n)
    }
}

/// The SysV x86-64 arguments of a traced call, from the registers the stub saved and the
/// caller's stack: integers in rdi…r9 then the stack, doubles in xmm0…xmm7 then the stack.
final class NativeTraceFrame: CallFrame {
    let registers: UnsafePointer<UInt64>
    let stack: UInt64
    let memory: NativeProcessMemory

    init(registers: UnsafePointer<UInt64>, stack: UInt64, memory: NativeProcessMemory) {
        self.registers = registers
        self.stack = stack
        self.memory = memory
    }

    private static let gprs = 6, xmms = 8
    func int(_ index: Int) throws -> UInt64 {
        guard index >= 0, index < Self.gprs else { throw GuestFault(address: stack, size: 8, access: .read) }
        return registers[index]
    }
    func double(_ index: Int) throws -> Double {
        guard index >= 0, index < Self.xmms else { throw GuestFault(address: stack, size: 8, access: .read) }
        return Double(bitPattern: registers[8 + 2 * index])
    }
    func float(_ index: Int) throws -> Float { Float(try double(index)) }
    func longDouble(_ index: Int) throws -> (UInt64, UInt64) { throw GuestFault(address: stack, size: 16, access: .read) }
    func longDouble(afterInts ints: Int) throws -> (UInt64, UInt64) { try longDouble(0) }
    func variadic(afterInts ints: Int, floats: Int) throws -> any VariadicArguments {
        NativeTraceVarArgs(frame: self, gp: ints, fp: floats, overflow: stack)
    }
    func vaList(at address: UInt64) throws -> any VariadicArguments { throw GuestFault(address: address, size: 24, access: .read) }
    // The tracer only reads: results come back from the host function itself.
    func returnInt(_ value: UInt64) {}
    func returnPair(_ low: UInt64, _ high: UInt64) {}
    func returnComplexLongDouble(_ real: (UInt64, UInt64), _ imaginary: (UInt64, UInt64)) {}
    func returnComplexDouble(_ real: Double, _ imaginary: Double) {}
    func returnComplexFloat(_ real: Float, _ imaginary: Float) {}
    func returnDouble(_ value: Double) {}
    func returnFloat(_ value: Float) {}
    func returnLongDouble(_ value: (UInt64, UInt64)) {}
    func skipping(longDoubles: Int, doubles: Int) -> any CallFrame { OffsetFrame(self, ints: 0, floats: doubles, longDoubles: longDoubles) }
    func returningComplexLongDouble() -> any CallFrame { self }
}

/// `va_arg` over a traced call's variadic arguments: registers first, then the overflow area.
struct NativeTraceVarArgs: VariadicArguments {
    let frame: NativeTraceFrame
    var gp: Int, fp: Int
    var overflow: UInt64

    private mutating func nextStackWord() throws -> UInt64 {
        let value = try frame.memory.load(overflow, as: UInt64.self)
        overflow &+= 8
        return value
    }
    mutating func nextInt() throws -> UInt64 {
        if gp < 6 { gp += 1; return try frame.int(gp - 1) }
        return try nextStackWord()
    }
    mutating func nextDouble() throws -> Double {
        if fp < 8 { fp += 1; return try frame.double(fp - 1) }
        return Double(bitPattern: try nextStackWord())
    }
    mutating func nextLongDouble() throws -> (UInt64, UInt64) { throw GuestFault(address: overflow, size: 16, access: .read) }
}
