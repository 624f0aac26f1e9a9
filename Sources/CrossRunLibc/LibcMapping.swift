#if canImport(Glibc)
import Glibc
#endif

/// Why a mapping request failed: the errno to report.
public struct MappingError: Error, Sendable, Equatable {
    public var code: Int32
    public init(_ code: Int32) { self.code = code }
}

/// Guest page protections.
public struct GuestProtection: Sendable, Equatable {
    public var read: Bool, write: Bool, execute: Bool
    public init(read: Bool, write: Bool, execute: Bool) { self.read = read; self.write = write; self.execute = execute }
}

/// A checked `mmap` request (page-aligned, non-zero length, validated flags).
public struct MapRequest: Sendable {
    /// The address asked for (a hint, or the place with `fixed`).
    public var address: UInt64
    /// Bytes, a multiple of the page size.
    public var length: UInt64
    public var protection: GuestProtection
    /// `MAP_SHARED`: writes reach the file (and other mappings of it).
    public var shared: Bool
    /// `MAP_FIXED`: replace whatever is at `address`.
    public var fixed: Bool
    /// `MAP_FIXED_NOREPLACE`: at `address`, or EEXIST.
    public var noReplace: Bool
    /// The host descriptor of a file mapping, nil for anonymous memory.
    public var descriptor: Int32?
    /// Offset in the file (page multiple).
    public var offset: Int64

    /// Fresh private anonymous memory anywhere in the mapping area (the emulator's thread stacks).
    public init(anonymous length: UInt64, protection: GuestProtection) {
        self.init(address: 0, length: length, protection: protection, shared: false, fixed: false,
                  noReplace: false, descriptor: nil, offset: 0)
    }

    init(address: UInt64, length: UInt64, protection: GuestProtection, shared: Bool, fixed: Bool,
         noReplace: Bool, descriptor: Int32?, offset: Int64) {
        self.address = address
        self.length = length
        self.protection = protection
        self.shared = shared
        self.fixed = fixed
        self.noReplace = noReplace
        self.descriptor = descriptor
        self.offset = offset
    }
}

/// The guest address space as `<sys/mman.h>` changes it (the emulator's ``GuestMemory``
/// implements it; a run without one answers ENOMEM/ENOSYS).
public protocol GuestMapper: AnyObject {
    /// Maps fresh memory or a file; returns its guest address.
    func map(_ request: MapRequest) throws(MappingError) -> UInt64
    /// Unmaps `[address, address + length)` (pages of the mapping area; other pages are left alone).
    func unmap(_ address: UInt64, _ length: UInt64) throws(MappingError)
    /// Changes the protection of mapped pages.
    func protect(_ address: UInt64, _ length: UInt64, _ protection: GuestProtection) throws(MappingError)
    /// Grows or shrinks a mapping, moving it when `mayMove` allows and it must.
    func remap(_ address: UInt64, _ oldLength: UInt64, _ newLength: UInt64, mayMove: Bool) throws(MappingError) -> UInt64
    /// The host range backing mapped guest pages `[address, address + length)` (one mapping),
    /// for `msync`/`madvise`.
    func hostRange(_ address: UInt64, _ length: UInt64) throws(MappingError) -> UnsafeMutableRawPointer
    /// Forgets code translated from `[address, address + length)` (`__clear_cache`, and after
    /// `mprotect` adds execute): code written there since is translated afresh.
    func dropTranslations(_ address: UInt64, _ length: UInt64)
}

extension GuestMapper {
    public func dropTranslations(_ address: UInt64, _ length: UInt64) {}
}

/// `<sys/mman.h>`: the guest's mappings live in its own address space (``GuestMapper``),
/// backed by host memory or by the host's mapping of the file, so `MAP_SHARED` writes reach
/// the file and other descriptors see them. The system-call shims use the same entry points.
public enum LibcMapping {
    static let page: UInt64 = 4096
    /// Largest mapping a guest may ask for (64 GiB): beyond it, ENOMEM.
    static let maximumLength: UInt64 = 1 << 36

    /// Rounds `length` up to pages; nil if zero or too large.
    static func pages(_ length: UInt64) -> UInt64? {
        guard length > 0, length <= maximumLength else { return nil }
        return (length + page - 1) & ~(page - 1)
    }

    static func protection(_ rt: LibcRuntime, _ prot: Int32) -> GuestProtection? {
        let n = rt.abi.linux.mmap
        guard prot & ~(n.protRead | n.protWrite | n.protExec) == 0 else { return nil }
        return GuestProtection(read: prot & (n.protRead | n.protWrite | n.protExec) != 0, write: prot & n.protWrite != 0, execute: prot & n.protExec != 0)
    }

    /// `mmap(addr, length, prot, flags, fd, offset)`: the address, or `-errno`.
    public static func mmap(_ rt: LibcRuntime, _ a: [UInt64]) -> Int64 {
        let n = rt.abi.linux.mmap
        let flags = Int32(truncatingIfNeeded: a[3]), offset = Int64(bitPattern: a[5])
        let kind = flags & 3
        guard kind == n.shared || kind == n.privateMapping || kind == n.sharedValidate else { return -Int64(EINVAL) }
        guard let length = pages(a[1]) else { return -Int64(a[1] == 0 ? EINVAL : ENOMEM) }
        // mmap ignores protection bits it does not know (mprotect refuses them).
        let known = n.protRead | n.protWrite | n.protExec
        guard let prot = protection(rt, Int32(truncatingIfNeeded: a[2]) & known) else { return -Int64(EINVAL) }
        let anonymous = flags & n.anonymous != 0
        guard anonymous || (offset >= 0 && UInt64(offset) % page == 0) else { return -Int64(EINVAL) }
        guard let mapper = rt.mapper else { return -Int64(ENOMEM) }
        let fixed = flags & n.fixed != 0, noReplace = flags & n.fixedNoReplace != 0
        if (fixed || noReplace) && a[0] % page != 0 { return -Int64(EINVAL) }
        let request = MapRequest(address: a[0], length: length, protection: prot, shared: kind != n.privateMapping,
                                 fixed: fixed, noReplace: noReplace && !fixed,
                                 descriptor: anonymous ? nil : Int32(truncatingIfNeeded: a[4]), offset: anonymous ? 0 : offset)
        do throws(MappingError) { return Int64(try mapper.map(request)) } catch { return -Int64(error.code) }
    }

    static func checkedRange(_ address: UInt64, _ length: UInt64) -> UInt64? {
        guard address % page == 0, let l = pages(length), address <= UInt64.max - l else { return nil }
        return l
    }

    /// `munmap`: 0 or `-errno`.
    public static func munmap(_ rt: LibcRuntime, _ address: UInt64, _ length: UInt64) -> Int64 {
        guard let l = checkedRange(address, length) else { return -Int64(EINVAL) }
        guard let mapper = rt.mapper else { return 0 }
        do throws(MappingError) { try mapper.unmap(address, l); return 0 } catch { return -Int64(error.code) }
    }

    /// `mprotect`: 0 or `-errno`.
    public static func mprotect(_ rt: LibcRuntime, _ address: UInt64, _ length: UInt64, _ prot: Int32) -> Int64 {
        guard address % page == 0, let p = protection(rt, prot) else { return -Int64(EINVAL) }
        if length == 0 { return 0 }
        guard let l = checkedRange(address, length) else { return -Int64(ENOMEM) }
        guard let mapper = rt.mapper else { return 0 }
        do throws(MappingError) { try mapper.protect(address, l, p); return 0 } catch { return -Int64(error.code) }
    }

    /// `mremap(old, oldLength, newLength, flags)`: the new address or `-errno`
    /// (`MREMAP_FIXED` is not offered: EINVAL).
    public static func mremap(_ rt: LibcRuntime, _ a: [UInt64]) -> Int64 {
        let n = rt.abi.linux.mmap
        let flags = Int32(truncatingIfNeeded: a[3])
        guard flags & ~(n.remapMayMove) == 0, a[0] % page == 0, let old = pages(a[1]) else { return -Int64(EINVAL) }
        guard let new = pages(a[2]) else { return -Int64(a[2] == 0 ? EINVAL : ENOMEM) }
        guard let mapper = rt.mapper else { return -Int64(ENOMEM) }
        do throws(MappingError) { return Int64(try mapper.remap(a[0], old, new, mayMove: flags & n.remapMayMove != 0)) }
        catch { return -Int64(error.code) }
    }

    /// `msync`: 0 or `-errno`.
    public static func msync(_ rt: LibcRuntime, _ address: UInt64, _ length: UInt64, _ flags: Int32) -> Int64 {
        let n = rt.abi.linux.mmap
        guard address % page == 0, flags & ~(n.msAsync | n.msSync | n.msInvalidate) == 0,
              flags & (n.msAsync | n.msSync) != (n.msAsync | n.msSync) else { return -Int64(EINVAL) }
        if length == 0 { return 0 }
        guard let l = checkedRange(address, length), let mapper = rt.mapper else { return -Int64(ENOMEM) }
        do throws(MappingError) {
            let host = try mapper.hostRange(address, l)
            var hostFlags: Int32 = flags & n.msSync != 0 ? MS_SYNC : MS_ASYNC
            if flags & n.msInvalidate != 0 { hostFlags |= MS_INVALIDATE }
            return Glibc.msync(host, Int(l), hostFlags) == 0 ? 0 : -Int64(errno)
        } catch { return -Int64(error.code) }
    }

    /// `madvise`: `MADV_DONTNEED` (private pages read back as zero or the file's contents)
    /// and `MADV_WILLNEED` reach the host; the other advice is accepted and ignored.
    public static func madvise(_ rt: LibcRuntime, _ address: UInt64, _ length: UInt64, _ advice: Int32) -> Int64 {
        guard address % page == 0, (0...200).contains(advice) else { return -Int64(EINVAL) }
        if length == 0 { return 0 }
        guard advice == MADV_DONTNEED || advice == MADV_WILLNEED else { return 0 }
        guard let l = checkedRange(address, length), let mapper = rt.mapper else { return -Int64(ENOMEM) }
        do throws(MappingError) {
            let host = try mapper.hostRange(address, l)
            return Glibc.madvise(host, Int(l), advice) == 0 ? 0 : -Int64(errno)
        } catch { return -Int64(error.code) }
    }

    /// A `-errno` result as a libc call returns it: -1 (or `MAP_FAILED`) with errno set.
    static func finish(_ rt: LibcRuntime, _ f: any CallFrame, _ r: Int64) {
        if r < 0 && r >= -4095 { rt.setErrno(Int32(-r)); f.returnSigned(-1) } else { f.returnSigned(r) }
    }

    static let functions: [String: HostFunction] = [
        "mmap": { rt, f in finish(rt, f, mmap(rt, try (0..<6).map { try f.int($0) })) },
        "munmap": { rt, f in finish(rt, f, munmap(rt, try f.int(0), try f.int(1))) },
        "mprotect": { rt, f in finish(rt, f, mprotect(rt, try f.int(0), try f.int(1), try f.int32(2))) },
        "mremap": { rt, f in
            let flags = try f.int32(3)
            finish(rt, f, mremap(rt, [try f.int(0), try f.int(1), try f.int(2), UInt64(UInt32(bitPattern: flags))]))
        },
        "msync": { rt, f in finish(rt, f, msync(rt, try f.int(0), try f.int(1), try f.int32(2))) },
        "madvise": { rt, f in finish(rt, f, madvise(rt, try f.int(0), try f.int(1), try f.int32(2))) },
        "posix_madvise": { rt, f in
            // Returns the error number instead of setting errno; glibc ignores
            // POSIX_MADV_DONTNEED (it would discard data), so only WILLNEED reaches madvise.
            let advice = try f.int32(2)
            let r = madvise(rt, try f.int(0), try f.int(1), advice == POSIX_MADV_DONTNEED ? POSIX_MADV_NORMAL : advice)
            f.returnInt32(r < 0 ? Int32(-r) : 0)
        },
        "mlock": { _, f in f.returnInt32(0) },
        "munlock": { _, f in f.returnInt32(0) },
    ]
}
