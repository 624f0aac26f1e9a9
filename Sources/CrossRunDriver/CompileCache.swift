import CrossRunSupport
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A persistent cache of compiled objects, in ccache's "direct mode".
///
/// A compile's *manifest key* hashes the compiler (path, size, mtime, `--version` text), the
/// full clang argument list, the source path (as given and resolved), the working directory
/// when an argument may be a relative path, and the source's bytes. The manifest lists, per
/// earlier compile, every file the compile read (clang's `-MD` dependency file: the source and
/// each header, CrossRun's and clang's own included) with its content hash and `stat` stamp
/// (device, inode, size, mtime and ctime in nanoseconds), and the object it produced. A lookup
/// hits only when all those files still match: a file whose stamp is unchanged is not read
/// again (a warm run costs one `stat` per header), any other is re-hashed, and when its
/// contents turn out unchanged (a `touch`, a checkout) the manifest is rewritten with the new
/// stamp so the next lookup is cheap again. A stamp is recorded only for a file last changed
/// clearly (20 ms) before it was read, so a write in the same clock tick cannot hide behind it. Sources that
/// use `__DATE__`, `__TIME__` or `__TIMESTAMP__` are never cached, nor compiles with an input
/// modified after (or within 20 ms before) clang started: it may have changed under clang.
///
/// Layout: `DIR/v1/XX/KEY.manifest`, `DIR/v1/XX/KEY.o` (+ `KEY.txt`, clang's warnings, replayed
/// on a hit), where `XX` starts `KEY`. Every file is written to a temporary name and renamed,
/// so concurrent processes never see partial files. The manifest records each object's (and
/// warnings file's) size and SHA-256: a hit re-checks them, and an entry that no longer matches
/// (truncated, modified) is removed and compiled again rather than used. Each `XX` directory
/// holds at most 1/256 of the size limit: after a store, the least recently used files there are
/// removed, never the entry just stored (an object larger than the share is still cached). Only files named as the cache names its own (``isCacheFile(_:in:)``) are ever counted,
/// pruned or cleared: anything else found under `DIR/v1` is left alone.
///
/// `DIR` is `$CROSSRUN_CACHE_DIR`, else `$XDG_CACHE_HOME/crossrun`, else `~/.cache/crossrun`;
/// `CROSSRUN_NO_CACHE=1` disables the cache; `CROSSRUN_CACHE_MAX_MB` sets the limit (default 512).
public final class CompileCache: Sendable {
    /// The cache's root directory.
    public let directory: String
    /// Total size limit in bytes (approximate: enforced per subdirectory).
    public let maxBytes: Int

    private let state = Mutex(State())

    private struct State {
        var statistics = Statistics()
        var fileHashes: [String: (identity: FileIdentity, hash: String)] = [:]
        var compilers: [String: String] = [:]
        /// Files read and hashed by lookups (those whose stamp did not vouch for them).
        var filesHashed = 0
    }

    /// What this process's cache did.
    public struct Statistics: Sendable, Equatable {
        /// Compiles answered from the cache.
        public var hits = 0
        /// Compiles that ran clang (whether or not the result could be stored).
        public var misses = 0
    }

    /// A cached compile result.
    public struct Entry: Sendable {
        /// The object file's bytes.
        public var object: [UInt8]
        /// What clang printed on stderr (warnings).
        public var diagnostics: [UInt8]
    }

    /// A pending store: computed before the compile, completed after it.
    public struct Key: Sendable {
        let manifest: String
    }

    public init(directory: String, maxBytes: Int = 512 << 20) {
        self.directory = directory
        self.maxBytes = max(maxBytes, 1 << 20)
    }

    /// The process-wide cache as the environment configures it (`nil` when disabled).
    public static let shared: CompileCache? = fromEnvironment()

    /// The cache the environment asks for, or `nil` if `CROSSRUN_NO_CACHE` is set (non-empty, not `0`).
    public static func fromEnvironment() -> CompileCache? {
        if let off = env("CROSSRUN_NO_CACHE"), off != "0" { return nil }
        guard let dir = defaultDirectory() else { return nil }
        let mb = env("CROSSRUN_CACHE_MAX_MB").flatMap { Int($0) } ?? 512
        return CompileCache(directory: dir, maxBytes: mb << 20)
    }

    /// `$CROSSRUN_CACHE_DIR`, `$XDG_CACHE_HOME/crossrun` or `$HOME/.cache/crossrun`.
    public static func defaultDirectory() -> String? {
        if let d = env("CROSSRUN_CACHE_DIR") { return d }
        if let x = env("XDG_CACHE_HOME") { return x + "/crossrun" }
        if let h = env("HOME") { return h + "/.cache/crossrun" }
        return nil
    }

    static func env(_ name: String) -> String? {
        guard let v = getenv(name) else { return nil }
        let s = String(cString: v)
        return s.isEmpty ? nil : s
    }

    /// This process's hit and miss counts.
    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// How many files lookups had to read and hash so far (a warm lookup reads none).
    var filesHashed: Int { state.withLock { $0.filesHashed } }

    var root: String { directory + "/v1" }

    // MARK: Keys

    /// The manifest key of compiling `source` with `arguments` (everything but `-o`, the
    /// dependency-file flags and the source), or `nil` if the compile must not be cached.
    public func key(compiler: String, arguments: [String], source: String) -> Key? {
        // (A source using a time macro gets a key too, but never a manifest: `store` refuses
        // any compile whose inputs use one, so its lookups miss. Scanning here as well was ~5%
        // of a warm run.)
        guard let identity = compilerIdentity(compiler),
              let resolved = FileIO.realPath(source),
              let bytes = try? FileIO.read(source) else { return nil }
        var h = SHA256()
        h.update(field: "crossrun-compile-v1")
        h.update(field: identity)
        for a in arguments where a != "-fcolor-diagnostics" { h.update(field: a) }
        h.update(field: source)
        h.update(field: resolved)
        if Self.dependsOnWorkingDirectory(arguments) || !source.hasPrefix("/") {
            h.update(field: Self.workingDirectory())
        }
        h.update(field: "source")
        h.update(bytes)
        return Key(manifest: Hex.string(h.finalize()))
    }

    /// Whether any argument may be a relative path (so the working directory matters).
    /// Conservative: unknown separate values count as paths.
    static func dependsOnWorkingDirectory(_ arguments: [String]) -> Bool {
        let pathFlags = ["-I", "-isystem", "-iquote", "-idirafter", "-include", "-imacros", "-iprefix", "-iwithprefix", "-L"]
        let valueFlags: Set<String> = ["-D", "-U", "-Xclang", "--target", "-x"]
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            defer { i += 1 }
            if pathFlags.contains(a) || a == "-MF" || a == "-o" {
                if i + 1 < arguments.count, !arguments[i + 1].hasPrefix("/") { return true }
                i += 1
            } else if valueFlags.contains(a) {
                i += 1
            } else if let flag = pathFlags.first(where: { a.hasPrefix($0) && a.count > $0.count }) {
                if !a.dropFirst(flag.count).hasPrefix("/") { return true }
            } else if !a.hasPrefix("-") {
                return true
            }
        }
        return false
    }

    /// `__DATE__`, `__TIME__` and `__TIMESTAMP__` make a compile depend on when it ran
    /// (``TimeMacroScan``: identifiers only, not the names inside strings, comments or longer
    /// identifiers, which TinyCC's sources are full of).
    static func mentionsTime(_ bytes: [UInt8]) -> Bool { TimeMacroScan.mentionsTime(bytes) }

    static func workingDirectory() -> String { FileIO.currentDirectory() }

    /// The compiler's identity: resolved path, size, mtime and `--version` text (run once per
    /// compiler binary and remembered on disk).
    func compilerIdentity(_ compiler: String) -> String? {
        if let known = state.withLock({ $0.compilers[compiler] }) { return known }
        guard let path = FileIO.realPath(compiler), let id = FileIdentity(path) else { return nil }
        let stamp = "\(path)\u{0}\(id.size)\u{0}\(id.mtime)"
        let file = root + "/compilers/" + SHA256.hex(Array(stamp.utf8))
        var version = (try? FileIO.read(file)).map { String(decoding: $0, as: UTF8.self) }
        if version == nil {
            guard let r = try? Subprocess.run(compiler, ["--version"], captureOutput: true), r.status == 0 else { return nil }
            version = String(decoding: r.output, as: UTF8.self)
            try? writeAtomically(r.output, to: file)
        }
        let identity = stamp + "\u{0}" + (version ?? "")
        state.withLock { $0.compilers[compiler] = identity }
        return identity
    }

    // MARK: Lookup and store

    /// The cached result for `key`, if every file its compile read is unchanged and the stored
    /// object is intact (a damaged one is removed: the caller compiles and stores it again).
    public func lookup(_ key: Key) -> Entry? {
        let manifest = path(key.manifest, ".manifest")
        guard let text = try? FileIO.read(manifest) else { return nil }
        var entries = Self.parseManifest(text)
        for index in entries.indices {
            let checked = FileIO.now()
            var entry = entries[index]
            var restamped = false
            var unchanged = true
            for d in entry.dependencies.indices {
                let dependency = entry.dependencies[d]
                guard let id = FileIdentity(dependency.path) else { unchanged = false; break }
                if dependency.stamp == id.stamp { continue }
                guard hash(of: dependency.path, identity: id) == dependency.hash else { unchanged = false; break }
                if id.isSettled(at: checked) {
                    entry.dependencies[d].stamp = id.stamp
                    restamped = true
                }
            }
            guard unchanged else { continue }
            let object = path(entry.result, ".o")
            guard let bytes = try? FileIO.read(object) else { continue }
            let diagnostics = (try? FileIO.read(path(entry.result, ".txt"))) ?? []
            guard entry.object == Stamp(bytes), entry.diagnostics == Stamp(diagnostics) else {
                fputs("crossrun: warning: compile cache: \(object) is damaged (size or SHA-256 differs from its manifest); compiling again\n", StandardStreams.error)
                unlink(object)
                unlink(path(entry.result, ".txt"))
                continue
            }
            touch(object)
            if restamped {
                entries[index] = entry
                try? writeAtomically(Self.renderManifest(entries), to: manifest)
            } else {
                touch(manifest)
            }
            state.withLock { $0.statistics.hits += 1 }
            return Entry(object: bytes, diagnostics: diagnostics)
        }
        return nil
    }

    /// Counts a compile that ran clang.
    public func recordMiss() { state.withLock { $0.statistics.misses += 1 } }

    /// Records a successful compile: `dependencyFile` is the `-MF` file clang wrote, `started`
    /// the wall-clock time (``FileIO/now()``) just before clang ran. Failures to store are ignored.
    public func store(_ key: Key, dependencyFile: String, object: [UInt8], diagnostics: [UInt8], started: Double) {
        guard let depText = try? FileIO.read(dependencyFile) else { return }
        let cwd = Self.workingDirectory()
        var deps: [Dependency] = []
        var seen = Set<String>()
        for dep in Self.parseDependencies(depText) {
            let absolute = dep.hasPrefix("/") ? dep : cwd + "/" + dep
            guard seen.insert(absolute).inserted, !absolute.contains("\n"),
                  let id = FileIdentity(absolute), id.mtime < started - 0.02,
                  let bytes = try? FileIO.read(absolute), !Self.mentionsTime(bytes) else { return }
            // Read after `started`: a later write would get a ctime past the recorded one.
            deps.append(Dependency(path: absolute, hash: SHA256.hex(bytes), stamp: id.isSettled(at: started) ? id.stamp : nil))
        }
        var h = SHA256()
        h.update(field: key.manifest)
        for d in deps { h.update(field: d.path); h.update(field: d.hash) }
        let result = Hex.string(h.finalize())
        do {
            if !diagnostics.isEmpty { try writeAtomically(diagnostics, to: path(result, ".txt")) }
            try writeAtomically(object, to: path(result, ".o"))
            let manifestPath = path(key.manifest, ".manifest")
            var entries = (try? FileIO.read(manifestPath)).map(Self.parseManifest) ?? []
            entries.removeAll { $0.result == result }
            entries.insert(ManifestEntry(result: result, object: Stamp(object), diagnostics: Stamp(diagnostics),
                                         dependencies: deps), at: 0)
            try writeAtomically(Self.renderManifest(Array(entries.prefix(8))), to: manifestPath)
        } catch {
            return
        }
        // The entry just stored stays, even when it alone is over its subdirectory's share (a
        // 3.6 MB object of Janet's amalgamated janet.c built with -g, against 2 MiB): pruning it
        // too made every such compile a miss.
        let stored: Set<String> = ["\(result).o", "\(result).txt", "\(key.manifest).manifest"]
        prune(subdirectoryOf: result, keeping: stored)
        if key.manifest.prefix(2) != result.prefix(2) { prune(subdirectoryOf: key.manifest, keeping: stored) }
    }

    func path(_ key: String, _ ext: String) -> String { "\(root)/\(key.prefix(2))/\(key)\(ext)" }

    /// The content hash of `path` (whose `stat` gave `identity`), remembered per file identity
    /// within this process.
    func hash(of path: String, identity id: FileIdentity) -> String? {
        if let known = state.withLock({ $0.fileHashes[path] }), known.identity == id { return known.hash }
        guard let bytes = try? FileIO.read(path) else { return nil }
        let h = SHA256.hex(bytes)
        state.withLock {
            $0.fileHashes[path] = (id, h)
            $0.filesHashed += 1
        }
        return h
    }

    // MARK: Files

    /// A stored file's size and SHA-256 (hex), checked on every hit.
    struct Stamp: Equatable {
        var size: Int
        var hash: String
        init(_ bytes: [UInt8]) { (size, hash) = (bytes.count, SHA256.hex(bytes)) }
        init?(size: Substring, hash: Substring) {
            guard let n = Int(size), n >= 0, hash.utf8.count == 64, hash.utf8.allSatisfy(isHexByte) else { return nil }
            (self.size, self.hash) = (n, String(hash))
        }
    }

    /// A file a compile read: its path, content hash and `stat` stamp (``FileIdentity/stamp``;
    /// `nil` when it was too fresh to vouch for the contents).
    struct Dependency: Equatable {
        var path: String
        var hash: String
        var stamp: String?
    }

    struct ManifestEntry {
        var result: String
        var object: Stamp
        var diagnostics: Stamp
        var dependencies: [Dependency]
    }

    static let manifestHeader = "crossrun-manifest 3"
    /// Version 2: the same without stamps (read as if every stamp were `-`).
    static let manifestHeaderWithoutStamps = "crossrun-manifest 2"

    /// Manifest text: `R <result> <object size> <object sha256> <warnings size> <warnings
    /// sha256>` starts an entry; `D <hash> <stamp or -> <path>` lines list its inputs. (Version
    /// 1 manifests, without the sizes and hashes, read as empty: their compiles run again.)
    static func renderManifest(_ entries: [ManifestEntry]) -> [UInt8] {
        var text = manifestHeader + "\n"
        for e in entries {
            text += "R \(e.result) \(e.object.size) \(e.object.hash) \(e.diagnostics.size) \(e.diagnostics.hash)\n"
            for d in e.dependencies { text += "D \(d.hash) \(d.stamp ?? "-") \(d.path)\n" }
        }
        return Array(text.utf8)
    }

    /// Parses manifest text (``renderManifest(_:)``); a damaged manifest reads as empty. By
    /// byte over the buffer, making strings only of the fields kept: splitting into words first
    /// (and checking hex digits through `Substring`'s generic views) was ~12,000 instructions per
    /// dependency line, 5–10% of a warm run. `CompileCacheStampTests` checks it against that
    /// word-splitting reading.
    static func parseManifest(_ bytes: [UInt8]) -> [ManifestEntry] {
        bytes.withUnsafeBufferPointer { text in
            let space: UInt8 = 0x20, newline: UInt8 = 0x0a
            func string(_ range: Range<Int>) -> String {
                String(decoding: UnsafeBufferPointer(rebasing: text[range]), as: UTF8.self)
            }
            func isKey(_ range: Range<Int>) -> Bool {
                range.count == 64 && text[range].allSatisfy(isLowerHexByte)
            }
            // Lines without their newline, empty ones skipped (as `split` leaves them out).
            var lines: [Range<Int>] = []
            var start = 0
            for i in 0...text.count where i == text.count || text[i] == newline {
                if i > start { lines.append(start..<i) }
                start = i + 1
            }
            guard let header = lines.first else { return [] }
            let stamped: Bool
            if text[header].elementsEqual(manifestHeader.utf8) {
                stamped = true
            } else if text[header].elementsEqual(manifestHeaderWithoutStamps.utf8) {
                stamped = false
            } else {
                return []
            }
            var entries: [ManifestEntry] = []
            for line in lines.dropFirst() {
                let kind = text[line.lowerBound]
                guard line.count >= 2, text[line.lowerBound + 1] == space else { return [] }
                if kind == UInt8(ascii: "R") {
                    // Words separated by one or more spaces: R, result, two sizes and hashes.
                    var fields: [Range<Int>] = []
                    var wordStart = line.lowerBound
                    for i in line.lowerBound...line.upperBound where i == line.upperBound || text[i] == space {
                        if i > wordStart { fields.append(wordStart..<i) }
                        wordStart = i + 1
                    }
                    guard fields.count == 6, isKey(fields[1]),
                          let object = Stamp(size: Substring(string(fields[2])), hash: Substring(string(fields[3]))),
                          let diagnostics = Stamp(size: Substring(string(fields[4])), hash: Substring(string(fields[5]))) else { return [] }
                    entries.append(ManifestEntry(result: string(fields[1]), object: object, diagnostics: diagnostics, dependencies: []))
                } else if kind == UInt8(ascii: "D"), !entries.isEmpty {
                    // `D <hash> <stamp> <path>`: single spaces, the path is the rest (it may hold spaces).
                    var cursor = line.lowerBound + 2
                    func nextWord() -> Range<Int>? {
                        guard let end = text[cursor..<line.upperBound].firstIndex(of: space) else { return nil }
                        defer { cursor = end + 1 }
                        return cursor..<end
                    }
                    guard let hash = nextWord(), isKey(hash) else { return [] }
                    var stamp: String?
                    if stamped {
                        guard let word = nextWord() else { return [] }
                        stamp = word.count == 1 && text[word.lowerBound] == UInt8(ascii: "-") ? nil : string(word)
                    }
                    guard cursor < line.upperBound else { return [] }
                    entries[entries.count - 1].dependencies.append(
                        Dependency(path: string(cursor..<line.upperBound), hash: string(hash), stamp: stamp))
                } else {
                    return [] // damaged: ignore the whole manifest
                }
            }
            return entries.filter { !$0.dependencies.isEmpty }
        }
    }

    /// The prerequisites in a Make-style dependency file (`obj: a.c b.h \` …), with `\ ` and
    /// `$$` unescaped.
    static func parseDependencies(_ bytes: [UInt8]) -> [String] {
        var words: [String] = []
        var current: [UInt8] = []
        var i = 0
        func flush() {
            if !current.isEmpty { words.append(String(decoding: current, as: UTF8.self)) }
            current = []
        }
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\\"), i + 1 < bytes.count {
                let n = bytes[i + 1]
                if n == UInt8(ascii: "\n") { flush(); i += 2; continue }
                if n == UInt8(ascii: "\r"), i + 2 < bytes.count, bytes[i + 2] == UInt8(ascii: "\n") { flush(); i += 3; continue }
                if n == UInt8(ascii: " ") || n == UInt8(ascii: "#") || n == UInt8(ascii: "\\") { current.append(n); i += 2; continue }
            }
            if c == UInt8(ascii: "$"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "$") { current.append(c); i += 2; continue }
            if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r") {
                flush()
            } else {
                current.append(c)
            }
            i += 1
        }
        flush()
        // Drop the target(s): everything up to the first word ending in ':'.
        if let colon = words.firstIndex(where: { $0.hasSuffix(":") }) {
            let tail = Array(words[(colon + 1)...])
            return tail.filter { !$0.hasSuffix(":") }
        }
        return []
    }

    /// Writes `bytes` to a temporary file beside `path`, then renames it into place.
    func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        try FileIO.makeDirectories(FileIO.directory(of: path))
        let temp = "\(path).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        do {
            try FileIO.write(bytes, to: temp)
        } catch {
            unlink(temp)
            throw error
        }
        guard rename(temp, path) == 0 else {
            unlink(temp)
            throw DriverError.environment("cannot rename \(temp): \(String(cString: strerror(errno)))")
        }
    }

    func touch(_ path: String) { utimensat(AT_FDCWD, path, nil, 0) }

    /// Keeps the subdirectory holding `key` under 1/256 of the limit, removing least recently
    /// used files (and stale temporaries) first — but never the files named in `kept` (the entry
    /// a store just wrote), so a subdirectory exceeds its share by at most that entry.
    func prune(subdirectoryOf key: String, keeping kept: Set<String> = []) {
        let dir = "\(root)/\(key.prefix(2))"
        let budget = maxBytes / 256
        var files: [(name: String, size: Int, mtime: Double)] = []
        var total = 0
        let now = Double(time(nil))
        for name in FileIO.entries(of: dir) where Self.isCacheFile(name, in: String(key.prefix(2))) {
            guard let id = FileIdentity("\(dir)/\(name)") else { continue }
            if name.hasSuffix(".tmp") && now - id.mtime > 3600 { unlink("\(dir)/\(name)"); continue }
            files.append((name, id.size, id.mtime))
            total += id.size
        }
        guard total > budget else { return }
        for f in files.sorted(by: { $0.mtime < $1.mtime }) where total > budget * 4 / 5 && !kept.contains(f.name) {
            if unlink("\(dir)/\(f.name)") == 0 { total -= f.size }
        }
    }

    /// Removes every file the cache wrote (``isCacheFile(_:in:)``), and the subdirectories
    /// left empty; anything else under `v1/` stays. Returns the number of bytes freed.
    @discardableResult
    public func clear() -> Int {
        var freed = 0
        for (path, size) in cacheFiles() where unlink(path) == 0 { freed += size }
        for sub in FileIO.entries(of: root) where Self.isSubdirectory(sub) { rmdir("\(root)/\(sub)") }
        return freed
    }

    /// Number of files and bytes in the cache (its own files only).
    public func usage() -> (files: Int, bytes: Int) {
        let files = cacheFiles()
        return (files.count, files.reduce(0) { $0 + $1.size })
    }

    /// The cache's own regular files under `v1/`, with their sizes.
    func cacheFiles() -> [(path: String, size: Int)] {
        var out: [(path: String, size: Int)] = []
        for sub in FileIO.entries(of: root) where Self.isSubdirectory(sub) {
            for name in FileIO.entries(of: "\(root)/\(sub)") where Self.isCacheFile(name, in: sub) {
                let p = "\(root)/\(sub)/\(name)"
                var st = stat()
                guard lstat(p, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { continue }
                out.append((p, Int(st.st_size)))
            }
        }
        return out
    }

    /// The subdirectories of `v1/`: `XX` (two lowercase hex digits) and `compilers`.
    static func isSubdirectory(_ name: String) -> Bool {
        name == "compilers" || (name.utf8.count == 2 && name.allSatisfy(isLowerHex))
    }

    /// Whether `name` in subdirectory `sub` is a file the cache writes: `KEY.manifest`,
    /// `KEY.o`, `KEY.txt`, `KEY.image` (``LinkCache``) with a 64-hex-digit `KEY` starting with `sub` (in `compilers`: a bare
    /// `KEY`), or the temporary `NAME.PID.RANDOM.tmp` of one.
    static func isCacheFile(_ name: String, in sub: String) -> Bool {
        var base = Substring(name)
        if base.hasSuffix(".tmp") {
            let parts = base.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count >= 4, parts[parts.count - 2].allSatisfy(\.isASCII), UInt32(parts[parts.count - 2]) != nil,
                  Int32(parts[parts.count - 3]) != nil else { return false }
            base = base.dropLast(parts[parts.count - 1].count + parts[parts.count - 2].count + parts[parts.count - 3].count + 3)
        }
        if sub == "compilers" { return isKey(base) }
        for ext in [".manifest", ".o", ".txt", ".image"] where base.hasSuffix(ext) {
            let key = base.dropLast(ext.count)
            return isKey(key) && key.hasPrefix(sub)
        }
        return false
    }

    /// A SHA-256 in lowercase hex.
    static func isKey(_ text: Substring) -> Bool { text.utf8.count == 64 && text.utf8.allSatisfy(isLowerHexByte) }

    static func isLowerHex(_ c: Character) -> Bool { c.utf8.count == 1 && c.utf8.allSatisfy(isLowerHexByte) }

    // By byte: Character's Unicode properties (isNumber, isHexDigit) were a visible part of a
    // warm run's manifest parsing.
    static func isLowerHexByte(_ c: UInt8) -> Bool { (0x30...0x39).contains(c) || (0x61...0x66).contains(c) }

    static func isHexByte(_ c: UInt8) -> Bool { isLowerHexByte(c) || (0x41...0x46).contains(c) }
}

/// What `stat` says about a file, enough to notice it changed.
struct FileIdentity: Equatable {
    var device: UInt64
    var inode: UInt64
    var size: Int
    /// Modification and status-change times, seconds since the epoch.
    var mtime: Double
    var ctime: Double
    /// The same times in whole nanoseconds (exact, for ``stamp``).
    var mtimeNanoseconds: Int64
    var ctimeNanoseconds: Int64

    init?(_ path: String) {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
        size = Int(st.st_size)
        mtime = Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9
        ctime = Double(st.st_ctim.tv_sec) + Double(st.st_ctim.tv_nsec) / 1e9
        (mtimeNanoseconds, ctimeNanoseconds) = (Self.nanoseconds(st.st_mtim), Self.nanoseconds(st.st_ctim))
    }

    static func nanoseconds(_ t: timespec) -> Int64 {
        let (s, overflow) = Int64(t.tv_sec).multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? Int64.max : s.addingReportingOverflow(Int64(t.tv_nsec)).partialValue
    }

    /// `device:inode:size:mtime_ns:ctime_ns`, as a manifest records it: a file whose stamp is
    /// unchanged has unchanged contents (any write sets ctime to the kernel's current time, and
    /// nothing can set it back), so a lookup need not read and hash it again.
    var stamp: String {
        // Digits written by hand: string interpolation of five integers, once per header per
        // warm lookup, was several percent of a warm run.
        var text: [UInt8] = []
        text.reserveCapacity(80)
        func append(_ value: UInt64) {
            var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                          UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            var count = 0
            var rest = value
            withUnsafeMutableBytes(of: &digits) { d in
                repeat {
                    d[count] = UInt8(truncatingIfNeeded: rest % 10) + 0x30
                    rest /= 10
                    count += 1
                } while rest > 0
                for i in stride(from: count - 1, through: 0, by: -1) { text.append(d[i]) }
            }
        }
        func append(signed value: Int64) {
            if value < 0 { text.append(UInt8(ascii: "-")) }
            append(value.magnitude)
        }
        append(device)
        text.append(UInt8(ascii: ":"))
        append(inode)
        text.append(UInt8(ascii: ":"))
        append(signed: Int64(size))
        text.append(UInt8(ascii: ":"))
        append(signed: mtimeNanoseconds)
        text.append(UInt8(ascii: ":"))
        append(signed: ctimeNanoseconds)
        return String(decoding: text, as: UTF8.self)
    }

    /// Whether ``stamp`` may vouch for the contents read now (at `now`, ``FileIO/now()``):
    /// only if the file's last change is clearly older than that, so a write after the read
    /// cannot land in the same coarse clock tick and leave the stamp unchanged (git's "racy
    /// clean" rule).
    func isSettled(at now: Double) -> Bool {
        let margin = Self.settlingMargin(mtimeNanoseconds: mtimeNanoseconds, ctimeNanoseconds: ctimeNanoseconds)
        return mtime < now - margin && ctime < now - margin
    }

    /// How long ago a file's last change must be for its stamp to be trusted: 20 ms, more than
    /// a kernel clock tick; 2 s on a file system that keeps whole seconds (both times without a
    /// fraction), where a second write within the same second would leave the stamp unchanged.
    static func settlingMargin(mtimeNanoseconds: Int64, ctimeNanoseconds: Int64) -> Double {
        mtimeNanoseconds % 1_000_000_000 == 0 && ctimeNanoseconds % 1_000_000_000 == 0 ? 2 : 0.02
    }
}
