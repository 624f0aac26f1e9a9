import CUnicorn
import CHostSystem
import CrossRunLibc
#if canImport(Glibc)
import Glibc
#endif

/// The guest's `mmap` family (``GuestMapper``): mappings are host memory mapped into the
/// engine with `uc_mem_map_ptr`: where the guest asks (a free hinted range, or a fixed
/// address) anywhere in ``mappableRange``, as Linux honours hints, else in the first gap of
/// ``mappingArea``. Anonymous and private file mappings
/// are host private memory; `MAP_SHARED` file mappings are the host's own `MAP_SHARED`
/// mapping of the file, so guest stores reach the file and every other mapping of it.
/// Unicorn enforces the protections (a store to a read-only page is a guest SIGSEGV);
/// ``host(_:_:write:)`` enforces them for host code. Pages outside the mapping area (image,
/// heap, stack) are never unmapped; `mprotect` on them changes only the execute permission of
/// heap and stack pages (JIT code in `malloc`ed memory) and is otherwise accepted and ignored.
extension AddressSpace: GuestMapper {
    private static let page: UInt64 = 4096

    private func perms(_ p: GuestProtection) -> UInt32 {
        (p.read ? UC_PROT_READ.rawValue : 0) | (p.write ? UC_PROT_WRITE.rawValue : 0) | (p.execute ? UC_PROT_EXEC.rawValue : 0)
    }

    /// Whether `[start, start + length)` lies where guest mappings may be.
    private func inArea(_ start: UInt64, _ length: UInt64) -> Bool {
        start >= mappableRange.lowerBound && start <= mappableRange.upperBound && length <= mappableRange.upperBound - start
    }

    private func overlaps(_ start: UInt64, _ length: UInt64) -> Bool {
        let (end, overflow) = start.addingReportingOverflow(length)
        return overflow || regions.contains { $0.start < end && start < $0.end }
    }

    /// A free range of `length` bytes: the hint's page if that range is free (as Linux: a
    /// hint below the lowest mapping address is raised to it, an unaligned one taken as its
    /// page), else the lowest gap of the mapping area.
    private func freeRange(_ length: UInt64, hint: UInt64) -> UInt64? {
        if hint != 0 {
            let start = max(hint & ~(Self.page - 1), mappableRange.lowerBound)
            if inArea(start, length), !overlaps(start, length) { return start }
        }
        var cursor = mappingArea.lowerBound
        for r in regions where r.end > cursor {
            if r.start >= mappingArea.upperBound { break }
            if r.start >= cursor && r.start - cursor >= length { return cursor }
            cursor = max(cursor, r.end)
        }
        return inArea(cursor, length) ? cursor : nil
    }

    /// Descriptor `fd`'s file as a mapping of it from `offset` shows it (nil if it cannot be read).
    func mappedFile(_ fd: Int32, offset: UInt64) -> MappedFile? {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/fd/\(fd)", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return MappedFile(offset: offset, device: UInt64(st.st_dev), inode: UInt64(st.st_ino),
                          path: internMappedPath(buffer[..<n].map { UInt8(bitPattern: $0) }))
    }

    /// The guest address whose bytes are at host address `host`, or nil when no region holds it.
    func guestAddress(ofHost host: UInt) -> UInt64? {
        for r in regions {
            let start = UInt(bitPattern: r.host)
            if host >= start, host - start < UInt(r.size) { return r.start + UInt64(host - start) }
        }
        return nil
    }

    /// Fresh zeroed host memory (reserved lazily): private, or `MAP_SHARED` so that a forked
    /// CrossRun shares its pages with its parent, as a guest's shared anonymous mapping is.
    private func anonymousHost(_ length: UInt64, shared: Bool = false) throws(MappingError) -> UnsafeMutableRawPointer {
        guard let m = mmap(nil, Int(length), PROT_READ | PROT_WRITE, (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0),
              m != MAP_FAILED else { throw MappingError(ENOMEM) }
        return m
    }

    /// Host memory for a file mapping: the file's pages (shared or private) over the whole
    /// length, also past the file's current end, so pages the file grows into later (a
    /// `pwrite` or `ftruncate` after the `mmap`, as LMDB does) show its contents. A page still
    /// past the end when touched would raise SIGBUS on the host: the range is registered with
    /// `crossrun_file_mapping_register`, whose handler maps a zero page there instead.
    private func fileHost(_ r: MapRequest, _ fd: Int32) throws(MappingError) -> (UnsafeMutableRawPointer, hostWritable: Bool) {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw MappingError(EBADF) }
        guard st.st_mode & S_IFMT == S_IFREG else { throw MappingError(ENODEV) }
        let mode = fcntl(fd, F_GETFL) & O_ACCMODE
        guard mode != O_WRONLY else { throw MappingError(EACCES) }
        let fdWritable = mode == O_RDWR
        if r.shared && r.protection.write && !fdWritable { throw MappingError(EACCES) }
        let base = try anonymousHost(r.length)
        let prot = PROT_READ | (r.shared && !fdWritable ? 0 : PROT_WRITE)
        let m = mmap(base, Int(r.length), prot, (r.shared ? MAP_SHARED : MAP_PRIVATE) | MAP_FIXED, fd, off_t(r.offset))
        if m == MAP_FAILED || crossrun_file_mapping_register(base, Int(r.length)) != 0 {
            let code = m == MAP_FAILED ? errno : ENOMEM
            crossrun_file_mapping_forget(base, Int(r.length))
            munmap(base, Int(r.length))
            throw MappingError(code)
        }
        return (base, !r.shared || fdWritable)
    }

    public func map(_ r: MapRequest) throws(MappingError) -> UInt64 {
        let start: UInt64
        if r.fixed || r.noReplace {
            guard inArea(r.address, r.length) else { throw MappingError(r.noReplace && overlaps(r.address, r.length) ? EEXIST : ENOMEM) }
            if r.noReplace && overlaps(r.address, r.length) { throw MappingError(EEXIST) }
            start = r.address
        } else {
            guard let s = freeRange(r.length, hint: r.address) else { throw MappingError(ENOMEM) }
            start = s
        }
        let host: UnsafeMutableRawPointer, hostWritable: Bool
        if let fd = r.descriptor { (host, hostWritable) = try fileHost(r, fd) } else { (host, hostWritable) = (try anonymousHost(r.length, shared: r.shared), true) }
        if r.fixed { try unmap(start, r.length) }
        guard uc_mem_map_ptr(engine, start, Int(r.length), perms(r.protection), host) == UC_ERR_OK else {
            crossrun_file_mapping_forget(host, Int(r.length))
            munmap(host, Int(r.length))
            throw MappingError(ENOMEM)
        }
        var region = Region(start: start, size: r.length, host: host, readable: r.protection.read,
                            writable: r.protection.write, executable: r.protection.execute)
        region.guestMapping = true
        region.hostWritable = hostWritable
        region.shared = r.shared
        region.file = r.descriptor.flatMap { mappedFile($0, offset: UInt64(bitPattern: r.offset)) }
        insert(region)
        return start
    }

    private func insert(_ region: Region) {
        regions.append(region)
        regions.sort { $0.start < $1.start }
        last = 0
    }

    /// Splits guest mappings so that no region straddles `address`.
    private func split(at address: UInt64) {
        guard let i = regions.firstIndex(where: { $0.guestMapping && $0.start < address && address < $0.end }) else { return }
        var right = regions[i]
        let cut = address - right.start
        right.start = address
        right.size -= cut
        right.host = right.host.advanced(by: Int(cut))
        right.file?.offset &+= cut
        regions[i].size = cut
        regions.insert(right, at: i + 1)
        last = 0
    }

    /// Indices of the guest mappings inside `[start, start + length)` after splitting at its ends.
    private func pieces(_ start: UInt64, _ length: UInt64) -> [Int] {
        split(at: start)
        split(at: start + length)
        return regions.indices.filter { regions[$0].guestMapping && regions[$0].start >= start && regions[$0].end <= start + length }
    }

    /// Whether the guest mappings cover `[start, start + length)` without a hole.
    private func covered(_ start: UInt64, _ length: UInt64) -> Bool {
        var cursor = start
        for r in regions where r.guestMapping && r.end > cursor && r.start < start + length {
            if r.start > cursor { return false }
            cursor = r.end
        }
        return cursor >= start + length
    }

    public func unmap(_ start: UInt64, _ length: UInt64) throws(MappingError) {
        guard start < mappableRange.upperBound, start + length > mappableRange.lowerBound else { return }
        for i in pieces(start, length).reversed() {
            let r = regions[i]
            uc_mem_unmap(engine, r.start, Int(r.size))
            crossrun_file_mapping_forget(r.host, Int(r.size))
            munmap(r.host, Int(r.size))
            regions.remove(at: i)
        }
        last = 0
    }

    public func protect(_ start: UInt64, _ length: UInt64, _ p: GuestProtection) throws(MappingError) {
        guard inArea(start, length), covered(start, length) else {
            // The image, heap and stack keep their permissions, except execute (below);
            // a range neither they nor guest mappings cover: no mapping.
            let (end, overflow) = start.addingReportingOverflow(length)
            if regions.contains(where: { !$0.guestMapping && $0.start < (overflow ? UInt64.max : end) && start < $0.end }) {
                try protectFixed(start, length, executable: p.execute)
                return
            }
            throw MappingError(ENOMEM)
        }
        let indices = pieces(start, length)
        if p.write, indices.contains(where: { !regions[$0].hostWritable }) { throw MappingError(EACCES) }
        guard uc_mem_protect(engine, start, Int(length), perms(p)) == UC_ERR_OK else { throw MappingError(ENOMEM) }
        if p.execute { dropTranslations(start, length) }
        for i in indices {
            regions[i].readable = p.read || p.write || p.execute
            regions[i].writable = p.write
            regions[i].executable = p.execute
        }
    }

    /// `mprotect` of heap or stack pages (a JIT's code in `malloc`ed memory, as tcc's `-run`
    /// makes it): only the execute permission changes, in the engine; read and write stay as the
    /// region has them (the allocator owns the neighbouring bytes of the page). Image pages and
    /// ranges that leave their region keep their permissions, as before.
    private func protectFixed(_ start: UInt64, _ length: UInt64, executable: Bool) throws(MappingError) {
        guard let r = regions.first(where: { !$0.guestMapping && $0.start <= start && start < $0.end }),
              r.writable, length <= r.end - start else { return }
        let p = GuestProtection(read: r.readable, write: r.writable, execute: executable)
        guard uc_mem_protect(engine, start, Int(length), perms(p)) == UC_ERR_OK else { throw MappingError(ENOMEM) }
        if executable { dropTranslations(start, length) }
    }

    /// Forgets translated blocks of `[start, start + length)`: code the host wrote there (a
    /// `memcpy` served by the host writes behind the engine's back) is translated afresh.
    public func dropTranslations(_ start: UInt64, _ length: UInt64) {
        let (end, overflow) = start.addingReportingOverflow(length)
        _ = crossrun_uc_remove_cache(engine, start, overflow ? UInt64.max : end)
    }

    public func remap(_ start: UInt64, _ oldLength: UInt64, _ newLength: UInt64, mayMove: Bool) throws(MappingError) -> UInt64 {
        guard inArea(start, oldLength), covered(start, oldLength) else { throw MappingError(EFAULT) }
        if newLength <= oldLength {
            if newLength < oldLength { try unmap(start + newLength, oldLength - newLength) }
            return start
        }
        // Linux merges neighbouring mappings with equal protections into one (which mremap
        // needs); here they may be separate regions: accept those, one shared region.
        let indices = pieces(start, oldLength)
        guard let i = indices.first else { throw MappingError(EFAULT) }
        let old = regions[i]
        let parts = indices.map { regions[$0] }
        guard parts.allSatisfy({ !$0.shared && $0.readable == old.readable && $0.writable == old.writable && $0.executable == old.executable })
                || (parts.count == 1 && old.shared) else { throw MappingError(EFAULT) }
        let inPlace = inArea(start, newLength) && !overlaps(start + oldLength, newLength - oldLength)
        guard inPlace || mayMove else { throw MappingError(ENOMEM) }
        guard let target = inPlace ? start : freeRange(newLength, hint: 0) else { throw MappingError(ENOMEM) }
        // Shared pages move with the host's mremap (the file or the pages shared with other
        // processes stay mapped); private ones are copied to fresh memory.
        let host: UnsafeMutableRawPointer
        if old.shared {
            guard let m = crossrun_mremap_maymove(old.host, Int(oldLength), Int(newLength)), m != MAP_FAILED else { throw MappingError(errno) }
            crossrun_file_mapping_forget(old.host, Int(oldLength))
            if old.file != nil { _ = crossrun_file_mapping_register(m, Int(newLength)) }
            host = m
        } else {
            host = try anonymousHost(newLength)
            for part in parts {
                memcpy(host.advanced(by: Int(part.start - start)), part.host, Int(part.size))
                crossrun_file_mapping_forget(part.host, Int(part.size))
                munmap(part.host, Int(part.size))
            }
        }
        for j in indices.reversed() {
            uc_mem_unmap(engine, regions[j].start, Int(regions[j].size))
            regions.remove(at: j)
        }
        let perm = GuestProtection(read: old.readable, write: old.writable, execute: old.executable)
        guard uc_mem_map_ptr(engine, target, Int(newLength), perms(perm), host) == UC_ERR_OK else {
            munmap(host, Int(newLength))
            throw MappingError(ENOMEM)
        }
        var region = old
        region.start = target
        region.size = newLength
        region.host = host
        insert(region)
        return target
    }

    public func hostRange(_ start: UInt64, _ length: UInt64) throws(MappingError) -> UnsafeMutableRawPointer {
        guard inArea(start, length), covered(start, length) else { throw MappingError(ENOMEM) }
        let parts = regions.filter { $0.guestMapping && $0.end > start && $0.start < start + length }
        guard let first = parts.first else { throw MappingError(ENOMEM) }
        for (a, b) in zip(parts, parts.dropFirst()) where a.host.advanced(by: Int(a.size)) != b.host {
            throw MappingError(ENOMEM)   // separate host mappings: not one range
        }
        return first.host.advanced(by: Int(start - first.start))
    }
}
