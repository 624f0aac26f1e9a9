import CrossRunSupport
#if canImport(Glibc)
import Glibc
#endif

/// What the fuzzer needs beyond ``FileIO``: atomic writes of corpus entries and artifacts
/// (another process may be reading the directory), a corpus directory's files, the RSS.
package enum FuzzFiles {
    package static func write(_ bytes: [UInt8], to path: String) throws(FuzzError) {
        let temporary = path + ".tmp\(getpid())"
        guard let f = fopen(temporary, "wb") else { throw FuzzError.unwritable(file: path, reason: String(cString: strerror(errno))) }
        let n = bytes.isEmpty ? 0 : fwrite(bytes, 1, bytes.count, f)
        let closed = fclose(f) == 0
        let code = errno
        guard n == bytes.count, closed else {
            unlink(temporary)
            throw FuzzError.unwritable(file: path, reason: String(cString: strerror(code)))
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw FuzzError.unwritable(file: path, reason: reason)
        }
    }

    /// Checks that files named `prefix` + something can be created (an artifact prefix such as
    /// `out/crash-`, or a corpus directory + `/`) by creating and removing one.
    package static func checkWritable(prefix: String) throws(FuzzError) {
        let probe = prefix + ".crossrun-probe-\(getpid())"
        try write([], to: probe)
        unlink(probe)
    }

    /// Where an artifact goes when its prefix cannot take it: `$TMPDIR`, else `/tmp`.
    static var fallbackDirectory: String {
        if let t = getenv("TMPDIR"), t.pointee != 0 { return String(cString: t) }
        return "/tmp"
    }

    /// Saves a crash or timeout input as `artifactPrefix + name`, else (saying why on stderr)
    /// in ``fallbackDirectory``. Returns where it went, or nil when nothing could be written.
    static func saveArtifact(_ input: [UInt8], name: String, artifactPrefix: String) -> String? {
        for path in [artifactPrefix + name, fallbackDirectory + "/" + name] {
            do {
                try write(input, to: path)
                return path
            } catch {
                fputs("==crossrun fuzz== cannot save the input to \(error)\n", StandardStreams.error)
            }
        }
        return nil
    }

    /// The regular files of `dir`, sorted by name (so a run is reproducible).
    package static func files(in dir: String) -> [String] {
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
