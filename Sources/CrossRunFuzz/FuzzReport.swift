/// How a fuzzing failure's report line is rendered. Executors return what happened as a value
/// (``FuzzSession/Outcome``: "SIGSEGV at …", "input timed out after 1.0 s"); the fuzzer names
/// the program the way CrossRun's other messages do, `crossrun: PROG: …`.
package enum FuzzReport {
    /// `report` as printed: its first line prefixed with `crossrun: PROG: `, unless it is
    /// already a line of CrossRun's (the heap checker's `crossrun fuzz heap: …`, written by a
    /// native child's C code).
    package static func line(_ report: String, program: String) -> String {
        report.hasPrefix("crossrun") ? report : "crossrun: \(program): \(report)"
    }

    /// What happened, from a line a native child's crash reporter printed (`crossrun: PROG: …`,
    /// composed in C inside a signal handler): the line without that prefix.
    package static func detail(_ line: String, program: String) -> String {
        let prefix = "crossrun: \(program): "
        return line.hasPrefix(prefix) ? String(line.dropFirst(prefix.count)) : line
    }
}
