/// The page level of ``GuestHeap``: the heap's address range is a sequence of 4 KiB pages
/// handed out as *runs* (consecutive pages) — a large block, or a span of small blocks — from
/// free runs or, past them, from the untouched end (`top`). Freed runs are coalesced with free
/// neighbours at once (boundary tags: a free run's first and last page both record its
/// length), and a free run that reaches `top` lowers it, so a churn of blocks of changing
/// sizes reuses the same pages instead of growing the heap. Free runs sit in exact-length
/// lists up to ``maxBucket`` pages (a bit mask finds the first non-empty one at or above a
/// length) and in one best-fit list above. Everything here is host-side, indexed by page
/// number: no hashing, and nothing the guest can write.
extension GuestHeap {
    /// What a page is, for the pages that start or end a run (inner pages are `.inner`).
    enum PageKind: UInt8, Sendable {
        case inner, large, span, freeHead, freeTail
    }

    /// Per page: its kind, the run's length (at a run's head, and at a free run's tail), the
    /// free-list links (at a free run's head) and the requested size (at a large block's head).
    /// (The small span a page belongs to is in the denser ``GuestHeap/pageSpans``, which every
    /// `free` reads.)
    struct Page: Sendable {
        var kind = PageKind.inner
        var length: UInt32 = 0
        var previous: Int32 = -1
        var next: Int32 = -1
        var size = 0
    }

    static let pageShift: UInt64 = 12
    static let pageSize = 1 << 12
    /// Free runs up to this many pages (1 MiB) have exact-length lists; longer ones share one.
    static let maxBucket = 256

    /// The number of pages a block of `size` bytes needs (at least one), or nil past `limit` pages.
    static func pagesFor(_ size: Int, limit: Int) -> Int? {
        guard size >= 0, size <= limit << 12 else { return nil }
        return max(1, (size + pageSize - 1) >> 12)
    }

    /// The guest address of page `page`.
    @inline(__always) func address(ofPage page: Int) -> UInt64 { base + UInt64(page) << Self.pageShift }

    /// Makes the page table cover pages below `count`.
    mutating func coverPages(_ count: Int) {
        guard count > pages.count else { return }
        let grown = min(maxPages, max(count, pages.count * 2, 256))
        pageSpans.append(contentsOf: repeatElement(0, count: grown - pages.count))
        pages.append(contentsOf: repeatElement(Page(), count: grown - pages.count))
    }

    @inline(__always) static func bucket(_ length: Int) -> Int { length <= maxBucket ? length : 0 }

    /// Adds the free run `[head, head + length)` to its list and marks its ends.
    mutating func insertFree(_ head: Int, _ length: Int) {
        pages[head].kind = .freeHead
        pages[head].length = UInt32(length)
        if length > 1 {
            pages[head + length - 1].kind = .freeTail
            pages[head + length - 1].length = UInt32(length)
        }
        let b = Self.bucket(length)
        let first = freeLists[b]
        pages[head].previous = -1
        pages[head].next = first
        if first >= 0 { pages[Int(first)].previous = Int32(head) }
        freeLists[b] = Int32(head)
        freeMask[b >> 6] |= 1 << UInt64(b & 63)
    }

    /// Takes the free run at `head` off its list and clears its end marks.
    mutating func removeFree(_ head: Int) {
        let length = Int(pages[head].length)
        let b = Self.bucket(length)
        let previous = pages[head].previous, next = pages[head].next
        if previous >= 0 { pages[Int(previous)].next = next } else { freeLists[b] = next }
        if next >= 0 { pages[Int(next)].previous = previous }
        if freeLists[b] < 0 { freeMask[b >> 6] &= ~(1 << UInt64(b & 63)) }
        pages[head].kind = .inner
        if length > 1 { pages[head + length - 1].kind = .inner }
    }

    /// Takes a run of `count` pages: the shortest free run that fits (the rest of it stays
    /// free), else fresh pages from `top`. `fresh`: every page was never handed out (zero).
    mutating func takeRun(_ count: Int) -> (head: Int, fresh: Bool)? {
        guard count > 0, count <= maxPages else { return nil }
        var found = -1
        if count <= Self.maxBucket {
            var b = count
            while b <= Self.maxBucket {
                let word = freeMask[b >> 6] >> UInt64(b & 63)
                if word != 0 { b += word.trailingZeroBitCount; break }
                b = (b | 63) + 1
            }
            if b <= Self.maxBucket { found = Int(freeLists[b]) }
        }
        if found < 0 {
            var best = -1, bestLength = Int.max
            var h = freeLists[0]
            while h >= 0 {
                let length = Int(pages[Int(h)].length)
                if length >= count && length < bestLength { best = Int(h); bestLength = length }
                h = pages[Int(h)].next
            }
            found = best
        }
        if found >= 0 {
            let length = Int(pages[found].length)
            removeFree(found)
            if length > count { insertFree(found + count, length - count) }
            return (found, false)
        }
        guard count <= maxPages - top else { return nil }
        let head = top
        top += count
        coverPages(top)
        let fresh = head >= highWater
        highWater = max(highWater, top)
        return (head, fresh)
    }

    /// Returns the run `[head, head + count)` (its head already unmarked), merged with free
    /// neighbours; a run that ends at `top` lowers it instead.
    mutating func releaseRun(_ head: Int, _ count: Int) {
        var head = head, count = count
        if head > 0 {
            let before = pages[head - 1]
            if before.kind == .freeTail || before.kind == .freeHead {
                let start = head - Int(before.length)
                removeFree(start)
                count += head - start
                head = start
            }
        }
        let after = head + count
        if after < top, pages[after].kind == .freeHead {
            let length = Int(pages[after].length)
            removeFree(after)
            count += length
        }
        if head + count == top {
            top = head
            return
        }
        insertFree(head, count)
    }

    /// Grows the run at `head` from `count` to `wanted` pages in place, from a free run right
    /// after it or from `top`. False when the pages after it are taken.
    mutating func extendRun(_ head: Int, from count: Int, to wanted: Int) -> Bool {
        let after = head + count, extra = wanted - count
        if after == top {
            guard extra <= maxPages - top else { return false }
            top += extra
            coverPages(top)
            highWater = max(highWater, top)
            return true
        }
        guard pages[after].kind == .freeHead else { return false }
        let length = Int(pages[after].length)
        guard length >= extra else { return false }
        removeFree(after)
        if length > extra { insertFree(after + extra, length - extra) }
        return true
    }
}
