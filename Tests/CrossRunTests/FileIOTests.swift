@testable import CrossRunSupport
@testable import CrossRunDriver
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `FileIO.read`, sized by `fstat` and read in place: every byte of files of any size, of
/// files whose size `stat` does not know (`/proc`), and clear errors for the rest.
final class FileIOTests: XCTestCase {
    func testReadsWholeFilesOfAnySize() throws {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        for size in [0, 1, 4095, 4096, 65_535, 65_536, 65_537, 300_001] {
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
            try FileIO.write(bytes, to: dir + "/f")
            XCTAssertEqual(try FileIO.read(dir + "/f"), bytes, "\(size) bytes")
        }
    }

    func testReadsFilesStatCannotSize() throws {
        // /proc files report size 0 but have contents: read until the end all the same.
        let text = String(decoding: try FileIO.read("/proc/self/status"), as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("Name:"), text)
        XCTAssertTrue(text.contains("\nTracerPid:"), text)
        XCTAssertTrue(text.hasSuffix("\n"))
    }

    func testErrorsNameTheFile() {
        XCTAssertThrowsError(try FileIO.read("/nonexistent/crossrun-file")) {
            XCTAssertEqual("\($0)", "/nonexistent/crossrun-file: No such file or directory")
        }
        XCTAssertThrowsError(try FileIO.read("/tmp")) { XCTAssertEqual("\($0)", "/tmp: is a directory") }
    }
}
