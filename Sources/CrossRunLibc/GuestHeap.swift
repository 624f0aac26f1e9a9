/// A malloc-style allocator over a range of guest addresses, with all bookkeeping on the host
/// (a guest buffer overflow cannot corrupt it). Blocks are 16-byte aligned.
///
/// Small requests (≤ 4 KiB) use exact 16-byte size classes. Each class takes its blocks from
/// its own 64 KiB *spans*, so a block's class follows from its address (span index → class)
/// and its requested size sits in a flat array at (span's slot offset + index in span): no
/// hashing on malloc or free, O(1) both ways. Freed blocks go to their class's free list
/// (LIFO). Larger and over-aligned blocks (power-of-two classes from 8 KiB) come from the bump
/// pointer, with their metadata in a dictionary — they are few and each costs a memcpy of
/// kilobytes anyway.
public struct GuestHeap: Sendable {
    /// First address managed.
    public let base: UInt64
    /// One past the last address that may be handed out.
    public let limit: UInt64
    private var top: UInt64

    static let spanShift: UInt64 = 16
    static let spanSize: UInt64 = 1 << spanShift
    static let smallLimit = 4096
    /// Marks a free slot in ``smallSizes``.
    private static let freeSlot = UInt16.max

    /// Per 64 KiB span from `base` up to the bump pointer: the small class it serves (its block
    /// capacity), 0 when it holds large blocks or nothing.
    private var spanClass: [UInt16] = []
    /// Per span: where its slots start in ``smallSizes``.
    private var spanSlots: [UInt32] = []
    /// Requested size of every small block (``freeSlot`` when free), span by span.
    private var smallSizes: [UInt16] = []
    /// Per small class (capacity / 16): the span it is carving fresh blocks from and the next
    /// fresh block's index there.
    private var carving = [(span: Int, next: Int)](repeating: (-1, 0), count: smallLimit / 16 + 1)
    /// Free lists of the small classes, indexed by capacity / 16.
    private var smallFree = [[UInt64]](repeating: [], count: smallLimit / 16 + 1)
    /// Live and free large blocks: requested size (-1 when free) and class capacity.
    private var large: [UInt64: (size: Int, capacity: Int)] = [:]
    /// Free lists of the large classes, by capacity.
    private var largeFree: [Int: [UInt64]] = [:]
    /// Bytes currently allocated (requested sizes).
    public private(set) var liveBytes = 0

    public init(base: UInt64, size: UInt64) {
        // Spans are 64 KiB-aligned relative to `base`, which only needs 16-byte alignment.
        self.base = (base + 15) & ~15
        self.limit = base + size
        self.top = self.base
    }

    /// The capacity class for a request of `size` bytes.
    static func sizeClass(_ size: Int) -> Int {
        let n = max(size, 1)
        if n <= smallLimit { return (n + 15) & ~15 }
        guard n <= 1 << 62 else { return Int.max }      // never satisfiable; callers bound size first
        var c = 8192
        while c < n { c <<= 1 }
        return c
    }

    /// Allocates `size` bytes; returns nil when the heap is exhausted. `fresh` tells whether the
    /// memory was never used (and so is already zero).
    public mutating func allocate(_ size: Int) -> (address: UInt64, fresh: Bool)? {
        guard size >= 0, UInt64(size) < limit - base else { return nil }
        let cls = Self.sizeClass(size)
        if cls <= Self.smallLimit { return allocateSmall(size, cls) }
        if let block = largeFree[cls]?.popLast() {
            large[block] = (size, cls)
            liveBytes += size
            return (block, false)
        }
        guard let block = bump(UInt64(cls), alignment: 16) else { return nil }
        large[block] = (size, cls)
        liveBytes += size
        return (block, true)
    }

    private mutating func allocateSmall(_ size: Int, _ cls: Int) -> (address: UInt64, fresh: Bool)? {
        let k = cls >> 4
        if let block = smallFree[k].popLast() {
            smallSizes[slot(of: block, span: span(of: block), cls: cls)] = UInt16(size)
            liveBytes += size
            return (block, false)
        }
        var (span, next) = carving[k]
        if span < 0 || next >= Int(Self.spanSize) / cls {
            guard let start = bump(Self.spanSize, alignment: Self.spanSize) else { return nil }
            span = Int((start - base) >> Self.spanShift)
            spanClass[span] = UInt16(cls)
            spanSlots[span] = UInt32(smallSizes.count)
            smallSizes.append(contentsOf: repeatElement(Self.freeSlot, count: Int(Self.spanSize) / cls))
            next = 0
        }
        carving[k] = (span, next + 1)
        smallSizes[Int(spanSlots[span]) + next] = UInt16(size)
        liveBytes += size
        return (spanStart(span) + UInt64(next * cls), true)
    }

    /// Takes `size` bytes at `alignment` (relative to `base`) from the bump pointer, extending
    /// the span tables over the new range.
    private mutating func bump(_ size: UInt64, alignment: UInt64) -> UInt64? {
        let offset = top - base
        let alignedOffset = (offset + alignment - 1) & ~(alignment - 1)
        guard alignedOffset >= offset, alignedOffset <= limit - base, size <= limit - base - alignedOffset else { return nil }
        let start = base + alignedOffset
        top = start + size
        let spans = Int((top - base + Self.spanSize - 1) >> Self.spanShift)
        if spans > spanClass.count {
            spanClass.append(contentsOf: repeatElement(0, count: spans - spanClass.count))
            spanSlots.append(contentsOf: repeatElement(0, count: spans - spanSlots.count))
        }
        return start
    }

    private func span(of address: UInt64) -> Int { Int((address - base) >> Self.spanShift) }
    private func spanStart(_ span: Int) -> UInt64 { base + UInt64(span) << Self.spanShift }
    private func slot(of address: UInt64, span: Int, cls: Int) -> Int {
        Int(spanSlots[span]) + Int(address - spanStart(span)) / cls
    }

    /// Where a live or free small block's size is kept, or nil when `address` is not the start
    /// of a small block (a large block, or no block).
    private func smallSlot(_ address: UInt64) -> (slot: Int, cls: Int)? {
        guard address >= base, address < top else { return nil }
        let s = span(of: address)
        let cls = Int(spanClass[s])
        guard cls != 0, Int(address - spanStart(s)) % cls == 0 else { return nil }
        return (slot(of: address, span: s, cls: cls), cls)
    }

    /// Allocates `size` bytes aligned to `alignment` (a power of two above 16) from fresh memory.
    public mutating func allocateAligned(_ size: Int, alignment: Int) -> UInt64? {
        guard size >= 0, UInt64(size) < limit - base, alignment > 0, UInt64(alignment) < limit - base else { return nil }
        let cls = max(Self.sizeClass(size), Self.smallLimit * 2)
        guard let block = bump(UInt64(cls), alignment: UInt64(alignment)) else { return nil }
        large[block] = (size, cls)
        liveBytes += size
        return block
    }

    /// Frees a block; returns false when `address` is not a live block (double or wild free).
    public mutating func free(_ address: UInt64) -> Bool {
        if let (slot, cls) = smallSlot(address) {
            let size = smallSizes[slot]
            guard size != Self.freeSlot else { return false }
            smallSizes[slot] = Self.freeSlot
            liveBytes -= Int(size)
            smallFree[cls >> 4].append(address)
            return true
        }
        guard let b = large[address], b.size >= 0 else { return false }
        large[address] = (-1, b.capacity)
        liveBytes -= b.size
        largeFree[b.capacity, default: []].append(address)
        return true
    }

    /// Requested size of a live block.
    public func size(of address: UInt64) -> Int? {
        if let (slot, _) = smallSlot(address) {
            let size = smallSizes[slot]
            return size == Self.freeSlot ? nil : Int(size)
        }
        guard let b = large[address], b.size >= 0 else { return nil }
        return b.size
    }

    /// Grows or shrinks a live block in place when its class allows it.
    public mutating func resizeInPlace(_ address: UInt64, to newSize: Int) -> Bool {
        if let (slot, cls) = smallSlot(address) {
            let old = smallSizes[slot]
            guard old != Self.freeSlot, newSize >= 0, newSize <= cls else { return false }
            smallSizes[slot] = UInt16(newSize)
            liveBytes += newSize - Int(old)
            return true
        }
        guard let b = large[address], b.size >= 0, newSize >= 0, newSize <= b.capacity else { return false }
        large[address] = (newSize, b.capacity)
        liveBytes += newSize - b.size
        return true
    }
}
