import CHostSystem
import CrossRunLibc
#if canImport(Glibc)
import Glibc
#endif

/// The guest's `/proc/self/maps` and `/proc/self/smaps`: the host's files describe the
/// CrossRun process, whose addresses are not the guest's. These list the guest's own mappings
/// in Linux's format, made afresh at each open. Resident and dirty sizes come from the host's
/// page table for the memory behind each mapping (`/proc/self/pagemap`'s present and
/// exclusively-mapped bits): a present page of a private mapping counts as dirty (of a shared file mapping, as clean), shared when
/// another process (a forked child) maps it too, so a program that checks its pages after
/// `fork` (Redis's arm64 copy-on-write check) sees what Linux shows.
extension GuestProcess {
    /// Serves the two files through ``GuestFileSystem/generatedFiles``.
    func describeMappings() {
        runtime.fileSystem.generatedFiles[Array("/proc/self/maps".utf8)] = { [unowned self] in
            Array(self.mappingsText(detailed: false).utf8)
        }
        runtime.fileSystem.generatedFiles[Array("/proc/self/smaps".utf8)] = { [unowned self] in
            Array(self.mappingsText(detailed: true).utf8)
        }
    }

    /// Pages of one region looked up in the host's page table at most (4 GiB of 4 KiB pages);
    /// the rest of a larger reservation counts as not resident.
    static let maximumCountedPages = 1 << 20

    /// Page counts of a region's host memory.
    struct PageCounts {
        var resident = 0
        var shared = 0
    }

    /// Counts the present and the shared (present, not exclusively mapped) host pages of
    /// `[host, host + size)` from `/proc/self/pagemap`; zero counts when it cannot be read.
    static func hostPageCounts(_ pagemap: Int32, host: UnsafeMutableRawPointer, size: UInt64) -> PageCounts {
        var counts = PageCounts()
        let pageSize = UInt64(getpagesize())
        guard pagemap >= 0, pageSize > 0 else { return counts }
        let first = UInt64(UInt(bitPattern: host)) / pageSize
        let pages = Int(min(size / pageSize, UInt64(maximumCountedPages)))
        var entries = [UInt64](repeating: 0, count: 512)
        var done = 0
        while done < pages {
            let n = min(entries.count, pages - done)
            let (offset, overflow) = (first + UInt64(done)).multipliedReportingOverflow(by: 8)
            guard !overflow, offset <= UInt64(Int64.max) else { break }
            let got = entries.withUnsafeMutableBytes { pread(pagemap, $0.baseAddress, n * 8, off_t(offset)) }
            guard got > 0 else { break }
            for entry in entries[0..<(got / 8)] where entry >> 63 & 1 == 1 {
                counts.resident += 1
                if entry >> 56 & 1 == 0 { counts.shared += 1 }
            }
            done += got / 8
            if got < n * 8 { break }
        }
        return counts
    }

    /// A device number as Linux's maps show it: major and minor in hexadecimal, two digits at least.
    static func deviceText(_ device: UInt64) -> String {
        let major = (device >> 8) & 0xfff | (device >> 32) & ~0xfff
        let minor = device & 0xff | (device >> 12) & ~0xff
        return hex(major, width: 2) + ":" + hex(minor, width: 2)
    }

    /// The name a file mapping shows: the file's path as the guest names it (below `--root`,
    /// the part under the root), a newline written `\012` as Linux escapes it.
    func guestName(ofMapped hostPath: [UInt8]) -> String {
        var path = hostPath
        if let root = runtime.fileSystem.root, path.starts(with: root),
           path.count == root.count || path[root.count] == UInt8(ascii: "/") {
            path = Array(path[root.count...])
            if path.isEmpty || path.first != UInt8(ascii: "/") { path.insert(UInt8(ascii: "/"), at: 0) }
        }
        let escaped = path.flatMap { $0 == UInt8(ascii: "\n") ? Array("\\012".utf8) : [$0] }
        return String(decoding: escaped, as: UTF8.self)
    }

    /// Whether a mapped file's path still names it (Linux adds ` (deleted)` once it does not).
    static func stillNamed(_ file: AddressSpace.MappedFile, path: [UInt8]) -> Bool {
        let deleted = Array(" (deleted)".utf8)
        if path.count >= deleted.count, Array(path.suffix(deleted.count)) == deleted { return true }
        var st = stat()
        return stat(GuestFileSystem.cString(path), &st) == 0 && UInt64(st.st_dev) == file.device && UInt64(st.st_ino) == file.inode
    }

    /// `value` in hexadecimal, at least `width` digits.
    static func hex(_ value: UInt64, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// One smaps size line: the name padded to 16 columns, the value in kB right-aligned in 8.
    static func sizeLine(_ name: String, _ kilobytes: UInt64) -> String {
        let value = String(kilobytes)
        return name + String(repeating: " ", count: max(0, 16 - name.count))
            + String(repeating: " ", count: max(0, 8 - value.count)) + value + " kB\n"
    }

    /// The text of `maps` (or, `detailed`, `smaps`) for the guest's current mappings.
    func mappingsText(detailed: Bool) -> String {
        let pagemap = detailed ? open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC) : -1
        defer { if pagemap >= 0 { close(pagemap) } }
        let pageKB = UInt64(max(getpagesize(), 1024) / 1024)
        var text = ""
        for region in memory.regions.sorted(by: { $0.start < $1.start }) {
            let perms = (region.readable ? "r" : "-") + (region.writable ? "w" : "-") + (region.executable ? "x" : "-")
                + (region.shared ? "s" : "p")
            var line = Self.hex(region.start, width: 8) + "-" + Self.hex(region.end, width: 8) + " " + perms + " "
            if let file = region.file {
                line += Self.hex(file.offset, width: 8) + " " + Self.deviceText(file.device) + " \(file.inode) "
            } else {
                line += "00000000 00:00 0 "
            }
            // Linux pads the name to column 73.
            let name = region.file.map { file in
                let path = memory.hostPath(of: file)
                return guestName(ofMapped: path) + (Self.stillNamed(file, path: path) ? "" : " (deleted)")
            }
                ?? (region.start < layout.stackTop && layout.stackTop <= region.end ? "[stack]" : nil)
            if let name { line += String(repeating: " ", count: max(0, 73 - line.count)) + name }
            text += line + "\n"
            guard detailed else { continue }
            let counts = Self.hostPageCounts(pagemap, host: region.host, size: region.size)
            let resident = UInt64(counts.resident) * pageKB, shared = UInt64(counts.shared) * pageKB
            let privatePart = resident - shared
            // A file's pages may be clean (the host's page table does not say); others are dirty.
            let dirty = !region.shared || region.file == nil
            text += Self.sizeLine("Size:", region.size / 1024) + Self.sizeLine("KernelPageSize:", pageKB)
                + Self.sizeLine("MMUPageSize:", pageKB) + Self.sizeLine("Rss:", resident)
                + Self.sizeLine("Pss:", privatePart + shared / 2) + Self.sizeLine("Pss_Dirty:", dirty ? privatePart + shared / 2 : 0)
                + Self.sizeLine("Shared_Clean:", dirty ? 0 : shared) + Self.sizeLine("Shared_Dirty:", dirty ? shared : 0)
                + Self.sizeLine("Private_Clean:", dirty ? 0 : privatePart) + Self.sizeLine("Private_Dirty:", dirty ? privatePart : 0)
                + Self.sizeLine("Referenced:", resident) + Self.sizeLine("Anonymous:", region.shared ? 0 : resident)
                + Self.sizeLine("KSM:", 0) + Self.sizeLine("LazyFree:", 0) + Self.sizeLine("AnonHugePages:", 0)
                + Self.sizeLine("ShmemPmdMapped:", 0) + Self.sizeLine("FilePmdMapped:", 0)
                + Self.sizeLine("Shared_Hugetlb:", 0) + Self.sizeLine("Private_Hugetlb:", 0)
                + Self.sizeLine("Swap:", 0) + Self.sizeLine("SwapPss:", 0) + Self.sizeLine("Locked:", 0)
                + "THPeligible:    0\n"
                + "VmFlags:" + (region.readable ? " rd" : "") + (region.writable ? " wr" : "") + (region.executable ? " ex" : "")
                + (region.shared ? " sh" : "") + " mr mw me\n"
        }
        return text
    }
}
