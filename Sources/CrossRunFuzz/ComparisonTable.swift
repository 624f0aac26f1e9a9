import CrossRunLibc
#if canImport(Glibc)
import Glibc
#endif

/// Operands of the comparisons the last inputs made (libFuzzer's "table of recent
/// compares"): the mutator writes one side where the input holds the other, which is how a
/// 4-byte magic number or a keyword is found in a handful of executions instead of 2³².
///
/// Integer comparisons are reported by code built with `-fsanitize-coverage=trace-cmp`
/// (`__sanitizer_cov_trace_cmp*`, `…_const_cmp*`, `…_switch`); `memcmp`, `strcmp` and friends
/// are observed on the host where the C library serves them.
///
/// `@unchecked Sendable`: used by the one thread that runs the fuzz target; its recording host
/// functions capture it and join the (`@Sendable`) trampoline table.
package final class ComparisonTable: @unchecked Sendable {
    /// Pairs of operands, most recent last (bounded).
    package private(set) var pairs: [([UInt8], [UInt8])] = []
    static let capacity = 256
    var next = 0

    package init() {}

    func record(_ a: [UInt8], _ b: [UInt8]) {
        guard a != b, !a.isEmpty, !b.isEmpty else { return }
        if pairs.count < Self.capacity { pairs.append((a, b)) } else { pairs[next] = (a, b); next = (next + 1) % Self.capacity }
    }

    func recordInteger(_ a: UInt64, _ b: UInt64, width: Int) {
        // Small constants make poor tokens; the mutator's own arithmetic covers them.
        guard a != b, a > 0xff || b > 0xff || width == 1 else { return }
        record(Self.littleEndian(a, width), Self.littleEndian(b, width))
    }

    static func littleEndian(_ v: UInt64, _ width: Int) -> [UInt8] { (0..<width).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }

    /// The symbols `-fsanitize-coverage=trace-cmp` makes a program import.
    package static let tracingSymbols = ["__sanitizer_cov_trace_cmp1", "__sanitizer_cov_trace_cmp2", "__sanitizer_cov_trace_cmp4",
                                        "__sanitizer_cov_trace_cmp8", "__sanitizer_cov_trace_const_cmp1", "__sanitizer_cov_trace_const_cmp2",
                                        "__sanitizer_cov_trace_const_cmp4", "__sanitizer_cov_trace_const_cmp8", "__sanitizer_cov_trace_switch"]

    /// Function-entry guards that come with `-fsanitize-coverage=func,trace-pc-guard` (the
    /// emulator measures edges itself, so they do nothing).
    package static let guardSymbols = ["__sanitizer_cov_trace_pc_guard", "__sanitizer_cov_trace_pc_guard_init"]

    /// Compile flags for an emulated fuzz target: comparison tracing, frame pointers for
    /// backtraces.
    package static let emulatedCompileFlags = ["-fsanitize-coverage=func,trace-pc-guard,trace-cmp", "-fno-omit-frame-pointer"]

    /// Host functions for an emulated fuzz target: the tracing callbacks, and recording
    /// wrappers around the C library's comparison functions.
    package func hostFunctions(library: [String: HostFunction]) -> [String: HostFunction] {
        var t: [String: HostFunction] = [:]
        for name in Self.guardSymbols { t[name] = { _, _ in } }
        for (i, width) in [1, 2, 4, 8].enumerated() {
            let fn: HostFunction = { [unowned self] _, f in self.recordInteger(try f.int(0), try f.int(1), width: width) }
            t[Self.tracingSymbols[i]] = fn
            t[Self.tracingSymbols[4 + i]] = fn
        }
        t["__sanitizer_cov_trace_switch"] = { [unowned self] rt, f in
            let value = try f.int(0), cases = try f.int(1)
            let count = Int(min(try rt.memory.load(cases, as: UInt64.self), 256))
            let bits = Int(try rt.memory.load(cases + 8, as: UInt64.self))
            let width = max(1, min(8, bits / 8))
            for i in 0..<count {
                self.recordInteger(value, try rt.memory.load(cases + 16 + UInt64(8 * i), as: UInt64.self), width: width)
            }
        }
        func wrap(_ name: String, _ operands: @escaping @Sendable (LibcRuntime, any CallFrame) throws -> ([UInt8], [UInt8])) {
            guard let original = library[name] else { return }
            t[name] = { [unowned self] rt, f in
                if let (a, b) = try? operands(rt, f) { self.record(a, b) }
                try original(rt, f)
            }
        }
        @Sendable func bounded(_ rt: LibcRuntime, _ address: UInt64, _ n: Int) throws -> [UInt8] {
            let span = try rt.memory.readableSpan(from: address)
            return Array(span.prefix(min(n, 64)))
        }
        @Sendable func string(_ rt: LibcRuntime, _ address: UInt64, _ n: Int = 64) throws -> [UInt8] {
            Array(try bounded(rt, address, n).prefix { $0 != 0 })
        }
        for name in ["memcmp", "bcmp"] {
            wrap(name) { rt, f in let n = try f.size(2); return (try bounded(rt, f.int(0), n), try bounded(rt, f.int(1), n)) }
        }
        for name in ["strcmp", "strcasecmp", "strstr", "strcoll"] {
            wrap(name) { rt, f in (try string(rt, f.int(0)), try string(rt, f.int(1))) }
        }
        for name in ["strncmp", "strncasecmp"] {
            wrap(name) { rt, f in let n = try f.size(2); return (try string(rt, f.int(0), n), try string(rt, f.int(1), n)) }
        }
        return t
    }
}
