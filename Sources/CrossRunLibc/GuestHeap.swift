/// A malloc-style allocator over a range of guest addresses, with all bookkeeping on the host
/// (a guest buffer overflow cannot corrupt it). Blocks are 16-byte aligned.
///
/// Small sizes (≤ 4 KiB) use exact 16-byte size classes; larger ones use power-of-two classes.
/// Freed blocks go to their class's free list (LIFO); new blocks come from a bump pointer.
public struct GuestHeap: Sendable {
    /// First address managed.
    public let base: UInt64
    /// One past the last address that may be handed out.
    public let limit: UInt64
    private var top: UInt64
    /// Live and free blocks: requested size (-1 when free) and class capacity.
    private var blocks: [UInt64: (size: Int, capacity: Int)] = [:]
    /// Free lists of the small classes, indexed by capacity / 16.
    private var smallFree = [[UInt64]](repeating: [], count: 4096 / 16 + 1)
    /// Free lists of the large classes, by capacity.
    private var largeFree: [Int: [UInt64]] = [:]
    /// Bytes currently allocated (requested sizes).
    public private(set) var liveBytes = 0

    public init(base: UInt64, size: UInt64) {
        self.base = (base + 15) & ~15
        self.limit = base + size
        self.top = self.base
    }

    /// The capacity class for a request of `size` bytes.
    static func sizeClass(_ size: Int) -> Int {
        let n = max(size, 1)
        if n <= 4096 { return (n + 15) & ~15 }
        guard n <= 1 << 62 else { return Int.max }      // never satisfiable; callers bound size first
        var c = 8192
        while c < n { c <<= 1 }
        return c
    }

    private mutating func popFree(_ cls: Int) -> UInt64? {
        cls <= 4096 ? smallFree[cls >> 4].popLast() : largeFree[cls]?.popLast()
    }

    /// Allocates `size` bytes; returns nil when the heap is exhausted. `fresh` tells whether the
    /// memory was never used (and so is already zero).
    public mutating func allocate(_ size: Int) -> (address: UInt64, fresh: Bool)? {
        guard size >= 0, size < Int(limit - base) else { return nil }
        let cls = Self.sizeClass(size)
        if let block = popFree(cls) {
            blocks[block] = (size, cls)
            liveBytes += size
            return (block, false)
        }
        guard UInt64(cls) <= limit - top else { return nil }
        let block = top
        top += UInt64(cls)
        blocks[block] = (size, cls)
        liveBytes += size
        return (block, true)
    }

    /// Allocates `size` bytes aligned to `alignment` (a power of two above 16) from fresh memory.
    public mutating func allocateAligned(_ size: Int, alignment: Int) -> UInt64? {
        guard size >= 0, size < Int(limit - base), alignment > 0, UInt64(alignment) < limit - base else { return nil }
        let cls = Self.sizeClass(size)
        let aligned = (top + UInt64(alignment) - 1) & ~(UInt64(alignment) - 1)
        guard aligned <= limit, UInt64(cls) <= limit - aligned else { return nil }
        top = aligned + UInt64(cls)
        blocks[aligned] = (size, cls)
        liveBytes += size
        return aligned
    }

    /// Frees a block; returns false when `address` is not a live block (double or wild free).
    public mutating func free(_ address: UInt64) -> Bool {
        guard let b = blocks[address], b.size >= 0 else { return false }
        blocks[address] = (-1, b.capacity)
        liveBytes -= b.size
        if b.capacity <= 4096 { smallFree[b.capacity >> 4].append(address) } else { largeFree[b.capacity, default: []].append(address) }
        return true
    }

    /// Requested size of a live block.
    public func size(of address: UInt64) -> Int? {
        guard let b = blocks[address], b.size >= 0 else { return nil }
        return b.size
    }

    /// Usable size of a live block (≥ its requested size).
    public func usableSize(of address: UInt64) -> Int? {
        guard let b = blocks[address], b.size >= 0 else { return nil }
        return b.capacity
    }

    /// Grows or shrinks a live block in place when its class allows it.
    public mutating func resizeInPlace(_ address: UInt64, to newSize: Int) -> Bool {
        guard let b = blocks[address], b.size >= 0, newSize <= b.capacity else { return false }
        blocks[address] = (newSize, b.capacity)
        liveBytes += newSize - b.size
        return true
    }
}
