#if canImport(Glibc)
import Glibc
#endif

/// Where the guest's file names lead on the host.
///
/// Without a root, a guest path is the host path as given (relative to the host's current
/// directory, as a native program's would be). With a root (`crossrun --root DIR`), the guest
/// sees `DIR` as `/` with its own current directory (starting at `/`): every path is resolved
/// here component by component, following symbolic links inside the root, so neither `..` nor
/// a symbolic link (absolute or relative) can lead outside it. The host then receives a path
/// with no symbolic link left in it, except a last component the call must not follow.
///
/// This confines a program that is not racing against another host process changing the tree
/// under it at the same moment; it is a harness guard, not a security boundary.
public final class GuestFileSystem {
    /// The confining directory (canonical, no trailing slash), or nil for the host's view.
    public let root: [UInt8]?
    /// The guest's current directory, when confined: a canonical guest path.
    public private(set) var currentDirectory: [UInt8] = [UInt8(ascii: "/")]

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
        guard let root else { return Resolved(host: Self.cString(path), guest: path) }
        guard !path.isEmpty else { throw Failure(code: ENOENT) }
        guard path.count < Int(PATH_MAX) else { throw Failure(code: ENAMETOOLONG) }
        var resolved: [[UInt8]] = []
        var pending: [[UInt8]] = []
        func push(_ p: [UInt8]) {
            // Pending components are popped from the end: push in reverse.
            pending.append(contentsOf: p.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).map(Array.init).reversed())
        }
        push(path)
        if path.first != UInt8(ascii: "/") {
            resolved = Self.components(directory ?? currentDirectory)
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
                if target.first == UInt8(ascii: "/") { resolved = [] }
                push(target)
                continue
            }
            if !isLast && st.st_mode & S_IFMT != S_IFDIR { throw Failure(code: ENOTDIR) }
            resolved.append(component)
        }
        let guest = Self.join([], resolved)
        guard root.count + guest.count < Int(PATH_MAX) else { throw Failure(code: ENAMETOOLONG) }
        return Resolved(host: Self.cString(Self.join(root, resolved)), guest: guest.isEmpty ? [UInt8(ascii: "/")] : guest)
    }

    /// Whether `open` with `flags` (host numbering) follows a symbolic link in the last
    /// component: not with `O_NOFOLLOW`, nor with `O_CREAT|O_EXCL`.
    public static func followsLastComponent(openFlags flags: Int32) -> Bool {
        flags & O_NOFOLLOW == 0 && flags & (O_CREAT | O_EXCL) != O_CREAT | O_EXCL
    }

    /// `chdir`: the guest's current directory becomes `path` (the host's, without a root).
    public func changeDirectory(_ path: [UInt8]) throws(Failure) {
        let r = try resolve(path)
        guard root != nil else {
            if Glibc.chdir(r.host) != 0 { throw Failure(code: errno) }
            return
        }
        var st = stat()
        guard fstatat(AT_FDCWD, r.host, &st, 0) == 0 else { throw Failure(code: errno) }
        guard st.st_mode & S_IFMT == S_IFDIR else { throw Failure(code: ENOTDIR) }
        guard Glibc.access(r.host, X_OK) == 0 else { throw Failure(code: errno) }
        currentDirectory = r.guest
    }

    /// `getcwd`: the guest's current directory (the host's, without a root).
    public func workingDirectory() throws(Failure) -> [UInt8] {
        guard root == nil else { return currentDirectory }
        guard let cwd = Glibc.getcwd(nil, 0) else { throw Failure(code: errno) }
        defer { free(cwd) }
        return Array(UnsafeRawBufferPointer(start: cwd, count: strlen(cwd)))
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

    static func components(_ path: [UInt8]) -> [[UInt8]] {
        path.split(separator: UInt8(ascii: "/")).map(Array.init).filter { $0 != [UInt8(ascii: ".")] }
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
}
