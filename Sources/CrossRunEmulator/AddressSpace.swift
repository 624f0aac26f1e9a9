import CDirtyPages
import CUnicorn
import CHostSystem
import CrossRunLibc
#if canImport(Glibc)
import Glibc
#endif

/// Guest memory: regions of host memory (`mmap`ed, lazily committed) mapped into the
/// Unicorn engine with `uc_mem_map_ptr`, so guest code and host libc code see the same bytes.
/// Host accesses go through ``host(_:_:write:)``, which checks mapping and permission.
public final class AddressSpace: GuestMemory {
    /// One mapped range (plain data: the trap path copies it without reference counting).
    public struct Region {
        public var start: UInt64
        public var size: UInt64
        public var host: UnsafeMutableRawPointer
        public var readable: Bool
        public var writable: Bool
        public var executable: Bool
        /// Write tracking for fuzzing resets (host writes are marked here before they happen,
        /// so system calls can write protected pages; guest stores fault in the host), or nil.
        var tracker: UnsafeMutablePointer<crossrun_dirty_pages>?
        /// Made by the guest's `mmap` (so `munmap`/`mprotect`/`mremap` may change it).
        var guestMapping = false
        /// Whether the host memory behind it may be written (false for a shared mapping of a
        /// file opened read-only: the guest can never get write permission).
        var hostWritable = true
        /// A `MAP_SHARED` mapping: of a file (writes reach the file), or anonymous (its pages
        /// are shared with forked processes).
        var shared = false
        /// The file a guest file mapping shows (`/proc/self/maps`), nil for anonymous memory.
        var file: MappedFile?
        var end: UInt64 { start + size }
    }

    /// What `/proc/self/maps` says of a file mapping: the file offset of the region's first
    /// byte, the file's device and inode, and its host path when it was mapped (as
    /// `/proc/self/fd/N` names it: absolute, ` (deleted)` once unlinked), by its index in
    /// ``mappedPaths``. Plain values only: a ``Region`` is copied on every host access to guest
    /// memory, and a reference inside it (the path's bytes) cost a retain and a release there.
    struct MappedFile {
        var offset: UInt64
        var device: UInt64
        var inode: UInt64
        var path: Int
    }

    let engine: OpaquePointer
    /// `regions` and `last` are read on every host access to guest memory (``host(_:_:write:)``,
    /// ``readableSpan(from:)``): no dynamic exclusivity checks (`swift_beginAccess` was ~8% of
    /// an emulated `strtol` call). Only the thread running the engine uses the address space.
    @exclusivity(unchecked) public internal(set) var regions: [Region] = []
    @exclusivity(unchecked) var last = 0
    /// The host paths of mapped files (``MappedFile/path``), each once: a program that maps
    /// the same file again and again adds nothing.
    private(set) var mappedPaths: [[UInt8]] = []
    private var mappedPathIndex: [[UInt8]: Int] = [:]
    /// Where guest `mmap` places mappings (set by the process from its ``GuestLayout``).
    var mappingArea: Range<UInt64> = 0..<0
    /// Where a guest mapping may be placed at a hint or a fixed address (``GuestLayout/mappableRange``).
    var mappableRange: Range<UInt64> = 0..<0

    init(engine: OpaquePointer) { self.engine = engine }

    /// The index of `path` in ``mappedPaths``, added if new.
    func internMappedPath(_ path: [UInt8]) -> Int {
        if let i = mappedPathIndex[path] { return i }
        mappedPaths.append(path)
        mappedPathIndex[path] = mappedPaths.count - 1
        return mappedPaths.count - 1
    }

    /// The host path of a mapped file as it was when mapped.
    func hostPath(of file: MappedFile) -> [UInt8] { mappedPaths[file.path] }

    deinit {
        for r in regions {
            if r.guestMapping { crossrun_file_mapping_forget(r.host, Int(r.size)) }
            munmap(r.host, Int(r.size))
        }
    }

    /// Maps `size` bytes (page multiple) at guest `start` with the given permissions.
    @discardableResult
    func map(_ name: String, at start: UInt64, size: UInt64, read: Bool = true, write: Bool, execute: Bool) throws -> Region {
        guard let mem = mmap(nil, Int(size), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0),
              mem != MAP_FAILED else {
            throw EmulatorError.resources("cannot reserve \(size) bytes of host memory for the guest \(name)")
        }
        var perms: UInt32 = 0
        if read { perms |= UC_PROT_READ.rawValue }
        if write { perms |= UC_PROT_WRITE.rawValue }
        if execute { perms |= UC_PROT_EXEC.rawValue }
        let err = uc_mem_map_ptr(engine, start, Int(size), perms, mem)
        guard err == UC_ERR_OK else {
            munmap(mem, Int(size))
            throw EmulatorError.engine("mapping the guest \(name) at 0x\(String(start, radix: 16))", err)
        }
        let region = Region(start: start, size: size, host: mem, readable: read, writable: write, executable: execute)
        regions.append(region)
        regions.sort { $0.start < $1.start }
        return region
    }

    /// Attaches write tracking to the region starting at `start`.
    func setTracker(_ tracker: UnsafeMutablePointer<crossrun_dirty_pages>?, forRegionAt start: UInt64) {
        guard let i = regions.firstIndex(where: { $0.start == start }) else { return }
        regions[i].tracker = tracker
    }

    /// Host address of a guest address for the loader (no permission check).
    func loaderHost(_ address: UInt64) -> UnsafeMutableRawPointer? {
        guard let r = region(containing: address) else { return nil }
        return r.host.advanced(by: Int(address - r.start))
    }

    @inline(__always)
    func region(containing address: UInt64) -> Region? {
        if last < regions.count, regions[last].start <= address, address < regions[last].end { return regions[last] }
        for (i, r) in regions.enumerated() where r.start <= address && address < r.end {
            last = i
            return r
        }
        return nil
    }

    public func host(_ address: UInt64, _ count: Int, write: Bool) throws -> UnsafeMutableRawPointer {
        guard let r = region(containing: address), r.readable,
              count <= 0 || UInt64(count) <= r.end - address else {
            throw GuestFault(address: address, size: max(count, 1), access: write ? .write : .read)
        }
        if write {
            if !r.writable { throw GuestFault(address: address, size: max(count, 1), access: .write) }
            if let t = r.tracker { crossrun_dirty_mark(t, address, UInt64(max(count, 0))) }
        }
        return r.host.advanced(by: Int(address - r.start))
    }

    /// Whether `address` is in a `MAP_SHARED` mapping (other processes may see its bytes).
    func isShared(_ address: UInt64) -> Bool { region(containing: address)?.shared ?? false }

    public func readableSpan(from address: UInt64) throws -> UnsafeRawBufferPointer {
        guard let r = region(containing: address), r.readable else {
            throw GuestFault(address: address, size: 1, access: .read)
        }
        return UnsafeRawBufferPointer(start: r.host.advanced(by: Int(address - r.start)), count: Int(r.end - address))
    }
}
