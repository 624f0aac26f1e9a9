#if canImport(Glibc)
import Glibc
#endif

extension FileIO {
    /// Removes a directory made by ``makeTemporaryDirectory()`` and everything in it.
    ///
    /// What is in such a directory may come from a guest program (a run's scratch directory),
    /// so the walk assumes nothing about it: it goes by descriptors (`openat`/`unlinkat`), so a
    /// tree deeper than `PATH_MAX` is removed too; it loops instead of recursing, so depth
    /// costs heap, not host stack; symbolic links are removed, never followed (every directory
    /// is opened `O_NOFOLLOW`, and going back up checks `..` is the directory it came from);
    /// a directory the program made unwritable is made writable again first (only a directory
    /// this user owns). Entries that still cannot be removed are left, and the walk ends.
    public static func removeTree(_ path: String) {
        var remover = TreeRemover()
        remover.remove(path)
        TemporaryDirectories.removed(path)
    }
}

/// The state of one ``FileIO/removeTree(_:)`` walk: the directories on the way down, of which
/// only the deepest is open (a tree deeper than the descriptor limit is fine).
private struct TreeRemover {
    /// One directory on the way down: its identity, the name it has in its parent, and the
    /// subdirectories of it that could not be removed (never entered again).
    private struct Level {
        var device: UInt
        var inode: UInt
        var name: String
        var stuck: Set<String> = []
    }

    private var levels: [Level] = []
    /// The deepest level's directory.
    private var fd: Int32 = -1

    mutating func remove(_ path: String) {
        fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            // Not a directory (or gone): a file or link of that name is removed as it is.
            if errno == ENOTDIR || errno == ELOOP { unlink(path) }
            return
        }
        defer { if fd >= 0 { close(fd) } }
        guard let root = Self.level(fd: fd, name: path) else { return }
        levels.append(root)
        while !levels.isEmpty {
            if descend() { continue }
            // Everything removable here is gone: go up and remove this directory.
            let done = levels.removeLast()
            guard let parent = levels.last else {
                close(fd)
                fd = -1
                rmdir(path)
                return
            }
            let up = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            close(fd)
            fd = up
            var st = stat()
            // `..` must be the directory this walk came from (something moved the tree: stop).
            guard up >= 0, fstat(up, &st) == 0, UInt(st.st_dev) == parent.device, UInt(st.st_ino) == parent.inode else { return }
            if unlinkat(fd, done.name, AT_REMOVEDIR) != 0 { levels[levels.count - 1].stuck.insert(done.name) }
        }
    }

    /// Removes every non-directory in the deepest level and every empty subdirectory, and
    /// enters the first subdirectory that is not empty; `false` when none is left to enter.
    private mutating func descend() -> Bool {
        guard let level = levels.last else { return false }
        var subdirectories: [String] = []
        let listing = dup(fd)
        guard listing >= 0 else { return false }
        guard let dir = fdopendir(listing) else { close(listing); return false }
        while let entry = readdir(dir) {
            let name = DirectoryEntry.name(entry)
            if name == "." || name == ".." || level.stuck.contains(name) { continue }
            var st = stat()
            guard fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            if (st.st_mode & S_IFMT) == S_IFDIR { subdirectories.append(name) } else { unlinkat(fd, name, 0) }
        }
        closedir(dir)
        for name in subdirectories {
            // An empty directory goes at once; a full one is entered.
            if unlinkat(fd, name, AT_REMOVEDIR) == 0 { continue }
            let child = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if child >= 0, let next = Self.level(fd: child, name: name) {
                close(fd)
                fd = child
                levels.append(next)
                return true
            }
            if child >= 0 { close(child) }
            levels[levels.count - 1].stuck.insert(name)
        }
        return false
    }

    /// A level for an opened directory, made writable and searchable first if this user owns it.
    private static func level(fd: Int32, name: String) -> Level? {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        if st.st_uid == geteuid() && (st.st_mode & 0o700) != 0o700 { fchmod(fd, (st.st_mode & 0o7777) | 0o700) }
        return Level(device: UInt(st.st_dev), inode: UInt(st.st_ino), name: name)
    }
}
