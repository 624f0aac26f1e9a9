#if canImport(Glibc)
import Glibc
#endif

/// File access for the fuzzer (no Foundation): inputs, corpus directories, artifacts.
public enum FuzzFiles {
    public static func read(_ path: String) throws -> [UInt8] {
        guard let f = fopen(path, "rb") else { throw FuzzError.unreadable(file: path, reason: String(cString: strerror(errno))) }
        defer { fclose(f) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buffer, 1, buffer.count, f)
            if n > 0 { out += buffer[..<n] }
            if n < buffer.count { break }
        }
        if ferror(f) != 0 { throw FuzzError.unreadable(file: path, reason: "read error") }
        return out
    }

    public static func write(_ bytes: [UInt8], to path: String) throws {
        let temporary = path + ".tmp\(getpid())"
        guard let f = fopen(temporary, "wb") else { throw FuzzError.unreadable(file: path, reason: String(cString: strerror(errno))) }
        let n = bytes.isEmpty ? 0 : fwrite(bytes, 1, bytes.count, f)
        fclose(f)
        guard n == bytes.count, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw FuzzError.unreadable(file: path, reason: "cannot write")
        }
    }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return fstatat(AT_FDCWD, path, &st, 0) == 0 && st.st_mode & S_IFMT == S_IFDIR
    }

    /// The regular files of `dir`, sorted by name (so a run is reproducible).
    public static func files(in dir: String) -> [String] {
        guard let d = opendir(dir) else { return [] }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasPrefix(".") || name.contains(".tmp") { continue }
            let path = dir + "/" + name
            var st = stat()
            if fstatat(AT_FDCWD, path, &st, 0) == 0, st.st_mode & S_IFMT == S_IFREG { names.append(path) }
        }
        return names.sorted()
    }

    /// This process's resident set size in MiB.
    static func residentMegabytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss / 1024
    }
}
