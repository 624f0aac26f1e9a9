import CPosixLib
#if canImport(Glibc)
import Glibc
#endif

/// The reentrant `drand48` family (`drand48_r` & co.): glibc's own generator run on a host
/// copy of the guest's `struct drand48_data` (24 bytes, one layout on every LP64 target) and
/// of its `xsubi`/seed arrays, copied back after the step, so sequences equal native ones.
enum LibcRand48 {
    static let dataSize = 24

    /// Runs `body` on host copies of the guest's `count` unsigned shorts at `words` (0: none)
    /// and of the `struct drand48_data` at `data`, then stores both back.
    static func step(_ rt: LibcRuntime, words: UInt64, count: Int, data: UInt64,
                     _ body: (UnsafeMutablePointer<UInt16>, UnsafeMutableRawPointer) -> Int32) throws -> Int32 {
        var state = Array(try rt.memory.bytes(data, dataSize))
        var array = [UInt16](repeating: 0, count: max(count, 1))
        for i in 0..<count { array[i] = try rt.memory.load(words &+ UInt64(2 * i), as: UInt16.self) }
        let r = state.withUnsafeMutableBytes { s in array.withUnsafeMutableBufferPointer { body($0.baseAddress!, s.baseAddress!) } }
        try rt.memory.write(state, at: data)
        for i in 0..<count { try rt.memory.store(array[i], at: words &+ UInt64(2 * i)) }
        return r
    }

    /// The `*rand48_r` calls with a result: (xsubi index or nil, data index, result index).
    static func draw(xsubi: Int?, data: Int, result: Int,
                     _ body: @escaping @Sendable (UnsafeMutablePointer<UInt16>, UnsafeMutableRawPointer, UnsafeMutableRawPointer) -> Int32) -> HostFunction {
        { rt, f in
            let out = try f.int(result)
            _ = try rt.memory.host(out, 8, write: true)
            var value: UInt64 = 0
            let r = try step(rt, words: xsubi.map { try f.int($0) } ?? 0, count: xsubi == nil ? 0 : 3, data: try f.int(data)) { x, s in
                withUnsafeMutableBytes(of: &value) { body(x, s, $0.baseAddress!) }
            }
            try rt.memory.store(value, at: out)
            f.returnInt32(r)
        }
    }

    static let functions: [String: HostFunction] = [
        "drand48_r": draw(xsubi: nil, data: 0, result: 1) { _, s, out in crossrun_drand48_r(s, out.assumingMemoryBound(to: Double.self)) },
        "erand48_r": draw(xsubi: 0, data: 1, result: 2) { x, s, out in crossrun_erand48_r(x, s, out.assumingMemoryBound(to: Double.self)) },
        "lrand48_r": draw(xsubi: nil, data: 0, result: 1) { _, s, out in crossrun_lrand48_r(s, out.assumingMemoryBound(to: Int.self)) },
        "nrand48_r": draw(xsubi: 0, data: 1, result: 2) { x, s, out in crossrun_nrand48_r(x, s, out.assumingMemoryBound(to: Int.self)) },
        "mrand48_r": draw(xsubi: nil, data: 0, result: 1) { _, s, out in crossrun_mrand48_r(s, out.assumingMemoryBound(to: Int.self)) },
        "jrand48_r": draw(xsubi: 0, data: 1, result: 2) { x, s, out in crossrun_jrand48_r(x, s, out.assumingMemoryBound(to: Int.self)) },
        "srand48_r": { rt, f in
            let seed = Int(try f.long(0))
            f.returnInt32(try step(rt, words: 0, count: 0, data: f.int(1)) { _, s in crossrun_srand48_r(seed, s) })
        },
        "seed48_r": { rt, f in f.returnInt32(try step(rt, words: f.int(0), count: 3, data: f.int(1)) { x, s in crossrun_seed48_r(x, s) }) },
        "lcong48_r": { rt, f in f.returnInt32(try step(rt, words: f.int(0), count: 7, data: f.int(1)) { x, s in crossrun_lcong48_r(x, s) }) },
    ]
}
