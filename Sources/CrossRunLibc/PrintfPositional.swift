/// POSIX positional arguments (`%2$s`, `%1$*3$d`) for ``Printf``: the format is scanned once
/// for the type of each numbered argument, the arguments are read in order, and conversions
/// then pick them by number.
final class PositionalArguments: VariadicArguments {
    enum Value {
        case int(UInt64), double(Double), longDouble((UInt64, UInt64))
    }

    /// The arguments by position (0-based).
    private var values: [Value] = []
    /// The argument the next `next*` call returns.
    var cursor = 0

    /// Reads the arguments a format with `N$` forms uses; nil when the format has none.
    static func gather(format fmt: UnsafeRawBufferPointer, args: inout any VariadicArguments) throws -> PositionalArguments? {
        var kinds: [Int: Character] = [:]   // "i" integer/pointer, "d" double, "L" long double
        var i = 0
        let n = fmt.count
        func position() -> Int? { reference(fmt, &i).map { $0 + 1 } }
        func skipDigits() { while i < n && fmt[i] >= 0x30 && fmt[i] <= 0x39 { i += 1 } }
        var any = false
        while i < n {
            guard fmt[i] == UInt8(ascii: "%") else { i += 1; continue }
            i += 1
            let valuePosition = position()
            if valuePosition != nil { any = true }
            while i < n, "-+ #0'".utf8.contains(fmt[i]) { i += 1 }
            if i < n && fmt[i] == UInt8(ascii: "*") {
                i += 1
                if let p = position() { kinds[p] = "i" }
            } else { skipDigits() }
            if i < n && fmt[i] == UInt8(ascii: ".") {
                i += 1
                if i < n && fmt[i] == UInt8(ascii: "*") {
                    i += 1
                    if let p = position() { kinds[p] = "i" }
                } else { skipDigits() }
            }
            var longDouble = false
            while i < n, "hlLqjzZt".utf8.contains(fmt[i]) { longDouble = longDouble || fmt[i] == UInt8(ascii: "L"); i += 1 }
            guard i < n else { break }
            let conv = fmt[i]
            i += 1
            guard let p = valuePosition, conv != UInt8(ascii: "%"), conv != UInt8(ascii: "m") else { continue }
            kinds[p] = "eEfFgGaA".utf8.contains(conv) ? (longDouble ? "L" : "d") : "i"
        }
        guard any, let last = kinds.keys.max() else { return nil }
        let result = PositionalArguments()
        for p in 1...last {
            switch kinds[p] ?? "i" {
            case "d": result.values.append(.double(try args.nextDouble()))
            case "L": result.values.append(.longDouble(try args.nextLongDouble()))
            default: result.values.append(.int(try args.nextInt()))
            }
        }
        return result
    }

    /// Parses `digits$` at `index` in `fmt`; on success moves `index` past the `$` and returns
    /// the 0-based argument number.
    static func reference(_ fmt: UnsafeRawBufferPointer, _ index: inout Int) -> Int? {
        var j = index, p = 0
        while j < fmt.count && fmt[j] >= 0x30 && fmt[j] <= 0x39 { p = min(p * 10 + Int(fmt[j] - 0x30), 1 << 16); j += 1 }
        guard j > index, j < fmt.count, fmt[j] == UInt8(ascii: "$"), p > 0 else { return nil }
        index = j + 1
        return p - 1
    }

    private func next() -> Value? {
        defer { cursor += 1 }
        return cursor < values.count ? values[cursor] : nil
    }

    func nextInt() throws -> UInt64 {
        switch next() {
        case .int(let v)?: return v
        case .double(let d)?: return d.bitPattern
        case .longDouble(let l)?: return l.0
        case nil: return 0
        }
    }

    func nextDouble() throws -> Double {
        if case .double(let d)? = next() { return d }
        return 0
    }

    func nextLongDouble() throws -> (UInt64, UInt64) {
        if case .longDouble(let l)? = next() { return l }
        return (0, 0)
    }
}
