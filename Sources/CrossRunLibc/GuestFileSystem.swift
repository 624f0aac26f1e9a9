import CHostSystem
#if canImport(Glibc)
import Glibc
#endif

/// Where the guest's file names lead on the host.
///
/// Without a root, a guest path is the host path as given, relative to the guest's own current
/// directory: the host's at start, moved only by the guest's `chdir` (which never moves
/// CrossRun's). With a root (`crossrun --root DIR`), the guest sees `DIR` as `/` with its own
/// current directory (starting at `/`): every path is resolved here component by component,
/// following symbolic links inside the root, so neither `..` nor a symbolic link (absolute or
/// relative) can lead outside it. The host then receives a path with no symbolic link left in
/// it, except a last component the call must not follow.
///
/// A value: the C library's state holds it, so the fuzzer's reset puts the current directory
/// back with everything else. This confines a program that is not racing against another host
/// process changing the tree under it at the same moment; it is a harness guard, not a security
/// boundary (doc/ISOLATION.md).
public struct GuestFileSystem: Sendable {
    /// The confining directory (canonical, no trailing slash), or nil for the host's view:
    /// `--root`'s, or the one a guest `chroot` chose.
    public private(set) var root: [UInt8]?
    /// Whether the run is confined by `--root` (the policy: no exec, no network, no device
    /// nodes…). A guest's own `chroot` changes only how paths resolve, as on Linux.
    public private(set) var confined = false
    /// The guest's current directory: with a root a canonical guest path (starting at `/`);
    /// without one the canonical host path the guest moved to with `chdir`, or nil while it
    /// has not (then relative paths are the host's own).
    public private(set) var currentDirectory: [UInt8]?
    /// The directory the guest's `chdir` entered, held open: once it is removed its path
    /// names nothing, but Linux keeps a process working in it (`stat(".")`, `chdir("..")`),
    /// so relative paths then start at this descriptor (through `/proc/self/fd/N`).
    private var heldDirectory: HeldDirectory?
    /// Exact guest paths that lead to a given host path instead, before any other resolution
    /// (`--deterministic`: `/dev/urandom` to a fixed in-memory file).
    public var substitutes: [[UInt8]: [CChar]] = [:]
    /// Exact guest paths served read-only from these contents instead of a host file
    /// (`/proc/cpuinfo` describing the emulated CPU). The in-memory file behind one is made
    /// when the guest first opens it, so no descriptor of it exists before.
    public var syntheticFiles: [[UInt8]: [UInt8]] = [:]
    /// Guest paths under `/proc/self/` (also reached as `/proc/<pid>/` with the process's own
    /// pid, or `/proc/thread-self/`) whose contents are made afresh at each open (the guest's
    /// `maps` and `smaps`, which change as it maps memory), keyed by the `/proc/self/` name.
    public var generatedFiles: [[UInt8]: @Sendable () -> [UInt8]] = [:]

    /// A path-resolution failure: the `errno` the call reports.
    public struct Failure: Error, Equatable { public var code: Int32 }

    /// The host's view: paths pass through unchanged.
    public init() { root = nil }

    /// Confines paths to `directory`, which must exist and be a directory.
    public init(root directory: String) throws(Failure) {
        guard let canonical = Glibc.realpath(directory, nil) else { throw Failure(code: errno) }
        defer { free(canonical) }
        var st = stat()
        guard fstatat(AT_FDCWD, canonical, &st, 0) == 0 else { throw Failure(code: errno) }
        guard st.st_mode & S_IFMT == S_IFDIR else { throw Failure(code: ENOTDIR) }
        var bytes = Array(UnsafeRawBufferPointer(start: canonical, count: strlen(canonical)))
        if bytes == [UInt8(ascii: "/")] { bytes = [] }
        root = bytes
        confined = true
        currentDirectory = [UInt8(ascii: "/")]
    }

    /// `chroot(path)`: later paths resolve below `path`'s directory (inside the current root,
    /// if any). The current directory stays where it is when it lies inside the new root;
    /// otherwise it becomes the new `/` (Linux would leave it outside, the classic way out).
    public mutating func changeRoot(_ path: [UInt8]) throws(Failure) {
        let resolved = try resolve(path, followLast: true)
        guard let canonical = Glibc.realpath(resolved.host, nil) else { throw Failure(code: errno) }
        defer { free(canonical) }
        var st = stat()
        guard stat(canonical, &st) == 0 else { throw Failure(code: errno) }
        guard st.st_mode & S_IFMT == S_IFDIR else { throw Failure(code: ENOTDIR) }
        var newRoot = Array(UnsafeRawBufferPointer(start: canonical, count: strlen(canonical)))
        if newRoot == [Self.slash] { newRoot = [] }
        // The current directory as a host path, before the root moves.
        var hostDirectory: [UInt8]
        if let root, let cwd = currentDirectory {
            hostDirectory = root + (cwd == [Self.slash] ? [] : cwd)
        } else if let cwd = currentDirectory {
            hostDirectory = cwd
        } else {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            hostDirectory = getcwd(&buffer, buffer.count) == nil ? [] : buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        }
        if hostDirectory == [Self.slash] { hostDirectory = [] }
        if hostDirectory == newRoot {
            currentDirectory = [Self.slash]
        } else if hostDirectory.count > newRoot.count, hostDirectory.starts(with: newRoot),
                  hostDirectory[newRoot.count] == Self.slash {
            currentDirectory = Array(hostDirectory[newRoot.count...])
        } else {
            currentDirectory = [Self.slash]
        }
        root = newRoot
        heldDirectory = nil  // paths below a root resolve by name, component by component
    }

    /// Where ``generatedFiles`` live (checked first: every other path skips the lookup).
    static let procPrefix = Array("/proc/".utf8)

    /// `path` with `/proc/<own pid>/` or `/proc/thread-self/` spelt `/proc/self/` (the key of
    /// ``generatedFiles``); other paths unchanged.
    static func processFileKey(_ path: [UInt8]) -> [UInt8] {
        let prefix = procPrefix
        guard path.count > prefix.count, path.starts(with: prefix) else { return path }
        let rest = path[prefix.count...]
        guard let slash = rest.firstIndex(of: slash) else { return path }
        let component = Array(rest[..<slash])
        guard component == Array("thread-self".utf8) || component == Array(String(getpid()).utf8) else { return path }
        return Array("/proc/self".utf8) + path[slash...]
    }

    /// Symbolic links followed in one resolution before it fails with `ELOOP` (Linux's limit).
    static let maximumLinks = 40

    /// A resolved path: the host's name for it (NUL-terminated) and the guest's canonical name.
    public struct Resolved {
        public var host: [CChar]
        public var guest: [UInt8]
    }

    /// The host path for the guest path `path` (bytes without the NUL). `followLast` says
    /// whether a symbolic link in the last component is followed (false for `lstat`,
    /// `unlink`, `rename`, `readlink`, `mkdir`, …). Relative paths start at `directory` (a
    /// guest path) when given, else at the guest's current directory.
    public func resolve(_ path: [UInt8], followLast: Bool = true, from directory: [UInt8]? = nil) throws(Failure) -> Resolved {
        if !substitutes.isEmpty, let host = substitutes[path] { return Resolved(host: host, guest: path) }
        if !generatedFiles.isEmpty, path.starts(with: Self.procPrefix), let make = generatedFiles[Self.processFileKey(path)] {
            var host = [CChar](repeating: 0, count: 40)
            let contents = make()
            guard crossrun_generated_file(contents, contents.count, &host, host.count) == 0 else { throw Failure(code: ENOMEM) }
            return Resolved(host: host, guest: path)
        }
        if !syntheticFiles.isEmpty, let contents = syntheticFiles[path] {
            // One file per contents (FNV-1a names them): several emulated CPUs in one process.
            let hash = contents.reduce(UInt32(2_166_136_261)) { ($0 ^ UInt32($1)) &* 16_777_619 }
            let name = "crossrun-synthetic-" + String(hash, radix: 16)
            guard let host = crossrun_synthetic_file(name, contents, contents.count) else { throw Failure(code: ENOMEM) }
            return Resolved(host: Array(UnsafeBufferPointer(start: host, count: strlen(host) + 1)), guest: path)
        }
        guard let root else {
            // The host resolves; a relative path starts at the guest's directory, not CrossRun's.
            guard let cwd = currentDirectory, !path.isEmpty, path.first != Self.slash else {
                return Resolved(host: Self.cString(path), guest: path)
            }
            let absolute = cwd + [Self.slash] + path
            // Through the held descriptor once the directory is removed, or when the whole
            // path is too long for the host (a directory deeper than PATH_MAX, as Linux allows).
            if let held = heldDirectory, absolute.count >= Int(PATH_MAX) || held.removed {
                return Resolved(host: Self.cString(held.hostPath + [Self.slash] + path), guest: absolute)
            }
            return Resolved(host: Self.cString(absolute), guest: absolute)
        }
        guard !path.isEmpty else { throw Failure(code: ENOENT) }
        guard path.count < Int(PATH_MAX) else { throw Failure(code: ENAMETOOLONG) }
        var resolved: [[UInt8]] = []
        var pending: [[UInt8]] = []
        func push(_ p: [UInt8]) {
            // Pending components are popped from the end: push in reverse.
            pending.append(contentsOf: p.split(separator: Self.slash, omittingEmptySubsequences: false).map(Array.init).reversed())
        }
        push(path)
        if path.first != Self.slash {
            resolved = Self.components(directory ?? currentDirectory ?? [Self.slash])
        }
        var links = 0
        while let component = pending.popLast() {
            if component.isEmpty || component == [UInt8(ascii: ".")] { continue }
            if component == [UInt8(ascii: "."), UInt8(ascii: ".")] {
                _ = resolved.popLast()   // ".." at the root stays at the root
                continue
            }
            let isLast = pending.isEmpty   // a trailing "/" leaves an empty component: follow
            let candidate = Self.cString(Self.join(root, resolved + [component]))
            var st = stat()
            if lstat(candidate, &st) != 0 {
                let code = errno
                // A missing last component is for the call to report (or create).
                if isLast && code == ENOENT { resolved.append(component); break }
                throw Failure(code: code)
            }
            if st.st_mode & S_IFMT == S_IFLNK && (!isLast || followLast) {
                links += 1
                guard links <= Self.maximumLinks else { throw Failure(code: ELOOP) }
                let target = try Self.readLink(candidate)
                if target.first == Self.slash { resolved = [] }
                push(target)
                continue
            }
            if !isLast && st.st_mode & S_IFMT != S_IFDIR { throw Failure(code: ENOTDIR) }
            resolved.append(component)
        }
        let guest = Self.join([], resolved)
        guard root.count + guest.count < Int(PATH_MAX) else { throw Failure(code: ENAMETOOLONG) }
        var host = Self.join(root, resolved)
        // A trailing "/" still says "must be a directory" to the host ("file/" is ENOTDIR).
        if !resolved.isEmpty && path.last == Self.slash { host.append(Self.slash) }
        return Resolved(host: Self.cString(host), guest: guest.isEmpty ? [Self.slash] : guest)
    }

    /// What a call does to the last component it names, for the checks Linux makes first.
    public enum Removal: Sendable {
        /// `unlink`, `unlinkat` without `AT_REMOVEDIR`.
        case unlink
        /// `rmdir`, `unlinkat` with `AT_REMOVEDIR`.
        case rmdir
        /// Either side of `rename`.
        case rename
    }

    /// ``resolve(_:followLast:from:)`` for a call that removes or renames the last component
    /// (never following it). Under a root, Linux's answers for a last component that is `/`,
    /// `.` or `..` come first, and a path that resolves to the root itself (`up/` with
    /// `up -> ..`) is refused the way Linux refuses the root: `EBUSY` (`EISDIR` for `unlink`).
    /// The root directory itself is never removed, renamed or replaced.
    public func resolve(forRemoval path: [UInt8], _ kind: Removal, from directory: [UInt8]? = nil) throws(Failure) -> Resolved {
        guard root != nil else { return try resolve(path, followLast: false, from: directory) }
        let trimmed = path.reversed().drop { $0 == Self.slash }
        let last = Array(trimmed.prefix { $0 != Self.slash }.reversed())
        let dot = [UInt8(ascii: ".")], dotdot = [UInt8(ascii: "."), UInt8(ascii: ".")]
        if !path.isEmpty && (last.isEmpty || last == dot || last == dotdot) {
            switch kind {
            case .unlink: throw Failure(code: EISDIR)
            case .rename: throw Failure(code: EBUSY)
            case .rmdir: throw Failure(code: last.isEmpty ? EBUSY : last == dot ? EINVAL : ENOTEMPTY)
            }
        }
        let r = try resolve(path, followLast: false, from: directory)
        if r.guest == [Self.slash] { throw Failure(code: kind == .unlink ? EISDIR : EBUSY) }
        return r
    }

    /// Whether `open` with `flags` (host numbering) follows a symbolic link in the last
    /// component: not with `O_NOFOLLOW`, nor with `O_CREAT|O_EXCL`.
    public static func followsLastComponent(openFlags flags: Int32) -> Bool {
        flags & O_NOFOLLOW == 0 && flags & (O_CREAT | O_EXCL) != O_CREAT | O_EXCL
    }

    /// The `open` flags glibc's `fopen`/`freopen` derive from `mode`, or nil for a mode glibc
    /// refuses (`EINVAL`): `r`, `w` or `a` first, then up to six characters of which `+`
    /// (read and write), `x` (`O_EXCL`) and `e` (`O_CLOEXEC`) matter and `b`, `m`, `c` and
    /// any other are ignored; a `,` (`,ccs=`) or the end stops the scan. `x` matters only with
    /// `O_CREAT` (`w`, `a`): `"rx"` opens like `"r"` and follows a symbolic link.
    public static func openFlags(fopenMode mode: [UInt8]) -> Int32? {
        guard let first = mode.first else { return nil }
        var access: Int32, flags: Int32
        switch first {
        case UInt8(ascii: "r"): (access, flags) = (O_RDONLY, 0)
        case UInt8(ascii: "w"): (access, flags) = (O_WRONLY, O_CREAT | O_TRUNC)
        case UInt8(ascii: "a"): (access, flags) = (O_WRONLY, O_CREAT | O_APPEND)
        default: return nil
        }
        for c in mode.dropFirst().prefix(6) {
            if c == 0 || c == UInt8(ascii: ",") { break }
            switch c {
            case UInt8(ascii: "+"): access = O_RDWR
            case UInt8(ascii: "x"): flags |= O_EXCL
            case UInt8(ascii: "e"): flags |= O_CLOEXEC
            default: continue
            }
        }
        return access | flags
    }

    /// `chdir`: the guest's current directory becomes `path`. CrossRun's own never moves.
    public mutating func changeDirectory(_ path: [UInt8]) throws(Failure) {
        let r = try resolve(path)
        var st = stat()
        guard fstatat(AT_FDCWD, r.host, &st, 0) == 0 else { throw Failure(code: errno) }
        guard st.st_mode & S_IFMT == S_IFDIR else { throw Failure(code: ENOTDIR) }
        guard Glibc.access(r.host, X_OK) == 0 else { throw Failure(code: errno) }
        guard root == nil else { currentDirectory = r.guest; return }
        // The kernel's answer to getcwd: the canonical path (links resolved, ".." taken), as
        // the held descriptor's link names it (realpath cannot start from a removed directory).
        let held = HeldDirectory(r.host)
        if let held {
            currentDirectory = try held.path()
        } else {
            guard let canonical = Glibc.realpath(r.host, nil) else { throw Failure(code: errno) }
            defer { free(canonical) }
            currentDirectory = Array(UnsafeRawBufferPointer(start: canonical, count: strlen(canonical)))
        }
        heldDirectory = held
    }

    /// The host directory a started host program (exec, `system`, `posix_spawn`) begins in:
    /// the guest's current directory (below the root, or held open once removed), or nil while
    /// the guest has not moved from CrossRun's own (NUL-terminated).
    public func hostWorkingDirectory() -> [CChar]? {
        guard let cwd = currentDirectory else { return nil }
        if let root { return Self.cString(root + (cwd == [Self.slash] ? [] : cwd)) }
        if let held = heldDirectory, held.removed || cwd.count >= Int(PATH_MAX) { return Self.cString(held.hostPath) }
        return Self.cString(cwd)
    }

    /// `fchdir`: the guest's current directory becomes that of host directory descriptor
    /// `fd` (`EACCES` under a root when it lies outside it, as a path there cannot name it).
    public mutating func changeDirectory(descriptor fd: Int32) throws(Failure) {
        var st = stat()
        guard fd >= 0, fstat(fd, &st) == 0 else { throw Failure(code: EBADF) }
        guard st.st_mode & S_IFMT == S_IFDIR else { throw Failure(code: ENOTDIR) }
        let link = Self.cString(Array("/proc/self/fd/\(fd)".utf8))
        guard Glibc.access(link, X_OK) == 0 else { throw Failure(code: errno) }
        if root != nil {
            currentDirectory = try guestDirectory(ofDescriptor: fd)
        } else {
            let held = HeldDirectory(link)
            if let held {
                currentDirectory = try held.path()
            } else {
                currentDirectory = try Self.readLink(link)
            }
            heldDirectory = held
        }
    }

    /// `getcwd`: the guest's current directory, or `ENOENT` once it has been removed (as
    /// Linux answers; MicroPython's `vfs_posix_enoent` test checks it).
    public func workingDirectory() throws(Failure) -> [UInt8] {
        if let currentDirectory {
            if root == nil, let held = heldDirectory {
                // Where the directory is now (a rename moves it), as the kernel answers.
                if held.removed { throw Failure(code: ENOENT) }
                return (try? held.path()) ?? currentDirectory
            }
            var st = stat()
            if stat(try resolve(currentDirectory).host, &st) != 0, errno == ENOENT || errno == ENOTDIR {
                throw Failure(code: ENOENT)
            }
            return currentDirectory
        }
        guard let cwd = Glibc.getcwd(nil, 0) else { throw Failure(code: errno) }
        defer { free(cwd) }
        return Array(UnsafeRawBufferPointer(start: cwd, count: strlen(cwd)))
    }

    /// Closes every descriptor above 2 this process inherited (`3< /outside` from a shell):
    /// under a root the guest may use only the standard streams and what it opens itself.
    /// Called before anything else opens a file.
    public static func closeInheritedDescriptors() {
        closefrom(3)
    }

    /// The guest's name for host directory descriptor `fd` (for `openat` and friends with a
    /// directory descriptor): its path below the root, or `EACCES` when it lies outside.
    public func guestDirectory(ofDescriptor fd: Int32) throws(Failure) -> [UInt8] {
        guard let root else { return [] }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw Failure(code: EBADF) }
        guard st.st_mode & S_IFMT == S_IFDIR else { throw Failure(code: ENOTDIR) }
        let host = try Self.readLink(Self.cString(Array("/proc/self/fd/\(fd)".utf8)))
        guard host.starts(with: root), host.count == root.count || host[root.count] == UInt8(ascii: "/") else {
            throw Failure(code: EACCES)
        }
        let below = Array(host[root.count...])
        return below.isEmpty ? [UInt8(ascii: "/")] : below
    }

    static let slash = UInt8(ascii: "/")

    static func components(_ path: [UInt8]) -> [[UInt8]] {
        path.split(separator: slash).map(Array.init).filter { $0 != [UInt8(ascii: ".")] }
    }

    static func join(_ base: [UInt8], _ components: [[UInt8]]) -> [UInt8] {
        var out = base
        for c in components { out.append(UInt8(ascii: "/")); out += c }
        return out
    }

    /// `bytes` as a NUL-terminated C string.
    public static func cString(_ bytes: [UInt8]) -> [CChar] { bytes.map { CChar(bitPattern: $0) } + [0] }

    static func readLink(_ path: [CChar]) throws(Failure) -> [UInt8] {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = Glibc.readlink(path, &buffer, buffer.count - 1)
        guard n >= 0 else { throw Failure(code: errno) }
        return buffer[..<n].map { UInt8(bitPattern: $0) }
    }
}

extension LibcRuntime {
    /// The host path for the guest path at `address`, or nil with the guest's `errno` set
    /// when it cannot be resolved (see ``GuestFileSystem/resolve(_:followLast:from:)``).
    public func hostPath(at address: UInt64, followLast: Bool = true) throws -> [CChar]? {
        let bytes = Array(try memory.cString(address))
        do {
            return try fileSystem.resolve(bytes, followLast: followLast).host
        } catch {
            setErrno(error.code)
            return nil
        }
    }

    /// ``hostPath(at:followLast:)`` for a call that removes or renames the last component
    /// (see ``GuestFileSystem/resolve(forRemoval:_:from:)``).
    public func hostPath(at address: UInt64, removing kind: GuestFileSystem.Removal) throws -> [CChar]? {
        let bytes = Array(try memory.cString(address))
        do {
            return try fileSystem.resolve(forRemoval: bytes, kind).host
        } catch {
            setErrno(error.code)
            return nil
        }
    }
}

/// A directory held open (`O_PATH`) for as long as some ``GuestFileSystem`` value names it as
/// its current directory (values are copied, and the fuzzer's reset restores old ones).
final class HeldDirectory: Sendable {
    let descriptor: Int32

    /// Opens `path` (NUL-terminated host path); nil if it cannot be (then the path alone serves).
    init?(_ path: [CChar]) {
        // O_PATH (Linux's 010000000; Swift's Glibc module omits it): search permission suffices.
        let fd = open(path, 0o10000000 | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        descriptor = Self.outOfTheWay(fd)
    }

    /// `fd` moved to the top of the descriptor table's range: the guest's descriptors are the
    /// host's, and a program's next `open` must get the number it gets natively (the lowest
    /// free one), not the one after the held directory's. `fd` itself when it cannot move.
    static func outOfTheWay(_ fd: Int32) -> Int32 {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return fd }
        let top = Int32(clamping: min(limit.rlim_cur, 65_536))
        guard top > 64 else { return fd }
        let moved = fcntl(fd, F_DUPFD_CLOEXEC, top - 32)
        guard moved >= 0 else { return fd }
        close(fd)
        return moved
    }

    deinit { close(descriptor) }

    /// Whether the directory has been removed (no link left to it).
    var removed: Bool {
        var st = stat()
        return fstat(descriptor, &st) == 0 && st.st_nlink == 0
    }

    /// The host path that reaches the directory itself, removed or not.
    var hostPath: [UInt8] { Array("/proc/self/fd/\(descriptor)".utf8) }

    /// The directory's canonical path, as the kernel's `getcwd` gives it: the descriptor's
    /// link (`… (deleted)` once removed), or for a directory deeper than `PATH_MAX`, whose link
    /// the kernel cannot give, the names found walking `..` (at most 64 KiB).
    func path() throws(GuestFileSystem.Failure) -> [UInt8] {
        do throws(GuestFileSystem.Failure) {
            return try GuestFileSystem.readLink(GuestFileSystem.cString(hostPath))
        } catch {
            guard error.code == ENAMETOOLONG else { throw error }
            var buffer = [CChar](repeating: 0, count: 65_536)
            let n = crossrun_directory_path(descriptor, &buffer, buffer.count)
            guard n >= 0 else { throw GuestFileSystem.Failure(code: Int32(truncatingIfNeeded: -n)) }
            return buffer[..<Int(n)].map { UInt8(bitPattern: $0) }
        }
    }
}
