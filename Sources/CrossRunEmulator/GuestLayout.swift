/// Where things live in a guest address space (the same for every architecture).
public struct GuestLayout: Sendable {
    /// Trampoline stubs; the first stub's address doubles as the "return to host" address.
    public var trampolineBase: UInt64 = 0x10_0000
    /// The LinkImage (4 KiB aligned, as the image contract requires).
    public var imageBase: UInt64 = 0x40_0000
    /// Bytes reserved for the heap (`malloc`, the runtime's own data); committed lazily.
    public var heapSize: UInt64 = 1 << 30
    /// Top of the main stack.
    public var stackTop: UInt64 = 0x7fff_0000_0000
    /// Stack size; below it is unmapped, so runaway recursion faults.
    public var stackSize: UInt64 = 8 << 20
    /// Where the guest's `mmap` places mappings: far above the heap, below the stack.
    public var mappingArea: Range<UInt64> = 0x7e00_0000_0000..<0x7ffe_0000_0000
    /// The lowest address a guest mapping may have: Linux's usual `mmap_min_addr`
    /// (a hint below it is raised to it, as the kernel's `round_hint_to_min` does).
    public var lowestMapping: UInt64 = 0x1_0000

    /// Where a guest mapping may be, at a hint or a fixed address: every free page from
    /// ``lowestMapping`` to the top of ``mappingArea`` (the image, heap, trampolines and stack
    /// are regions of their own, so mappings cannot overlap them).
    public var mappableRange: Range<UInt64> { lowestMapping..<mappingArea.upperBound }

    public init() {}

    /// Rounds up to the 4 KiB page.
    static func pageUp(_ x: UInt64) -> UInt64 { (x + 0xfff) & ~0xfff }
}
