/// Line diffs (Myers' O(ND) algorithm) rendered as unified diffs, for showing how a program's
/// output differs from what was expected.
public enum LineDiff {
    /// One step of an edit script.
    public enum Operation: Equatable, Sendable {
        /// Line `old` of the first text equals line `new` of the second.
        case same(old: Int, new: Int)
        /// Line `old` of the first text is not in the second.
        case removed(old: Int)
        /// Line `new` of the second text is not in the first.
        case added(new: Int)
    }

    /// Edits beyond this many make the middle of the texts one block of removals and additions
    /// (a shortest script would cost O(D²) memory).
    public static let maximumEdits = 1000

    /// `bytes` split after each newline; a last line without one is kept as it is.
    public static func lines(_ bytes: [UInt8]) -> [String] {
        var out: [String] = []
        var start = 0
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") {
            out.append(String(decoding: bytes[start...i], as: UTF8.self))
            start = i + 1
        }
        if start < bytes.count { out.append(String(decoding: bytes[start...], as: UTF8.self)) }
        return out
    }

    /// A shortest edit script turning `a` into `b` (common prefix and suffix first, then Myers).
    public static func operations(_ a: [String], _ b: [String]) -> [Operation] {
        var prefix = 0
        while prefix < a.count && prefix < b.count && a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix && suffix < b.count - prefix && a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        var ops = (0..<prefix).map { Operation.same(old: $0, new: $0) }
        let midA = Array(a[prefix..<(a.count - suffix)]), midB = Array(b[prefix..<(b.count - suffix)])
        let middle = myers(midA, midB) ?? (midA.indices.map { .removed(old: $0) } + midB.indices.map { .added(new: $0) })
        for op in middle {
            switch op {
            case .same(let o, let n): ops.append(.same(old: o + prefix, new: n + prefix))
            case .removed(let o): ops.append(.removed(old: o + prefix))
            case .added(let n): ops.append(.added(new: n + prefix))
            }
        }
        for i in 0..<suffix { ops.append(.same(old: a.count - suffix + i, new: b.count - suffix + i)) }
        return ops
    }

    /// Myers' greedy algorithm with a trace for backtracking; `nil` past ``maximumEdits``.
    static func myers(_ a: [String], _ b: [String]) -> [Operation]? {
        let n = a.count, m = b.count
        let limit = min(n + m, maximumEdits)
        let offset = limit + 1
        var v = [Int](repeating: 0, count: 2 * limit + 3)
        var trace: [[Int]] = []
        var found: Int?
        search: for d in 0...limit {
            trace.append(Array(v[(offset - d)...(offset + d)]))
            for k in stride(from: -d, through: d, by: 2) {
                var x = (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])) ? v[offset + k + 1] : v[offset + k - 1] + 1
                var y = x - k
                while x < n && y < m && a[x] == b[y] { x += 1; y += 1 }
                v[offset + k] = x
                if x >= n && y >= m { found = d; break search }
            }
        }
        guard let edits = found else { return nil }
        var ops: [Operation] = []
        var x = n, y = m
        for d in stride(from: edits, to: 0, by: -1) {
            let row = trace[d]
            func at(_ k: Int) -> Int { row[k + d] }
            let k = x - y
            let previousK = (k == -d || (k != d && at(k - 1) < at(k + 1))) ? k + 1 : k - 1
            let previousX = at(previousK), previousY = previousX - previousK
            while x > previousX && y > previousY {
                x -= 1; y -= 1
                ops.append(.same(old: x, new: y))
            }
            if x == previousX { y -= 1; ops.append(.added(new: y)) } else { x -= 1; ops.append(.removed(old: x)) }
        }
        while x > 0 && y > 0 {
            x -= 1; y -= 1
            ops.append(.same(old: x, new: y))
        }
        return ops.reversed()
    }

    /// A unified diff (`--- old`, `+++ new`, `@@` hunks with `context` lines around changes),
    /// or `""` when the texts are equal.
    public static func unified(_ old: [UInt8], _ new: [UInt8], oldName: String = "expected", newName: String = "actual",
                               context: Int = 3) -> String {
        guard old != new else { return "" }
        let a = lines(old), b = lines(new)
        let ops = operations(a, b)
        var out = "--- \(oldName)\n+++ \(newName)\n"
        var i = 0
        var counted = 0, oldBefore = 0, newBefore = 0 // lines of each text before ops[counted]
        while i < ops.count {
            guard let firstChange = ops[i...].firstIndex(where: { if case .same = $0 { return false } else { return true } }) else { break }
            // Extend the hunk while the next change is within 2*context unchanged lines.
            var end = firstChange
            var j = firstChange
            while j < ops.count {
                if case .same = ops[j] {
                    let run = ops[j...].prefix { if case .same = $0 { return true } else { return false } }.count
                    if j + run >= ops.count || run > 2 * context { break }
                    j += run
                } else {
                    j += 1
                    end = j
                }
            }
            let start = max(i, firstChange - context)
            let stop = min(ops.count, end + context)
            for op in ops[counted..<start] {
                switch op {
                case .same: oldBefore += 1; newBefore += 1
                case .removed: oldBefore += 1
                case .added: newBefore += 1
                }
            }
            counted = start
            out += hunk(ops[start..<stop], a, b, oldBefore: oldBefore, newBefore: newBefore)
            i = stop
        }
        return out
    }

    /// One `@@` hunk; `oldBefore`/`newBefore` count the lines of each text before it.
    static func hunk(_ ops: ArraySlice<Operation>, _ a: [String], _ b: [String], oldBefore: Int, newBefore: Int) -> String {
        var oldCount = 0, newCount = 0
        var body = ""
        func line(_ mark: String, _ text: String) {
            body += mark + text
            if !text.hasSuffix("\n") { body += "\n\\ No newline at end of file\n" }
        }
        for op in ops {
            switch op {
            case .same(let o, _): oldCount += 1; newCount += 1; line(" ", a[o])
            case .removed(let o): oldCount += 1; line("-", a[o])
            case .added(let n): newCount += 1; line("+", b[n])
            }
        }
        // An empty range names the line before it (`-0,0` for an empty text).
        return "@@ -\(range(oldBefore, oldCount)) +\(range(newBefore, newCount)) @@\n" + body
    }

    static func range(_ before: Int, _ count: Int) -> String {
        count == 0 ? "\(before),0" : count == 1 ? "\(before + 1)" : "\(before + 1),\(count)"
    }
}
