/// A malloc-style allocator over a range of guest addresses, with all bookkeeping on the host
/// (a guest buffer overflow cannot corrupt it) and none of it hashed. Blocks are 16-byte
/// aligned.
///
/// - Small requests (≤ 4 KiB) use exact 16-byte size classes. A class takes its blocks from
///   64 KiB *spans* (16-page runs): a block's span follows from its page, its index from its
///   offset, and a per-span bitmap says which blocks are live, so malloc and free are O(1)
///   (free clears a bit; malloc takes the lowest free block of the class's first span with
///   room). A span that empties goes back to the page level, unless it is its class's last
///   one with room, so pages move between classes as a program's sizes change.
/// - Larger blocks are page runs (GuestHeap+Pages): best fit among coalesced free runs, else
///   fresh pages; `realloc` grows one in place into a free neighbour and shrinks it by
///   releasing its tail.
/// - Aligned blocks: alignments up to 4 KiB come from a small class that is a multiple of the
///   alignment (spans are page-aligned), larger ones from an over-long run trimmed to the
///   alignment.
///
/// Addresses the guest passes to `free`/`realloc` are only ever table indices after a range
/// check, so a wild, interior or double free is refused (the caller aborts as glibc does).
public struct GuestHeap: Sendable {
    /// First address managed (page-aligned).
    public let base: UInt64
    /// One past the last address that may be handed out.
    public let limit: UInt64
    /// Bytes currently allocated (requested sizes).
    public private(set) var liveBytes = 0

    static let smallLimit = 4096
    static let spanPages = 16
    static let spanBytes = spanPages << 12
    /// Blocks a span holds at most (of the 16-byte class), and its bitmap's words.
    static let maxBlocks = spanBytes / 16
    static let bitmapWords = maxBlocks / 64

    // Page level (GuestHeap+Pages).
    let maxPages: Int
    /// Pages below `top` have been handed out at some time; pages at or past `highWater` never
    /// were (they are still zero).
    var top = 0
    var highWater = 0
    var pages: [Page] = []
    /// Per page: the small span it belongs to (span id + 1), 0 for none.
    var pageSpans: [UInt32] = []
    /// Heads of the free-run lists (index = length in pages; 0 = longer than ``maxBucket``).
    var freeLists = [Int32](repeating: -1, count: maxBucket + 1)
    /// Bit b set when list b is not empty.
    var freeMask = [UInt64](repeating: 0, count: (maxBucket >> 6) + 1)

    // Small spans, by span id (ids of released spans are reused, so these do not grow past
    // the most spans ever live at once).
    var spans: [Span] = []
    /// Live-block bitmaps, ``bitmapWords`` per span id (bits past a span's capacity are set).
    var spanBits: [UInt64] = []
    /// Requested size of every live small block, ``maxBlocks`` per span id.
    var blockSizes: [UInt16] = []
    var spareSpanIDs: [Int32] = []
    /// Per class (capacity / 16): the first of its spans with a free block (a list through
    /// ``Span/next``), or -1.
    var classSpans = [Int32](repeating: -1, count: smallLimit / 16 + 1)

    struct Span: Sendable {
        var head: Int32 = 0
        /// The class's block size in bytes.
        var blockSize: UInt16 = 0
        var capacity: UInt16 = 0
        var live: UInt16 = 0
        /// ⌊2³² / blockSize⌋ + 1: an offset in the span (< 2¹⁶) times this, shifted right by
        /// 32, is the offset divided by the block size (< 2¹³), exactly.
        var reciprocal: UInt32 = 0
        /// Blocks at or past this index were never handed out since the span was made; they
        /// are zero when the span's pages were fresh.
        var used: UInt16 = 0
        var fresh = false
        /// The first bitmap word that may have a free bit.
        var hint: UInt8 = 0
        var previous: Int32 = -1
        var next: Int32 = -1
    }

    /// A heap over `[base, base + size)`; `base` is rounded up to a page.
    public init(base: UInt64, size: UInt64) {
        let start = base <= UInt64.max - 4095 ? (base + 4095) & ~4095 : base
        let (end, overflow) = base.addingReportingOverflow(size)
        let limit = overflow ? start : max(start, end)
        self.base = start
        self.limit = limit
        self.maxPages = Int(min((limit - start) >> Self.pageShift, UInt64(Int32.max - 1)))
    }

    /// The capacity class for a request of `size` bytes (≤ ``smallLimit``).
    @inline(__always) static func smallClass(_ size: Int) -> Int { (max(size, 1) + 15) & ~15 }

    /// Allocates `size` bytes; returns nil when the heap is exhausted. `fresh` tells whether the
    /// memory was never used (and so is already zero).
    public mutating func allocate(_ size: Int) -> (address: UInt64, fresh: Bool)? {
        guard size >= 0 else { return nil }
        if size <= Self.smallLimit { return allocateSmall(size, Self.smallClass(size)) }
        return allocateLarge(size, alignmentPages: 1)
    }

    /// Allocates `size` bytes aligned to `alignment` (a power of two).
    public mutating func allocateAligned(_ size: Int, alignment: Int) -> UInt64? {
        guard size >= 0, alignment > 0, alignment & (alignment - 1) == 0 else { return nil }
        if alignment <= Self.pageSize && size <= Self.smallLimit {
            // A class that is a multiple of the alignment: every block of it is aligned.
            let cls = (Self.smallClass(size) + alignment - 1) & ~(alignment - 1)
            if cls <= Self.smallLimit { return allocateSmall(size, cls)?.address }
        }
        guard UInt64(alignment) < limit - base else { return nil }
        return allocateLarge(size, alignmentPages: max(1, alignment >> Self.pageShift))?.address
    }

    private mutating func allocateLarge(_ size: Int, alignmentPages: Int) -> (address: UInt64, fresh: Bool)? {
        guard let count = Self.pagesFor(size, limit: maxPages), alignmentPages <= maxPages - count + 1 else { return nil }
        guard let (start, fresh) = takeRunOrTrim(count + alignmentPages - 1) else { return nil }
        var head = start
        if alignmentPages > 1 {
            // base is page-aligned; align the address, then give back what is before and after.
            let alignBytes = UInt64(alignmentPages) << Self.pageShift
            let misalignment = address(ofPage: start) & (alignBytes - 1)
            head = start + (misalignment == 0 ? 0 : Int((alignBytes - misalignment) >> Self.pageShift))
            pages[head].kind = .large
            if head > start { releaseRun(start, head - start) }
            let end = start + count + alignmentPages - 1
            if end > head + count { releaseRun(head + count, end - head - count) }
        }
        pages[head].kind = .large
        pages[head].length = UInt32(count)
        pages[head].size = size
        liveBytes += size
        return (address(ofPage: head), fresh)
    }

    private mutating func allocateSmall(_ size: Int, _ cls: Int) -> (address: UInt64, fresh: Bool)? {
        let k = cls >> 4
        var id = 0, w = 0, bitsBase = 0
        while true {
            id = Int(classSpans[k])
            if id < 0 {
                guard let made = makeSpan(cls) else { return nil }
                id = made
            }
            // A span on its class's list has a free block at or after its hint.
            w = Int(spans[id].hint)
            bitsBase = id * Self.bitmapWords
            while w < Self.bitmapWords && spanBits[bitsBase + w] == UInt64.max { w += 1 }
            if w < Self.bitmapWords { break }
            unlinkSpan(id)      // not reached while the tables agree; a full span leaves the list
        }
        let bit = (~spanBits[bitsBase + w]).trailingZeroBitCount
        spanBits[bitsBase + w] |= 1 << UInt64(bit)
        let index = w * 64 + bit
        var span = spans[id]
        span.hint = UInt8(w)
        span.live += 1
        let fresh = span.fresh && index >= Int(span.used)
        if index >= Int(span.used) { span.used = UInt16(index + 1) }
        spans[id] = span
        if span.live == span.capacity { unlinkSpan(id) }
        blockSizes[id * Self.maxBlocks + index] = UInt16(size)
        liveBytes += size
        return (address(ofPage: Int(span.head)) + UInt64(index * cls), fresh)
    }

    /// A new span for class `cls`, at the head of the class's list.
    private mutating func makeSpan(_ cls: Int) -> Int? {
        guard let (head, fresh) = takeRunOrTrim(Self.spanPages) else { return nil }
        let id: Int
        if let spare = spareSpanIDs.popLast() {
            id = Int(spare)
        } else {
            id = spans.count
            spans.append(Span())
            spanBits.append(contentsOf: repeatElement(0, count: Self.bitmapWords))
            blockSizes.append(contentsOf: repeatElement(0, count: Self.maxBlocks))
        }
        let capacity = Self.spanBytes / cls
        spans[id] = Span(head: Int32(head), blockSize: UInt16(cls), capacity: UInt16(capacity),
                         reciprocal: UInt32((1 << 32) / cls + 1), fresh: fresh)
        let bitsBase = id * Self.bitmapWords
        for w in 0..<Self.bitmapWords {
            let first = w * 64
            spanBits[bitsBase + w] = capacity >= first + 64 ? 0 : capacity <= first ? UInt64.max : UInt64.max << UInt64(capacity - first)
        }
        pages[head].kind = .span
        pages[head].length = UInt32(Self.spanPages)
        for p in head..<(head + Self.spanPages) { pageSpans[p] = UInt32(id + 1) }
        linkSpan(id)
        return id
    }

    private mutating func linkSpan(_ id: Int) {
        let k = Int(spans[id].blockSize) >> 4
        let first = classSpans[k]
        spans[id].previous = -1
        spans[id].next = first
        if first >= 0 { spans[Int(first)].previous = Int32(id) }
        classSpans[k] = Int32(id)
    }

    private mutating func unlinkSpan(_ id: Int) {
        let k = Int(spans[id].blockSize) >> 4
        let previous = spans[id].previous, next = spans[id].next
        if previous >= 0 { spans[Int(previous)].next = next } else { classSpans[k] = next }
        if next >= 0 { spans[Int(next)].previous = previous }
        spans[id].previous = -1
        spans[id].next = -1
    }

    /// What `address` is: a live small block (span id, index) or a live large block (head
    /// page); nil for anything else (outside the heap, inside a block, free).
    private func locate(_ address: UInt64) -> Block? {
        guard address >= base else { return nil }
        let offset = address - base
        let page = Int(truncatingIfNeeded: offset >> Self.pageShift)
        guard offset >> Self.pageShift < UInt64(top) else { return nil }
        let spanRef = pageSpans[page]
        if spanRef != 0 {
            let id = Int(spanRef) - 1
            let span = spans[id]
            let inSpan = offset - (UInt64(span.head) << Self.pageShift)
            let index = Self.divide(inSpan, reciprocal: span.reciprocal)
            guard index * Int(span.blockSize) == Int(inSpan), index < Int(span.capacity),
                  spanBits[id * Self.bitmapWords + index >> 6] & (1 << UInt64(index & 63)) != 0 else { return nil }
            return .small(id: id, index: index)
        }
        guard offset & UInt64(Self.pageSize - 1) == 0, pages[page].kind == .large else { return nil }
        return .large(head: page)
    }

    /// `offset / blockSize` for an offset in a span, by ``Span/reciprocal`` (no division).
    @inline(__always) static func divide(_ offset: UInt64, reciprocal: UInt32) -> Int {
        Int(truncatingIfNeeded: (offset &* UInt64(reciprocal)) >> 32)
    }

    private enum Block { case small(id: Int, index: Int), large(head: Int) }

    /// Frees a block; returns false when `address` is not a live block (double or wild free).
    public mutating func free(_ address: UInt64) -> Bool {
        switch locate(address) {
        case nil:
            return false
        case let .small(id, index):
            let w = index >> 6
            spanBits[id * Self.bitmapWords + w] &= ~(1 << UInt64(index & 63))
            liveBytes -= Int(blockSizes[id * Self.maxBlocks + index])
            var span = spans[id]
            let wasFull = span.live == span.capacity
            span.live -= 1
            if w < Int(span.hint) { span.hint = UInt8(w) }
            spans[id] = span
            if wasFull { linkSpan(id) }
            // An empty span goes back to the pages unless it is the class's only one with room.
            if span.live == 0 && (spans[id].previous >= 0 || spans[id].next >= 0) { releaseSpan(id) }
            return true
        case let .large(head):
            liveBytes -= pages[head].size
            pages[head].kind = .inner
            releaseRun(head, Int(pages[head].length))
            return true
        }
    }

    private mutating func releaseSpan(_ id: Int) {
        unlinkSpan(id)
        let head = Int(spans[id].head)
        for p in head..<(head + Self.spanPages) { pageSpans[p] = 0 }
        pages[head].kind = .inner
        spans[id].capacity = 0
        spareSpanIDs.append(Int32(id))
        releaseRun(head, Self.spanPages)
    }

    /// A run of `count` pages; when none is left, the empty spans kept for their classes are
    /// given back first (``trim()``).
    private mutating func takeRunOrTrim(_ count: Int) -> (head: Int, fresh: Bool)? {
        if let run = takeRun(count) { return run }
        return trim() ? takeRun(count) : nil
    }

    /// Gives back the empty spans each class keeps (one per class at most, so a malloc/free
    /// pair does not make and release a span each time); true when there was one
    /// (`malloc_trim`, and before the heap reports exhaustion).
    public mutating func trim() -> Bool {
        var released = false
        for id in spans.indices where spans[id].capacity != 0 && spans[id].live == 0 {
            releaseSpan(id)
            released = true
        }
        return released
    }

    /// Requested size of a live block.
    public func size(of address: UInt64) -> Int? {
        switch locate(address) {
        case nil: return nil
        case let .small(id, index): return Int(blockSizes[id * Self.maxBlocks + index])
        case let .large(head): return pages[head].size
        }
    }

    /// Grows or shrinks a live block in place: a small block within its class, a large one by
    /// taking the free pages after it or giving back its tail.
    public mutating func resizeInPlace(_ address: UInt64, to newSize: Int) -> Bool {
        guard newSize >= 0 else { return false }
        switch locate(address) {
        case nil:
            return false
        case let .small(id, index):
            guard newSize <= Int(spans[id].blockSize) else { return false }
            let slot = id * Self.maxBlocks + index
            liveBytes += newSize - Int(blockSizes[slot])
            blockSizes[slot] = UInt16(newSize)
            return true
        case let .large(head):
            guard let wanted = Self.pagesFor(newSize, limit: maxPages) else { return false }
            let count = Int(pages[head].length)
            if wanted > count {
                guard extendRun(head, from: count, to: wanted) else { return false }
            } else if wanted < count {
                releaseRun(head + wanted, count - wanted)
            }
            pages[head].length = UInt32(wanted)
            liveBytes += newSize - pages[head].size
            pages[head].size = newSize
            return true
        }
    }
}
