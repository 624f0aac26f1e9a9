import CrossRunDriver
#if canImport(Glibc)
import Glibc
#endif

/// What the fuzzer needs beyond ``FileIO``: atomic writes of corpus entries and artifacts
/// (another process may be reading the directory), a corpus directory's files, the RSS.
public enum FuzzFiles {
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let temporary = path + ".tmp\(getpid())"
        guard let f = fopen(temporary, "wb") else { throw FuzzError.unwritable(file: path, reason: String(cString: strerror(errno))) }
        let n = bytes.isEmpty ? 0 : fwrite(bytes, 1, bytes.count, f)
        fclose(f)
        guard n == bytes.count, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw FuzzError.unwritable(file: path, reason: "cannot write")
        }
    }

    /// The regular files of `dir`, sorted by name (so a run is reproducible).
    public static func files(in dir: String) -> [String] {
        FileIO.entries(of: dir).filter { !$0.hasPrefix(".") && !$0.contains(".tmp") }.map { dir + "/" + $0 }.filter { path in
            var st = stat()
            return fstatat(AT_FDCWD, path, &st, 0) == 0 && st.st_mode & S_IFMT == S_IFREG
        }.sorted()
    }

    /// This process's resident set size in MiB.
    static func residentMegabytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss / 1024
    }
}
