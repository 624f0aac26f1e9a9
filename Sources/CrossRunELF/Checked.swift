/// Overflow-checked arithmetic for values read from input files.
///
/// Sizes, offsets, counts, alignments and symbol values in an object are hostile: a patched
/// `sh_size` or `st_value` can be anything up to 2^64−1. Every sum, product, rounding or
/// conversion of such values in the ELF reader and the linker goes through these helpers,
/// which answer `nil` instead of trapping; the caller turns `nil` into an ``ELFError`` or a
/// `LinkError` that names the file (and the section or symbol).
public enum Checked {
    /// `a + b`, or nil when it overflows `T`.
    @inlinable
    public static func add<T: FixedWidthInteger>(_ a: T, _ b: T) -> T? {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? nil : sum
    }

    /// `a - b`, or nil when it overflows `T` (for unsigned `T`: when `b > a`).
    @inlinable
    public static func subtract<T: FixedWidthInteger>(_ a: T, _ b: T) -> T? {
        let (difference, overflow) = a.subtractingReportingOverflow(b)
        return overflow ? nil : difference
    }

    /// `a * b`, or nil when it overflows `T`.
    @inlinable
    public static func multiply<T: FixedWidthInteger>(_ a: T, _ b: T) -> T? {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? nil : product
    }

    /// `x` rounded up to a multiple of `alignment`, or nil when `alignment` is not a power of
    /// two, `x` is negative, or the result overflows `T`.
    @inlinable
    public static func alignUp<T: FixedWidthInteger>(_ x: T, _ alignment: T) -> T? {
        guard alignment > 0, alignment & (alignment - 1) == 0, x >= 0,
              let bumped = add(x, alignment - 1) else { return nil }
        return bumped & ~(alignment - 1)
    }

    /// `value` as an `Int`, or nil when it does not fit (a `UInt64` above `Int.max`).
    @inlinable
    public static func int<T: BinaryInteger>(_ value: T) -> Int? {
        Int(exactly: value)
    }
}
