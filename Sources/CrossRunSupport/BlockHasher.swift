/// A Merkle–Damgård hash over 64-byte blocks with the message length appended big-endian in
/// bits: the padding and streaming that SHA-1 and SHA-256 (FIPS 180-4) share, written once.
/// Each algorithm is only its ``BlockHashFunction`` (state, compression, digest).
///
/// Small and dependency-free; written over unsafe buffers so that even a debug build hashes a
/// typical header in microseconds.
public struct BlockHasher<Function: BlockHashFunction>: Sendable {
    private var function = Function()
    private var pending: [UInt8] = []
    private var length: UInt64 = 0

    public init() {}

    /// Hashes `bytes` in one step.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var h = Self()
        h.update(bytes)
        return h.finalize()
    }

    /// Hashes `bytes` in one step and returns the digest as lowercase hex (``Hex``).
    public static func hex(_ bytes: [UInt8]) -> String { Hex.string(hash(bytes)) }

    /// Adds `bytes` to the message.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { update($0) }
    }

    /// Adds the UTF-8 bytes of `text` followed by a NUL separator (so that `["ab", "c"]` and
    /// `["a", "bc"]` hash differently).
    public mutating func update(field text: String) {
        var text = text
        text.withUTF8 { update($0) }
        var separator: UInt8 = 0
        withUnsafePointer(to: &separator) { update(UnsafeBufferPointer(start: $0, count: 1)) }
    }

    /// Adds the bytes in `buffer` to the message.
    public mutating func update(_ buffer: UnsafeBufferPointer<UInt8>) {
        length &+= UInt64(buffer.count)
        guard let base = buffer.baseAddress else { return }
        var start = 0
        if !pending.isEmpty {
            let take = min(64 - pending.count, buffer.count)
            pending.append(contentsOf: buffer[0..<take])
            start = take
            if pending.count == 64 {
                pending.withUnsafeBufferPointer { block in
                    if let p = block.baseAddress { function.compress(p) }
                }
                pending.removeAll(keepingCapacity: true)
            }
        }
        let blocks = (buffer.count - start) / 64
        if blocks > 0 {
            function.compress(base + start, count: blocks)
            start += 64 * blocks
        }
        if start < buffer.count { pending.append(contentsOf: buffer[start...]) }
    }

    /// The digest. The hasher should not be used afterwards.
    public mutating func finalize() -> [UInt8] {
        let bits = length &* 8
        var tail: [UInt8] = [0x80]
        let used = (pending.count + 1) % 64
        tail += [UInt8](repeating: 0, count: used <= 56 ? 56 - used : 120 - used)
        for i in (0..<8).reversed() { tail.append(UInt8(truncatingIfNeeded: bits >> (UInt64(i) * 8))) }
        update(tail)
        return function.digest
    }
}

/// One hash algorithm's part of a ``BlockHasher``: its chaining state, what one 64-byte block
/// does to it, and how the state reads as the digest.
public protocol BlockHashFunction: Sendable {
    /// The initial state.
    init()
    /// Mixes the 64 bytes at `block` into the state.
    mutating func compress(_ block: UnsafePointer<UInt8>)
    /// Mixes `count` consecutive 64-byte blocks at `blocks` into the state.
    mutating func compress(_ blocks: UnsafePointer<UInt8>, count: Int)
    /// The state as the digest (big-endian words).
    var digest: [UInt8] { get }
}

extension BlockHashFunction {
    /// One block after another.
    public mutating func compress(_ blocks: UnsafePointer<UInt8>, count: Int) {
        for i in 0..<count { compress(blocks + 64 * i) }
    }

    /// Big-endian 32-bit word `i` of `block`.
    @inline(__always)
    static func word(_ block: UnsafePointer<UInt8>, _ i: Int) -> UInt32 {
        UInt32(block[4 * i]) << 24 | UInt32(block[4 * i + 1]) << 16 | UInt32(block[4 * i + 2]) << 8 | UInt32(block[4 * i + 3])
    }

    /// `words` as big-endian bytes.
    static func bigEndianBytes(_ words: [UInt32]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(words.count * 4)
        for w in words {
            out += [UInt8(w >> 24), UInt8(truncatingIfNeeded: w >> 16), UInt8(truncatingIfNeeded: w >> 8), UInt8(truncatingIfNeeded: w)]
        }
        return out
    }
}
