/// Whether C source text uses `__DATE__`, `__TIME__` or `__TIMESTAMP__` as an identifier,
/// which makes its compile depend on when it ran (the compile cache then stores nothing).
///
/// The scan follows C's lexical structure as far as it matters here: line splices
/// (backslash-newline) are removed first (so a name split across lines is still found);
/// comments, string and character literals and pp-numbers are skipped; only whole identifiers
/// count, so `"__DATE__"` in a string or `TOK___DATE__` (a compiler's own token table) does not.
/// Unterminated literals or comments end the scan with what was seen (no crash, no trap).
enum TimeMacroScan {
    private static let names: Set<[UInt8]> = Set(["__DATE__", "__TIME__", "__TIMESTAMP__"].map { Array($0.utf8) })

    static func mentionsTime(_ source: [UInt8]) -> Bool {
        let b = spliced(source)
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if c == 0x2f, i + 1 < n, b[i + 1] == 0x2f {                 // // comment
                i += 2
                while i < n, b[i] != 0x0a { i += 1 }
            } else if c == 0x2f, i + 1 < n, b[i + 1] == 0x2a {          // /* comment */
                i += 2
                while i + 1 < n, !(b[i] == 0x2a && b[i + 1] == 0x2f) { i += 1 }
                i += 2
            } else if c == 0x22 || c == 0x27 {                          // "string" or 'c'
                i += 1
                while i < n, b[i] != c, b[i] != 0x0a {
                    i += b[i] == 0x5c ? 2 : 1
                }
                i += 1
            } else if isDigit(c) || (c == 0x2e && i + 1 < n && isDigit(b[i + 1])) {   // pp-number
                i += 1
                while i < n {
                    let d = b[i]
                    if (d == 0x2b || d == 0x2d), i > 0, [0x65, 0x45, 0x70, 0x50].contains(b[i - 1]) { i += 1; continue }
                    guard isIdentifier(d) || d == 0x2e || d == 0x27 else { break }
                    i += 1
                }
            } else if isIdentifier(c) {
                let start = i
                while i < n, isIdentifier(b[i]) { i += 1 }
                if i - start >= 8, i - start <= 13, names.contains(Array(b[start..<i])) { return true }
            } else {
                i += 1
            }
        }
        return false
    }

    /// Translation phase 2: backslash-newline (also before CR LF) removed.
    private static func spliced(_ s: [UInt8]) -> [UInt8] {
        guard s.contains(0x5c) else { return s }
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = 0
        while i < s.count {
            if s[i] == 0x5c, i + 1 < s.count, s[i + 1] == 0x0a { i += 2; continue }
            if s[i] == 0x5c, i + 2 < s.count, s[i + 1] == 0x0d, s[i + 2] == 0x0a { i += 3; continue }
            out.append(s[i])
            i += 1
        }
        return out
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    private static func isIdentifier(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || isDigit(c) || c == 0x5f || c >= 0x80
    }
}
