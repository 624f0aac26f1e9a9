#if canImport(Glibc)
import Glibc
#endif

/// A cheap guest heap checker for fuzzing, without compiler instrumentation: every `malloc`ed
/// block is followed by a red zone holding a pattern, and a freed block is poisoned and kept
/// out of reuse for a while (quarantine). The patterns are checked when a block is freed,
/// when it leaves quarantine, and after each fuzzing input, so writes past the end of a
/// block (heap-buffer-overflow) and writes to freed blocks (heap-use-after-free) are caught,
/// as are double and invalid frees. Reads are not checked.
package struct HeapChecker: Sendable {
    static let redZone = 16
    static let redByte: UInt8 = 0xFA
    static let poisonByte: UInt8 = 0xFD
    /// Freed bytes held back from reuse before the oldest block is recycled.
    static let quarantineLimit = 4 << 20

    /// Live blocks: address → requested size.
    var live: [UInt64: Int] = [:]
    /// Freed blocks not yet returned to the heap, oldest first.
    var quarantine: [(address: UInt64, size: Int)] = []
    var quarantined: Set<UInt64> = []
    var quarantineBytes = 0

    package init() {}

    /// A heap error, worded like AddressSanitizer's.
    package struct Error: Swift.Error, Sendable, Equatable {
        package var kind: String
        package var detail: String
    }

    /// Allocates `size` bytes plus the red zone.
    mutating func allocate(_ rt: LibcRuntime, _ size: Int) throws -> (UInt64, fresh: Bool)? {
        guard size >= 0, size <= Int.max - Self.redZone, let (a, fresh) = rt.heap.allocate(size + Self.redZone) else { return nil }
        memset(try rt.memory.host(a + UInt64(size), Self.redZone, write: true), Int32(Self.redByte), Self.redZone)
        live[a] = size
        return (a, fresh)
    }

    /// The size of a live block, or nil if `p` is not one.
    func size(of p: UInt64) -> Int? { live[p] }

    /// Frees `p`: checks its red zone, poisons it and quarantines it. Returns false when the
    /// checker does not know `p` (an aligned allocation the heap handles itself).
    mutating func free(_ rt: LibcRuntime, _ p: UInt64) throws -> Bool {
        guard let size = live[p] else {
            if quarantined.contains(p) {
                throw Error(kind: "double-free", detail: "free() of the already freed block at 0x" + String(p, radix: 16))
            }
            return false
        }
        try checkRedZone(rt, p, size)
        live[p] = nil
        if size > 0 { memset(try rt.memory.host(p, size, write: true), Int32(Self.poisonByte), size) }
        quarantine.append((p, size))
        quarantined.insert(p)
        quarantineBytes += size
        while quarantineBytes > Self.quarantineLimit, !quarantine.isEmpty {
            let (old, oldSize) = quarantine.removeFirst()
            try checkPoison(rt, old, oldSize)
            quarantined.remove(old)
            quarantineBytes -= oldSize
            _ = rt.heap.free(old)
        }
        return true
    }

    /// Checks every live block's red zone and every quarantined block's poison.
    package func checkAll(_ rt: LibcRuntime) throws {
        for (p, size) in live { try checkRedZone(rt, p, size) }
        for (p, size) in quarantine { try checkPoison(rt, p, size) }
    }

    func checkRedZone(_ rt: LibcRuntime, _ p: UInt64, _ size: Int) throws {
        let zone = try rt.memory.bytes(p + UInt64(size), Self.redZone)
        if let i = zone.firstIndex(where: { $0 != Self.redByte }) {
            throw Error(kind: "heap-buffer-overflow",
                        detail: "write at offset \(size + i), past the end of the \(size)-byte block at 0x" + String(p, radix: 16))
        }
    }

    func checkPoison(_ rt: LibcRuntime, _ p: UInt64, _ size: Int) throws {
        guard size > 0 else { return }
        let bytes = try rt.memory.bytes(p, size)
        if let i = bytes.firstIndex(where: { $0 != Self.poisonByte }) {
            throw Error(kind: "heap-use-after-free",
                        detail: "write at offset \(i) of the freed \(size)-byte block at 0x" + String(p, radix: 16))
        }
    }
}
