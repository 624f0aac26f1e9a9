#if canImport(Glibc)
import Glibc
#endif

/// One scanf text conversion — `%s`, `%c`, `%[...]`, their wide `%ls %lc %l[` forms and the
/// allocating `%ms %mc %m[` — converted by the host in pieces of at most ``chunk`` characters
/// into a bounded host buffer, each piece handed on as it comes. Whatever the guest's field
/// width or token length, the host writes only into this buffer (a wide character is 4
/// bytes), and the characters themselves are matched by glibc's own scanf.
struct ScanfTextField {
    enum Kind: Equatable {
        /// `%s`: white space skipped, then characters up to the next white space.
        case string
        /// `%c`: exactly `width` characters (fewer at the end of input), no terminator.
        case characters
        /// `%[...]`, the conversion text from `[` through `]`.
        case set(String)
    }

    enum Result: Equatable {
        /// The input ended before the field's first character.
        case inputFailure
        /// The first character does not belong to the field.
        case matchingFailure
        /// The field was read: `units` characters (bytes, or 4-byte wide characters).
        case field(units: Int)
    }

    /// Characters converted per host call.
    static let chunk = 4096

    var kind: Kind
    /// `l`: converted to 4-byte `wchar_t`s.
    var wide: Bool
    /// The field width as written (0: none).
    var width: Int

    /// Bytes per converted character.
    var unit: Int { wide ? 4 : 1 }
    /// Whether a terminator (a zero character) follows the characters (not for `%c`).
    var terminated: Bool { kind != .characters }

    /// Reads the field. `skipSpace` consumes white space; `convert(spec, buffer)` runs one host
    /// conversion of `spec` (no `%n`) into `buffer`, advancing the input, and returns (items,
    /// characters consumed) or nil at a matching failure; `take` receives each converted piece.
    func read(skipSpace: () -> Void, convert: (String, UnsafeMutableRawPointer) -> (Int32, Int)?,
              take: (UnsafeRawBufferPointer) throws -> Void) throws -> Result {
        let capacity = (Self.chunk + 1) * unit
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        var remaining = width > 0 ? width : (kind == .characters ? 1 : Int.max)
        // `%s` is white space skipped, then a set of everything but white space (C locale),
        // which, unlike `%s`, can resume a token across pieces without skipping anything.
        let conversion: String
        switch kind {
        case .string:
            skipSpace()
            conversion = "[^ \t\n\u{0B}\u{0C}\r]"
        case .characters: conversion = "c"
        case .set(let text): conversion = text
        }
        var units = 0
        while remaining > 0 {
            let k = min(Self.chunk, remaining)
            // Wide output is counted by the words it overwrote: glibc never produces 0xffffffff.
            if wide { memset(buffer, 0xff, capacity) }
            let result = convert("%\(k)\(wide ? "l" : "")\(conversion)", buffer)
            guard let (items, consumed) = result, items >= 1 else {
                if units > 0 { break }
                return result?.0 == -1 ? .inputFailure : .matchingFailure
            }
            var got = consumed
            if wide {
                got = 0
                while got <= k && buffer.load(fromByteOffset: 4 * got, as: UInt32.self) != UInt32.max { got += 1 }
                if terminated { got = max(got - 1, 0) }
            }
            got = min(got, k)
            try take(UnsafeRawBufferPointer(start: buffer, count: got * unit))
            units += got
            remaining -= got
            if got < k || got == 0 { break }
        }
        return .field(units: units)
    }
}
