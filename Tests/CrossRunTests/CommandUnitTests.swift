@testable import CrossRunCommands
import CrossRunDriver
import XCTest

/// Pieces of the commands tested in-process (no `crossrun` child): `--targets`/`--backends`
/// selection (order, spaces, unknown names, nothing runnable) and the JUnit writer's escaping of
/// markup, line breaks and characters XML cannot carry.
final class CommandUnitTests: XCTestCase {
    func testConfigurationSelection() throws {
        let all = try Configuration.selected(targets: nil, backends: nil).map(\.description)
        XCTAssertEqual(all, ["x64/native", "x64/emu", "aarch64/emu", "rv64/emu"])
        let some = try Configuration.selected(targets: " rv64, aarch64 ,", backends: "emu").map(\.description)
        XCTAssertEqual(some, ["aarch64/emu", "rv64/emu"], "listed order does not matter; the fixed order does")
        XCTAssertEqual(try Configuration.selected(targets: "x64", backends: "native").map(\.description), ["x64/native"])
        XCTAssertThrowsError(try Configuration.selected(targets: "mips", backends: nil)) { error in
            XCTAssertTrue("\(error)".contains("unknown target 'mips'"), "\(error)")
        }
        XCTAssertThrowsError(try Configuration.selected(targets: nil, backends: "jit")) { error in
            XCTAssertTrue("\(error)".contains("unknown backend 'jit'"), "\(error)")
        }
        XCTAssertThrowsError(try Configuration.selected(targets: "rv64", backends: "native")) { error in
            XCTAssertTrue("\(error)".contains("no runnable target/backend pair"), "\(error)")
        }
    }

    func testJUnitEscaping() {
        XCTAssertEqual(TestReportFiles.escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;")
        XCTAssertEqual(TestReportFiles.escape("x\ny\tz\r"), "x&#10;y&#9;z&#13;")
        XCTAssertEqual(TestReportFiles.escape("x\ny\tz", attribute: false), "x\ny\tz")
        XCTAssertEqual(TestReportFiles.escape("\u{1}\u{1F}ok"), "\\x01\\x1Fok")
        XCTAssertEqual(TestReportFiles.escape("\u{FFFE}é"), "\\u{FFFE}é")
    }
}
