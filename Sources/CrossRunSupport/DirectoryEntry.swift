import CHostSystem
#if canImport(Glibc)
import Glibc
#endif

/// Reading `readdir`'s records without reading past them: a record is only as long as
/// `d_reclen`, and copying `entry.pointee.d_name` (a 256-byte tuple) read past the end of
/// glibc's buffer when the record was last (it crashed a run worker pruning the compile cache).
public enum DirectoryEntry {
    /// The entry's name, without its terminating NUL (never read past the record).
    public static func nameBytes(_ entry: UnsafePointer<dirent>) -> [UInt8] {
        var length = 0
        let name = crossrun_dirent_name(entry, &length)
        return Array(UnsafeBufferPointer(start: name, count: length))
    }

    /// The entry's name as a string (bytes that are not UTF-8 replaced).
    public static func name(_ entry: UnsafePointer<dirent>) -> String {
        String(decoding: nameBytes(entry), as: UTF8.self)
    }
}
