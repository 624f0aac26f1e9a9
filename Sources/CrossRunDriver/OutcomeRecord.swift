/// How one `crossrun run` ended, as both backends write it for `--outcome-file FILE`: one line
/// of JSON (a flat object), so `crossrun test` and `matrix` judge a run by what happened rather
/// than by scanning its stderr.
///
/// ```
/// {"outcome":"exit","status":3}
/// {"outcome":"signal","status":139,"signal":11,"pc":"0x401139","symbol":"main+0x9","fault_address":"0x0","report":"crossrun: …"}
/// {"outcome":"signal","status":139,"signal":11,"pc":"0x40114c","symbol":"main+0x1c","function":"strlen","fault_address":"0x0","report":"…"}
/// {"outcome":"timeout","status":124,"seconds":2,"pc":"0x401130","symbol":"spin","report":"…"}
/// {"outcome":"deadlock","status":125,"report":"crossrun: prog.c: deadlock: …"}
/// ```
///
/// `pc` is where the program was (for a fault inside a C library function: the emulator gives
/// the guest caller; natively it is the host library's PC, outside the image, with no
/// `symbol`); `function` names the library function the fault happened in, or the timed-out
/// run waited in (emulated runs).
public struct OutcomeRecord: Sendable, Equatable {
    /// How the run ended.
    public enum Ending: String, Sendable {
        /// Returned from the entry or called `exit`/`_exit`.
        case exit
        /// Killed by a signal (CrossRun's report, or the wait status of a signal it could not catch).
        case signal
        /// Stopped by `--timeout`.
        case timeout
        /// Every guest thread blocked with none able to wake (emulated runs; status 125).
        case deadlock
    }

    public var ending: Ending
    /// Exit status: the program's, 128+N for signal N, 124 for a timeout.
    public var status: Int32
    public var signal: Int32?
    /// The time limit that expired, in seconds.
    public var seconds: UInt32?
    public var pc: UInt64?
    public var symbol: String?
    public var function: String?
    public var faultAddress: UInt64?
    /// CrossRun's one-line report.
    public var report: String?

    public init(ending: Ending, status: Int32) {
        self.ending = ending
        self.status = status
    }

    /// The record as one line of JSON (with its newline).
    public var json: String {
        var fields: [(String, String)] = [("outcome", quote(ending.rawValue)), ("status", String(status))]
        if let signal { fields.append(("signal", String(signal))) }
        if let seconds { fields.append(("seconds", String(seconds))) }
        if let pc { fields.append(("pc", quote("0x" + String(pc, radix: 16)))) }
        if let symbol { fields.append(("symbol", quote(symbol))) }
        if let function { fields.append(("function", quote(function))) }
        if let faultAddress { fields.append(("fault_address", quote("0x" + String(faultAddress, radix: 16)))) }
        if let report { fields.append(("report", quote(report))) }
        // A plain loop, not `map` + `joined(separator:)`: every emulated CLI run builds its
        // watchdog's record at start, and the generic `joined` resolved its element type through
        // a mangled-name lookup and conformance scan there (~2% of a warm emulated hello.c).
        var out = "{"
        for (i, field) in fields.enumerated() {
            if i > 0 { out += "," }
            out += quote(field.0) + ":" + field.1
        }
        return out + "}\n"
    }

    /// Reads a record; `nil` when `text` is not one (missing, truncated, foreign).
    public init?(json text: String) {
        guard let object = FlatJSON.parse(text),
              case .string(let name)? = object["outcome"], let ending = Ending(rawValue: name),
              case .number(let status)? = object["status"], let s = Int32(exactly: status) else { return nil }
        self.init(ending: ending, status: s)
        func number(_ key: String) -> Int64? { if case .number(let n)? = object[key] { return n } else { return nil } }
        func string(_ key: String) -> String? { if case .string(let v)? = object[key] { return v } else { return nil } }
        func address(_ key: String) -> UInt64? {
            guard let v = string(key), v.hasPrefix("0x") else { return nil }
            return UInt64(v.dropFirst(2), radix: 16)
        }
        signal = number("signal").flatMap { Int32(exactly: $0) }
        seconds = number("seconds").flatMap { UInt32(exactly: $0) }
        pc = address("pc")
        symbol = string("symbol")
        function = string("function")
        faultAddress = address("fault_address")
        report = string("report")
    }

    private func quote(_ s: String) -> String { FlatJSON.quote(s) }
}

/// The JSON subset outcome records use: one object of string, integer and boolean values.
public enum FlatJSON {
    enum Value: Equatable {
        case string(String)
        case number(Int64)
        case bool(Bool)
    }

    /// A JSON string literal (control characters as `\uXXXX`).
    public static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    /// Parses `{"key": value, ...}`; `nil` on anything else.
    static func parse(_ text: String) -> [String: Value]? {
        var p = Array(text.unicodeScalars)[...]
        func skipSpace() { while let c = p.first, c == " " || c == "\n" || c == "\t" || c == "\r" { p.removeFirst() } }
        func expect(_ c: Unicode.Scalar) -> Bool {
            skipSpace()
            guard p.first == c else { return false }
            p.removeFirst()
            return true
        }
        func string() -> String? {
            guard expect("\"") else { return nil }
            var out = String.UnicodeScalarView()
            while let c = p.popFirst() {
                switch c {
                case "\"": return String(out)
                case "\\":
                    guard let e = p.popFirst() else { return nil }
                    switch e {
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    case "r": out.append("\r")
                    case "b": out.append("\u{8}")
                    case "f": out.append("\u{c}")
                    case "u":
                        guard p.count >= 4, let v = UInt32(String(String.UnicodeScalarView(p.prefix(4))), radix: 16),
                              let scalar = Unicode.Scalar(v) else { return nil }
                        p.removeFirst(4)
                        out.append(scalar)
                    default: out.append(e)
                    }
                default: out.append(c)
                }
            }
            return nil
        }
        guard expect("{") else { return nil }
        var object: [String: Value] = [:]
        if expect("}") { return object }
        repeat {
            guard let key = string(), expect(":") else { return nil }
            skipSpace()
            if p.first == "\"" {
                guard let v = string() else { return nil }
                object[key] = .string(v)
            } else if p.starts(with: "true".unicodeScalars) {
                p.removeFirst(4); object[key] = .bool(true)
            } else if p.starts(with: "false".unicodeScalars) {
                p.removeFirst(5); object[key] = .bool(false)
            } else {
                var digits = ""
                while let c = p.first, c == "-" || ("0"..."9").contains(c) { digits.unicodeScalars.append(c); p.removeFirst() }
                guard let n = Int64(digits) else { return nil }
                object[key] = .number(n)
            }
        } while expect(",")
        guard expect("}") else { return nil }
        return object
    }
}
