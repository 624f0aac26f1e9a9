#if canImport(Glibc)
import Glibc
#endif

/// `sigpending`, glibc's set operations (`sigisemptyset`, `sigandset`, `sigorset`: all 1,024
/// bits of the 128-byte `sigset_t`) and `psignal` (to the guest's stderr stream). The BSD `int`
/// masks are in ``LibcSignalLegacy``.
enum LibcSignalSets {
    static let setSize = 128

    static func words(_ rt: LibcRuntime, _ address: UInt64) throws -> [UInt64] {
        try (0..<setSize / 8).map { try rt.memory.load(address &+ UInt64(8 * $0), as: UInt64.self) }
    }

    /// `dest = left OP right`, or EINVAL for a NULL set (as glibc).
    static func combine(_ rt: LibcRuntime, _ f: any CallFrame, _ op: (UInt64, UInt64) -> UInt64) throws {
        let dest = try f.int(0), left = try f.int(1), right = try f.int(2)
        guard dest != 0, left != 0, right != 0 else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
        let result = zip(try words(rt, left), try words(rt, right)).map(op)
        _ = try rt.memory.mutableBytes(dest, setSize)
        for (i, w) in result.enumerated() { try rt.memory.store(w, at: dest &+ UInt64(8 * i)) }
        f.returnInt32(0)
    }

    static let functions: [String: HostFunction] = [
        "sigpending": { rt, f in
            let set = try f.int(0)
            _ = try rt.memory.host(set, setSize, write: true)
            // Blocked signals from outside wait on the host: they become the guest's pending ones.
            var outside = rt.takeHostPendingSignals?() ?? 0
            while outside != 0 {
                let sig = Int32(outside.trailingZeroBitCount + 1)
                outside &= outside &- 1
                try rt.deliverHostSignal(sig)
            }
            memset(try rt.memory.host(set, setSize, write: true), 0, setSize)
            try rt.memory.store(rt.pendingSignals, at: set)
            f.returnInt32(0)
        },
        "sigisemptyset": { rt, f in
            let set = try f.int(0)
            guard set != 0 else { rt.setErrno(EINVAL); f.returnInt32(-1); return }
            f.returnInt32(try words(rt, set).allSatisfy { $0 == 0 } ? 1 : 0)
        },
        "sigandset": { rt, f in try combine(rt, f, &) },
        "sigorset": { rt, f in try combine(rt, f, |) },
        "psignal": { rt, f in
            let sig = try f.int32(0), prefix = try f.int(1)
            var text: [UInt8] = []
            if prefix != 0 {
                let s = Array(try rt.memory.cString(prefix))
                if !s.isEmpty { text = s + Array(": ".utf8) }
            }
            text += Array(String(cString: strsignal(sig)).utf8) + [10]   // the host's texts: glibc's, "Unknown signal N" included
            guard let err = rt.streams[rt.dataHandle("stderr")] else { return }
            err.write(text)
        },
    ]
}
