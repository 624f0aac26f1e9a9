/// A guest memory access that is not allowed: unmapped, or without the needed permission.
public struct GuestFault: Error, CustomStringConvertible, Sendable, Equatable {
    /// Kind of access.
    public enum Access: String, Sendable { case read, write }
    public var address: UInt64
    public var size: Int
    public var access: Access

    public init(address: UInt64, size: Int, access: Access) {
        self.address = address
        self.size = size
        self.access = access
    }

    public var description: String {
        "invalid \(access) of \(size) byte\(size == 1 ? "" : "s") at 0x\(String(address, radix: 16))"
    }
}

/// Guest memory as host code sees it. Every access is checked against the guest's mappings;
/// a bad pointer throws ``GuestFault`` instead of touching host memory.
///
/// Guest memory is host-backed, so a checked range can be used through a host pointer:
/// libc routines run at host speed on guest data.
public protocol GuestMemory: AnyObject {
    /// Host address of guest range `[address, address + count)`, which must be mapped (and
    /// writable when `write` is set). `count` may be 0 (then any mapped-or-boundary address is fine).
    func host(_ address: UInt64, _ count: Int, write: Bool) throws -> UnsafeMutableRawPointer
    /// The longest range starting at `address` that is readable (for scanning strings).
    func readableSpan(from address: UInt64) throws -> UnsafeRawBufferPointer
}

extension GuestMemory {
    /// Reads a little-endian value.
    @inline(__always)
    public func load<T: FixedWidthInteger>(_ address: UInt64, as: T.Type = T.self) throws -> T {
        T(littleEndian: try host(address, MemoryLayout<T>.size, write: false).loadUnaligned(as: T.self))
    }

    /// Writes a little-endian value.
    @inline(__always)
    public func store<T: FixedWidthInteger>(_ value: T, at address: UInt64) throws {
        try host(address, MemoryLayout<T>.size, write: true).storeBytes(of: value.littleEndian, as: T.self)
    }

    /// Reads a `double`.
    public func loadDouble(_ address: UInt64) throws -> Double { Double(bitPattern: try load(address, as: UInt64.self)) }

    /// Writes a `double`.
    public func storeDouble(_ value: Double, at address: UInt64) throws { try store(value.bitPattern, at: address) }

    /// Length of the NUL-terminated string at `address` (the NUL must be readable).
    public func stringLength(_ address: UInt64) throws -> Int {
        let span = try readableSpan(from: address)
        guard let base = span.baseAddress, let nul = memchr(base, 0, span.count) else {
            throw GuestFault(address: address &+ UInt64(span.count), size: 1, access: .read)
        }
        return base.distance(to: UnsafeRawPointer(nul))
    }

    /// The NUL-terminated string at `address` as bytes (without the NUL), viewed in place.
    public func cString(_ address: UInt64) throws -> UnsafeRawBufferPointer {
        let n = try stringLength(address)
        return UnsafeRawBufferPointer(start: try host(address, n, write: false), count: n)
    }

    /// The NUL-terminated string at `address`, decoded as UTF-8 (invalid bytes repaired).
    public func string(_ address: UInt64) throws -> String {
        String(decoding: try cString(address), as: UTF8.self)
    }

    /// Host view of a readable guest buffer.
    public func bytes(_ address: UInt64, _ count: Int) throws -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: try host(address, count, write: false), count: count)
    }

    /// Host view of a writable guest buffer.
    public func mutableBytes(_ address: UInt64, _ count: Int) throws -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: try host(address, count, write: true), count: count)
    }

    /// Copies `bytes` into guest memory.
    public func write(_ bytes: some Collection<UInt8>, at address: UInt64) throws {
        let dst = try mutableBytes(address, bytes.count)
        _ = dst.initializeMemory(as: UInt8.self, from: bytes)
    }
}

#if canImport(Glibc)
import Glibc
#endif
