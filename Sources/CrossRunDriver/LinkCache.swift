import CrossRunLink
import CrossRunSupport
#if canImport(Glibc)
import Glibc
#endif

/// Linked images of programs `crossrun cc` wrote, kept in the compile cache's directory
/// (`DIR/v1/XX/KEY.image`, the same atomic writes and the same least-recently-used pruning), so
/// a launcher started again loads its image instead of reading its objects and linking them
/// (and the guest runtime) anew: a test suite starts its program thousands of times.
///
/// Only a run whose one input is such a program (``Pipeline/InputKind/bundle``) is cached. The
/// key is a SHA-256 over everything the link reads: the program file's stamp (device, inode,
/// size, modification and status-change times; a file changed in the last moments is not
/// cached, as the compile cache's "racy clean" rule), the target, backend and linking options,
/// the stamps of this `crossrun` executable, of the clang that compiles the guest runtime and
/// of every file under the CrossRun home's `runtime/` and `include/`. A damaged entry (its
/// checksum, a broken loader promise) is removed and the program linked again.
public struct LinkCache: Sendable {
    let cache: CompileCache

    public init(cache: CompileCache) { self.cache = cache }

    /// The cache key of linking the program file `input` as described, or nil when it must
    /// not be cached (a file that changed just now, one whose stamps cannot be read).
    func key(input: String, link description: String, toolchain: Toolchain) -> String? {
        guard let program = FileIdentity(input), program.isSettled(at: FileIO.now()),
              let executable = FileIO.realPath("/proc/self/exe"), let own = FileIdentity(executable),
              let compiler = FileIO.realPath(toolchain.clang), let clang = FileIdentity(compiler) else { return nil }
        var text = "crossrun link cache 1\n\(program.stamp)\n\(description)\n\(executable) \(own.stamp)\n\(compiler) \(clang.stamp)\n"
        for directory in [toolchain.home + "/runtime", toolchain.includeDirectory] {
            guard Self.appendStamps(of: directory, to: &text, depth: 0) else { return nil }
        }
        return SHA256.hex(Array(text.utf8))
    }

    /// Appends `path stamp` for every regular file under `directory` in name order (at most 8
    /// directories deep; false when something cannot be read).
    static func appendStamps(of directory: String, to text: inout String, depth: Int) -> Bool {
        guard depth < 8 else { return false }
        for name in FileIO.entries(of: directory).sorted() {
            let path = directory + "/" + name
            var st = stat()
            guard lstat(path, &st) == 0 else { return false }
            switch st.st_mode & S_IFMT {
            case S_IFDIR:
                guard appendStamps(of: path, to: &text, depth: depth + 1) else { return false }
            case S_IFREG:
                guard let id = FileIdentity(path) else { return false }
                text += path + " " + id.stamp + "\n"
            default:
                continue
            }
        }
        return true
    }

    var root: String { cache.root }

    func path(_ key: String) -> String { "\(root)/\(key.prefix(2))/\(key).image" }

    /// The image stored under `key`, or nil (a damaged entry is removed).
    func lookup(_ key: String) -> LinkImage? {
        let file = path(key)
        guard let bytes = try? FileIO.read(file) else { return nil }
        do {
            let image = try LinkImage(serialized: bytes)
            cache.touch(file)
            return image
        } catch {
            unlink(file)
            return nil
        }
    }

    /// Stores `image` under `key` (best effort: a cache that cannot be written is no error).
    func store(_ image: LinkImage, _ key: String) {
        let file = path(key)
        guard (try? cache.writeAtomically(image.serialized(), to: file)) != nil else { return }
        cache.prune(subdirectoryOf: key, keeping: ["\(key).image"])
    }
}
