import CrossRunDriver
import CrossRunSupport
#if canImport(Glibc)
import Glibc
#endif

/// The verdict of one test on one configuration.
struct TestResult: Sendable {
    var name: String
    var configuration: Configuration
    var verdict: Verdict
    /// The run's exit status (`nil` when it did not run).
    var status: Int32?
    var seconds: Double

    init(name: String, configuration: Configuration, verdict: Verdict, outcome: RunOutcome) {
        self.name = name
        self.configuration = configuration
        self.verdict = verdict
        if case .ran(let run) = outcome {
            status = run.status
            seconds = run.seconds
        } else {
            status = nil
            seconds = 0
        }
    }
}

/// What `crossrun test` prints while it runs: a progress bar on a terminal (failures above
/// it), plain lines per failure otherwise; then a summary per configuration and the final
/// `N passed, N failed[, N skipped]` line.
final class TestReporter: @unchecked Sendable { // used under RunMatrix's report lock only
    let total: Int
    let interactive: Bool
    private var done = 0, failed = 0
    private var lastDraw = 0.0
    /// Per test, the failures already printed in full (configuration, verdict name + detail).
    private var printed: [String: [(configuration: Configuration, text: String)]] = [:]
    private let started = Subprocess.monotonicSeconds()

    init(total: Int, interactive: Bool) {
        self.total = total
        self.interactive = interactive
        drawBar(force: true)
    }

    /// Notes one finished run (`result` nil: finished but not judged yet, as with `--update`).
    func record(_ result: TestResult?) {
        done += 1
        if let result, result.verdict.isFailure {
            failed += 1
            clearBar()
            print(brief(result))
        }
        drawBar(force: result?.verdict.isFailure == true || done == total)
    }

    /// Prints a result that was judged after the runs (`--update`).
    func show(_ result: TestResult) {
        if result.verdict.isFailure { print(brief(result)) }
    }

    /// ``describe(_:)``, or only its first line when the same test already failed the same way
    /// on another configuration.
    private func brief(_ result: TestResult) -> String {
        let text = result.verdict.name + "\n" + result.verdict.detail
        if let same = printed[result.name]?.first(where: { $0.text == text }) {
            return "FAIL \(result.name) [\(result.configuration)]: \(result.verdict.name) (same as \(same.configuration))"
        }
        printed[result.name, default: []].append((result.configuration, text))
        return Self.describe(result)
    }

    /// `FAIL name [rv64/emu]: wrong output` and the detail, indented.
    static func describe(_ result: TestResult) -> String {
        var text = "FAIL \(result.name) [\(result.configuration)]: \(result.verdict.name)"
        for line in result.verdict.detail.split(separator: "\n", omittingEmptySubsequences: false) where !result.verdict.detail.isEmpty {
            text += "\n    " + line
        }
        return text
    }

    /// Removes the progress bar (before printing other things).
    func endProgress() { clearBar() }

    private func clearBar() {
        if interactive { fputs("\r\u{1b}[2K", StandardStreams.output) }
    }

    private func drawBar(force: Bool) {
        guard interactive else { return }
        let now = Subprocess.monotonicSeconds()
        guard force || now - lastDraw > 0.05 else { return }
        lastDraw = now
        let width = 30
        let filled = total == 0 ? width : done * width / total
        let bar = String(repeating: "=", count: filled) + (filled < width ? ">" + String(repeating: " ", count: width - filled - 1) : "")
        let failures = failed > 0 ? "  \(failed) failed" : ""
        fputs("\r\u{1b}[2K[\(bar)] \(done)/\(total)\(failures)  \(Verdict.formatSeconds(now - started))", StandardStreams.output)
        fflush(StandardStreams.output)
    }

    /// Clears the bar and prints the per-configuration table, `extra` lines and the final line.
    /// Returns the number of failures.
    func finish(_ results: [TestResult], configurations: [Configuration], extra: [String]) -> Int {
        clearBar()
        var rows = [["configuration", "passed", "failed", "skipped", "time"]]
        for c in configurations {
            let mine = results.filter { $0.configuration == c }
            rows.append([c.description, String(mine.count { $0.verdict == .pass }), String(mine.count { $0.verdict.isFailure }),
                         String(mine.count { $0.verdict == .skipped }), Verdict.formatSeconds(mine.reduce(0) { $0 + $1.seconds })])
        }
        print(Self.table(rows))
        for line in extra { print(line) }
        let passed = results.count { $0.verdict == .pass }
        let failed = results.count { $0.verdict.isFailure }
        let skipped = results.count { $0.verdict == .skipped }
        print("\(passed) passed, \(failed) failed" + (skipped > 0 ? ", \(skipped) skipped" : ""))
        fflush(StandardStreams.output)
        return failed
    }

    /// Columns two spaces apart; those in `right` right-aligned (default: all but the first).
    /// Trailing spaces are dropped.
    static func table(_ rows: [[String]], right: Set<Int>? = nil) -> String {
        guard let first = rows.first else { return "" }
        let widths = first.indices.map { col in rows.map { $0[col].count }.max() ?? 0 }
        let rightAligned = right ?? Set(first.indices.dropFirst())
        return rows.map { row in
            let line = row.enumerated().map { col, cell in
                let pad = String(repeating: " ", count: widths[col] - cell.count)
                return rightAligned.contains(col) ? pad + cell : cell + pad
            }.joined(separator: "  ")
            return String(line.reversed().drop { $0 == " " }.reversed())
        }.joined(separator: "\n")
    }
}

/// JUnit XML and JSON renderings of results.
enum TestReportFiles {
    /// JUnit XML: one `<testsuite>` per configuration (`x64/native`), one `<testcase>` per test
    /// (`classname` `x64.native`); wrong output or exit status is a `<failure>`, a crash,
    /// timeout or build error an `<error>`, a skipped run `<skipped/>`.
    static func junit(_ results: [TestResult], configurations: [Configuration]) -> String {
        func count(_ rs: [TestResult], _ p: (Verdict) -> Bool) -> Int { rs.count { p($0.verdict) } }
        func seconds(_ s: Double) -> String { fixed(s, 3) }
        let failures = { (v: Verdict) in v.isFailure && v.isAssertionFailure }
        let errors = { (v: Verdict) in v.isFailure && !v.isAssertionFailure }
        let skipped = { (v: Verdict) in v == .skipped }
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites name=\"crossrun test\" tests=\"\(results.count)\" failures=\"\(count(results, failures))\" errors=\"\(count(results, errors))\""
        xml += " skipped=\"\(count(results, skipped))\" time=\"\(seconds(results.reduce(0) { $0 + $1.seconds }))\">\n"
        // Ant's JUnit schema (the strict one) also wants id, package, timestamp, hostname,
        // <properties> first and <system-out>/<system-err> last in each suite.
        var now = time(nil), tm = Glibc.tm()
        gmtime_r(&now, &tm)
        var stamp = [CChar](repeating: 0, count: 32)
        strftime(&stamp, stamp.count, "%Y-%m-%dT%H:%M:%S", &tm)
        let timestamp = String(nulTerminated: stamp)
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count - 1)
        let hostname = escape(String(nulTerminated: host).isEmpty ? "localhost" : String(nulTerminated: host))
        for (index, c) in configurations.enumerated() {
            let rs = results.filter { $0.configuration == c }
            xml += "  <testsuite name=\"\(escape(c.description))\" tests=\"\(rs.count)\" failures=\"\(count(rs, failures))\""
            xml += " errors=\"\(count(rs, errors))\" skipped=\"\(count(rs, skipped))\" time=\"\(seconds(rs.reduce(0) { $0 + $1.seconds }))\""
            xml += " id=\"\(index)\" package=\"\(c.target.rawValue).\(c.backend.rawValue)\" timestamp=\"\(timestamp)\" hostname=\"\(hostname)\">\n"
            xml += "    <properties/>\n"
            let classname = "\(c.target.rawValue).\(c.backend.rawValue)"
            for r in rs {
                xml += "    <testcase classname=\"\(classname)\" name=\"\(escape(r.name))\" time=\"\(seconds(r.seconds))\""
                switch r.verdict {
                case .pass:
                    xml += "/>\n"
                case .skipped:
                    xml += ">\n      <skipped/>\n    </testcase>\n"
                default:
                    let tag = r.verdict.isAssertionFailure ? "failure" : "error"
                    xml += ">\n      <\(tag) message=\"\(escape(r.verdict.name))\" type=\"\(r.verdict.key)\">"
                    xml += escape(r.verdict.detail, attribute: false) + "</\(tag)>\n    </testcase>\n"
                }
            }
            xml += "    <system-out/>\n    <system-err/>\n  </testsuite>\n"
        }
        return xml + "</testsuites>\n"
    }

    /// Text for XML content and attribute values: markup characters as entities, line breaks
    /// in attributes as character references (so parsers keep them), and characters XML 1.0 cannot carry
    /// at all (other C0 controls, U+FFFE, U+FFFF) written visibly as `\xNN` / `\u{FFFE}`.
    static func escape(_ text: String, attribute: Bool = true) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n": out += attribute ? "&#10;" : "\n"
            case "\r": out += "&#13;"
            case "\t": out += attribute ? "&#9;" : "\t"
            default:
                if scalar.value < 0x20 {
                    out += "\\x" + hex2(scalar.value)
                } else if scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// A JSON array of `{name, target, backend, verdict, status, time, detail}`.
    static func json(_ results: [TestResult]) -> String {
        var out = "[\n"
        for (i, r) in results.enumerated() {
            out += "  {\"name\": \(string(r.name)), \"target\": \(string(r.configuration.target.rawValue)),"
            out += " \"backend\": \(string(r.configuration.backend.rawValue)), \"verdict\": \(string(r.verdict.key)),"
            out += " \"status\": \(r.status.map(String.init) ?? "null"), \"time\": \(fixed(r.seconds, 3)),"
            out += " \"detail\": \(string(r.verdict.detail))}" + (i + 1 < results.count ? ",\n" : "\n")
        }
        return out + "]\n"
    }

    /// A JSON string literal (the outcome record's quoting: one JSON writer for both).
    static func string(_ text: String) -> String { FlatJSON.quote(text) }

    static func hex2(_ v: UInt32) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return s.count < 2 ? "0" + s : s
    }

    static func fixed(_ value: Double, _ digits: Int) -> String { Verdict.decimal(value, digits) }
}
