#if canImport(Glibc)
import Glibc
#endif

/// Small file helpers over the C library (CrossRun avoids Foundation to start fast). Failures
/// are ``IOError``s naming the file.
public enum FileIO {
    /// Reads a whole file.
    public static func read(_ path: String) throws -> [UInt8] {
        guard let f = fopen(path, "rb") else {
            throw IOError.unreadable(file: path, message: String(cString: strerror(errno)))
        }
        defer { fclose(f) }
        var st = stat()
        if fstat(fileno(f), &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            throw IOError.unreadable(file: path, message: "is a directory")
        }
        // Sized by fstat (+1 byte, to see the end or growth) and read in place: a warm run reads
        // a dozen small cache files, and a zeroed 64 KiB chunk per read was a visible cost.
        let known = (st.st_mode & S_IFMT) == S_IFREG ? Int(clamping: st.st_size) : 0
        var out = [UInt8](repeating: 0, count: min(known, 1 << 30) + 1)
        var used = 0
        while true {
            if used == out.count { out.append(contentsOf: repeatElement(0, count: max(out.count, 1 << 16))) }
            let wanted = out.count - used
            let n = out.withUnsafeMutableBytes { buffer in buffer.baseAddress.map { fread($0 + used, 1, wanted, f) } ?? 0 }
            used += n
            if n < wanted {
                if ferror(f) != 0 { throw IOError.unreadable(file: path, message: "read error") }
                break
            }
        }
        out.removeSubrange(used...)
        return out
    }

    /// Reads at most the first `count` bytes of a file.
    public static func readPrefix(_ path: String, count: Int) throws -> [UInt8] {
        guard let f = fopen(path, "rb") else {
            throw IOError.unreadable(file: path, message: String(cString: strerror(errno)))
        }
        defer { fclose(f) }
        var out = [UInt8](repeating: 0, count: max(count, 0))
        let n = out.withUnsafeMutableBytes { buffer in buffer.baseAddress.map { fread($0, 1, buffer.count, f) } ?? 0 }
        if n < out.count && ferror(f) != 0 { throw IOError.unreadable(file: path, message: "read error") }
        out.removeSubrange(n...)
        return out
    }

    /// Reads all of standard input.
    public static func readStandardInput() -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(0, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    /// Writes `bytes` to `path`, replacing it.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        guard let f = fopen(path, "wb") else {
            throw IOError.failed("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(f) }
        let n = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
        guard n == bytes.count else { throw IOError.failed("short write to \(path)") }
    }

    /// Whether `path` exists.
    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Whether `path` is a directory.
    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// A fresh private temporary directory (``TemporaryDirectories`` knows it until
    /// ``removeTree(_:)`` removes it).
    public static func makeTemporaryDirectory() throws -> String {
        let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(base)/crossrun-XXXXXX".utf8CString)
        guard let p = template.withUnsafeMutableBufferPointer({ buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }) else {
            throw IOError.failed("cannot create a temporary directory in \(base)")
        }
        let path = String(cString: p)
        TemporaryDirectories.made(path)
        return path
    }

    /// Names in a directory (without `.` and `..`), unsorted; empty if it cannot be read.
    public static func entries(of path: String) -> [String] {
        guard let d = opendir(path) else { return [] }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let name = DirectoryEntry.name(e)
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Relative paths of the files under `path` whose names end with `suffix`, sorted.
    public static func files(under path: String, suffix: String) -> [String] {
        var out: [String] = []
        func walk(_ dir: String, _ prefix: String) {
            for name in entries(of: dir) where !name.hasPrefix(".") {
                if isDirectory(dir + "/" + name) { walk(dir + "/" + name, prefix + name + "/") }
                else if name.hasSuffix(suffix) { out.append(prefix + name) }
            }
        }
        walk(path, "")
        return out.sorted()
    }

    /// Creates `path` and its missing parents (like `mkdir -p`).
    public static func makeDirectories(_ path: String) throws {
        if isDirectory(path) { return }
        let parent = directory(of: path)
        if parent != path && parent != "." && parent != "/" { try makeDirectories(parent) }
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw IOError.failed("cannot create directory \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// The current working directory (`.` if it cannot be read).
    public static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return String(nulTerminated: buffer)
    }

    /// Wall-clock time in seconds since the epoch (the clock file times use).
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// The directory part of `path` (`.` when there is none).
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Linux's `O_PATH` (not exported to Swift by Glibc: it needs `_GNU_SOURCE`); the same
    /// value on x86-64 and the generic architectures.
    static let openPathOnly: Int32 = 0o1000_0000

    /// The absolute, symlink-free form of `path`, if it exists (what `realpath(3)` answers).
    ///
    /// Asked of the kernel in one path walk: the path is opened with `O_PATH` (no access to the
    /// file itself, so any kind of file), and the name the kernel holds for that descriptor is
    /// read back from `/proc/self/fd`. `realpath(3)` instead reads every component as a link,
    /// each a walk from the root again: a warm run resolves half a dozen paths (sources, the
    /// compiler, the executable) at ~2.6 µs per `readlink` on this machine. Anything the kernel
    /// cannot name plainly (no `/proc`, a name outside this process's root, a file deleted
    /// meanwhile, a pipe) and every failure go to `realpath(3)`.
    public static func realPath(_ path: String) -> String? {
        if let name = kernelPath(path) { return name }
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    /// The kernel's name for `path` opened with `O_PATH`, or nil when it has none to give plainly.
    static func kernelPath(_ path: String) -> String? {
        let fd = open(path, openPathOnly | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let capacity = Int(PATH_MAX)
        var name = [UInt8](repeating: 0, count: capacity)
        let link = "/proc/self/fd/" + String(fd)
        let count = name.withUnsafeMutableBytes { raw -> Int in
            guard let base = raw.baseAddress else { return -1 }
            return readlink(link, base.assumingMemoryBound(to: CChar.self), capacity)
        }
        guard count > 0, count < capacity, name[0] == UInt8(ascii: "/") else { return nil }
        let text = String(decoding: name[..<count], as: UTF8.self)
        return text.hasSuffix(" (deleted)") ? nil : text
    }
}
