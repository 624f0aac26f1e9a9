/// Bounds-checked little-endian reads from a byte buffer.
///
/// Every read validates its offset and length, so hostile input produces an ``ELFError``
/// instead of a trap. Offsets are `Int` computed with overflow checks by the callers' use of
/// ``range(_:_:what:)`` (which adds with ``Checked``).
public struct ByteReader: Sendable {
    /// The bytes being read.
    public let bytes: [UInt8]
    /// Name used in error messages.
    public let file: String

    /// Wraps `bytes`, naming them `file` in errors.
    public init(_ bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    /// The number of bytes.
    public var count: Int { bytes.count }

    /// Validates that `[offset, offset+length)` lies inside the buffer and returns it. (`what`
    /// is made only for the error: callers describe sections and symbols by index, and
    /// interpolating that for every one read was a tenth of parsing an object.)
    public func range(_ offset: UInt64, _ length: UInt64, what: @autoclosure () -> String) throws -> Range<Int> {
        guard let end = Checked.add(offset, length), end <= UInt64(bytes.count) else {
            throw ELFError(file: file, "\(what()) at offset \(offset) with size \(length) lies outside the file (\(bytes.count) bytes)")
        }
        return Int(offset)..<Int(end)
    }

    @inline(__always)
    private func load<T: FixedWidthInteger>(_ offset: Int, as: T.Type, what: String) throws -> T {
        guard offset >= 0, offset <= bytes.count - MemoryLayout<T>.size else {
            throw ELFError(file: file, "\(what): read at offset \(offset) past end of file (\(bytes.count) bytes)")
        }
        return bytes.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
    }

    /// Reads one byte.
    public func u8(_ offset: Int, _ what: String = "byte") throws -> UInt8 { try load(offset, as: UInt8.self, what: what) }
    /// Reads a little-endian `UInt16`.
    public func u16(_ offset: Int, _ what: String = "half") throws -> UInt16 { try load(offset, as: UInt16.self, what: what) }
    /// Reads a little-endian `UInt32`.
    public func u32(_ offset: Int, _ what: String = "word") throws -> UInt32 { try load(offset, as: UInt32.self, what: what) }
    /// Reads a little-endian `UInt64`.
    public func u64(_ offset: Int, _ what: String = "xword") throws -> UInt64 { try load(offset, as: UInt64.self, what: what) }
    /// Reads a little-endian `Int64`.
    public func i64(_ offset: Int, _ what: String = "sxword") throws -> Int64 { try load(offset, as: Int64.self, what: what) }

    /// Reads a NUL-terminated string starting at `offset` inside `table`.
    public func cString(in table: Range<Int>, at offset: UInt64, what: @autoclosure () -> String) throws -> String {
        guard offset < UInt64(table.count) else {
            if offset == 0 && table.isEmpty { return "" }
            throw ELFError(file: file, "\(what()): string index \(offset) outside its string table (\(table.count) bytes)")
        }
        let start = table.lowerBound + Int(offset)
        guard let end = bytes[start..<table.upperBound].firstIndex(of: 0) else {
            throw ELFError(file: file, "\(what()): string at index \(offset) is not NUL-terminated")
        }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}
