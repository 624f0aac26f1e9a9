@testable import CrossRunSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `FileIO.removeTree` on what a guest program can leave in its scratch directory: trees deeper
/// than `PATH_MAX` (and than the descriptor limit), unwritable directories, and symbolic links
/// that lead out of the tree (removed, never followed).
final class TreeRemovalTests: XCTestCase {
    /// Makes `depth` nested directories `d` under `root` by descriptors (a path to the deepest
    /// would be longer than PATH_MAX), with a file in the deepest; returns whether it got there.
    private func nest(_ root: String, depth: Int) -> Bool {
        var fd = open(root, O_RDONLY | O_DIRECTORY)
        for _ in 0..<depth {
            guard mkdirat(fd, "d", 0o755) == 0 else { close(fd); return false }
            let next = openat(fd, "d", O_RDONLY | O_DIRECTORY)
            close(fd)
            guard next >= 0 else { return false }
            fd = next
        }
        let file = openat(fd, "leaf", O_WRONLY | O_CREAT, 0o644)
        close(file)
        close(fd)
        return file >= 0
    }

    func testRemovesTreesDeeperThanPathMaxAndTheDescriptorLimit() throws {
        let root = try TestSupport.scratch()
        let depth = 2100   // a path to the deepest is ~4,200 bytes, over PATH_MAX
        XCTAssertTrue(nest(root, depth: depth))
        // Fewer descriptors than levels, for the walk (restored before any assertion).
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        var low = limit
        low.rlim_cur = 256
        setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &low)
        FileIO.removeTree(root)
        setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        XCTAssertFalse(FileIO.exists(root), "\(depth) levels")
    }

    func testRemovesUnwritableDirectoriesAndNeverFollowsLinks() throws {
        let root = try TestSupport.scratch()
        let outside = try TestSupport.scratch()
        defer { FileIO.removeTree(outside) }
        try FileIO.write(Array("keep".utf8), to: outside + "/kept")
        XCTAssertEqual(mkdir(root + "/ro", 0o755), 0)
        try FileIO.write(Array("x".utf8), to: root + "/ro/file")
        XCTAssertEqual(mkdir(root + "/ro/sub", 0o755), 0)
        XCTAssertEqual(chmod(root + "/ro/sub", 0), 0)
        XCTAssertEqual(chmod(root + "/ro", 0o500), 0)
        XCTAssertEqual(symlink(outside, root + "/link"), 0)
        XCTAssertEqual(symlink(outside + "/kept", root + "/filelink"), 0)
        FileIO.removeTree(root)
        XCTAssertFalse(FileIO.exists(root))
        XCTAssertEqual(try FileIO.read(outside + "/kept"), Array("keep".utf8))
    }

    func testANonDirectoryIsRemovedAndAMissingPathIsNothing() throws {
        let root = try TestSupport.scratch()
        defer { FileIO.removeTree(root) }
        try FileIO.write([1], to: root + "/file")
        FileIO.removeTree(root + "/file")
        XCTAssertFalse(FileIO.exists(root + "/file"))
        FileIO.removeTree(root + "/missing")
        XCTAssertTrue(FileIO.isDirectory(root))
    }
}
