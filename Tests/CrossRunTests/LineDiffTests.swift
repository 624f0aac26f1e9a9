import CrossRunDriver
import CrossRunSupport
import XCTest

/// Line diffs: minimal edit scripts and the unified format `diff -u` prints.
///
/// Unified-diff format (empty texts, missing final newline, hunk merging), random edit scripts
/// valid and minimal against an LCS oracle, huge differences stay cheap.
final class LineDiffTests: XCTestCase {
    func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    func testUnifiedFormat() {
        XCTAssertEqual(LineDiff.unified(bytes("a\nb\nc\n"), bytes("a\nB\nc\n")),
                       "--- expected\n+++ actual\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n")
        XCTAssertEqual(LineDiff.unified(bytes("same\n"), bytes("same\n")), "")
        XCTAssertEqual(LineDiff.unified(bytes(""), bytes("a\n"), oldName: "x", newName: "y"), "--- x\n+++ y\n@@ -0,0 +1 @@\n+a\n")
        XCTAssertEqual(LineDiff.unified(bytes("a\n"), bytes("")), "--- expected\n+++ actual\n@@ -1 +0,0 @@\n-a\n")
        XCTAssertEqual(LineDiff.unified(bytes("a\nb"), bytes("a\nb\n")),
                       "--- expected\n+++ actual\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n")
    }

    func testHunksMergeWhenCloseAndSplitWhenFar() {
        let old = (1...20).map { "\($0)\n" }
        var near = old, far = old
        near[1] = "two\n"; near[7] = "eight\n"     // 5 unchanged lines between: one hunk
        far[1] = "two\n"; far[17] = "eighteen\n"   // 15 between: two hunks
        let one = LineDiff.unified(bytes(old.joined()), bytes(near.joined()))
        XCTAssertEqual(one.components(separatedBy: "\n@@ ").count, 2, one)
        XCTAssertTrue(one.contains("@@ -1,11 +1,11 @@\n"), one)
        let two = LineDiff.unified(bytes(old.joined()), bytes(far.joined()))
        XCTAssertEqual(two.components(separatedBy: "\n@@ ").count, 3, two)
        XCTAssertTrue(two.contains("@@ -1,5 +1,5 @@\n") && two.contains("@@ -15,6 +15,6 @@\n"), two)
    }

    /// Against a dynamic-programming LCS: the script is valid and as short as possible.
    func testRandomScriptsAreValidAndMinimal() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<400 {
            let a = (0..<Int.random(in: 0...14, using: &rng)).map { _ in ["x", "y", "z"].randomElement(using: &rng)! }
            let b = (0..<Int.random(in: 0...14, using: &rng)).map { _ in ["x", "y", "z"].randomElement(using: &rng)! }
            let ops = LineDiff.operations(a, b)
            var oldSeen: [String] = [], newSeen: [String] = []
            var changes = 0
            for op in ops {
                switch op {
                case .same(let o, let n):
                    XCTAssertEqual(a[o], b[n]); oldSeen.append(a[o]); newSeen.append(b[n])
                case .removed(let o): oldSeen.append(a[o]); changes += 1
                case .added(let n): newSeen.append(b[n]); changes += 1
                }
            }
            XCTAssertEqual(oldSeen, a)
            XCTAssertEqual(newSeen, b)
            XCTAssertEqual(changes, a.count + b.count - 2 * lcs(a, b), "\(a) -> \(b)")
        }
    }

    func lcs(_ a: [String], _ b: [String]) -> Int {
        var t = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0..<a.count { for j in 0..<b.count { t[i + 1][j + 1] = a[i] == b[j] ? t[i][j] + 1 : max(t[i][j + 1], t[i + 1][j]) } }
        return t[a.count][b.count]
    }

    func testHugeDifferencesStayCheap() {
        let a = (0..<20_000).map { "a\($0)\n" }.joined(), b = (0..<20_000).map { "b\($0)\n" }.joined()
        let diff = LineDiff.unified(bytes(a), bytes(b))
        XCTAssertTrue(diff.hasPrefix("--- expected\n+++ actual\n@@ -1,20000 +1,20000 @@\n-a0\n"))
    }
}
