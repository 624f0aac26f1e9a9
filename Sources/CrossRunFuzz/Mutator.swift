/// libFuzzer-style mutations of one input, deterministic for a given random state: bit and
/// byte flips, interesting values, arithmetic, block insert/erase/copy, splicing with another
/// corpus entry, dictionary tokens and comparison operands (``ComparisonTable``).
package struct Mutator {
    package var maxLength: Int
    package var onlyASCII = false
    /// Tokens from `-dict=FILE`.
    package var dictionary: [[UInt8]] = []

    package init(maxLength: Int) { self.maxLength = maxLength }

    static let interesting8: [UInt8] = [0, 1, 0x7f, 0x80, 0xff, 16, 32, 64, 100, 0xfe]
    static let interesting16: [UInt16] = [0, 0x80, 0xff, 0x100, 0x3e8, 0x400, 0x1000, 0x7fff, 0x8000, 0xffff]
    static let interesting32: [UInt32] = [0, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 0x1_0000, 0xffff, 0x7fff, 0x8000, 0x10000_00]

    /// Mutation names, for the status line's `MS:` field.
    package enum Kind: String, CaseIterable {
        case flipBit = "ChangeBit", setByte = "ChangeByte", interesting = "ChangeBinInt", arithmetic = "AddToInt",
             insertBytes = "InsertByte", insertRepeated = "InsertRepeatedBytes", erase = "EraseBytes", copyPart = "CopyPart",
             crossOver = "CrossOver", dictionary = "ManualDict", comparison = "CMP", shuffle = "ShuffleBytes"
    }

    /// Applies 1 to 5 stacked mutations to `input`; returns the mutant and what was done.
    package func mutate(_ input: [UInt8], other: [UInt8]?, comparisons: ComparisonTable?, random rng: inout FuzzRandom) -> ([UInt8], [Kind]) {
        var data = input
        var kinds: [Kind] = []
        let count = 1 + rng.below(5)
        for _ in 0..<count {
            for _ in 0..<8 {   // a mutation may not apply (e.g. erase on empty input); try another
                let kind = Kind.allCases[rng.below(Kind.allCases.count)]
                if apply(kind, &data, other: other, comparisons: comparisons, &rng) { kinds.append(kind); break }
            }
        }
        if data.count > maxLength { data.removeLast(data.count - maxLength) }
        if onlyASCII { data = data.map(Self.ascii) }
        return (data, kinds)
    }

    /// libFuzzer's ToASCII: printable characters and whitespace only.
    static func ascii(_ b: UInt8) -> UInt8 {
        let c = b & 0x7f
        return c == 9 || c == 10 || c == 13 || (c >= 32 && c < 127) ? c : 32
    }

    func apply(_ kind: Kind, _ d: inout [UInt8], other: [UInt8]?, comparisons: ComparisonTable?, _ rng: inout FuzzRandom) -> Bool {
        switch kind {
        case .flipBit:
            guard !d.isEmpty else { return false }
            d[rng.below(d.count)] ^= UInt8(1) << UInt8(rng.below(8))
        case .setByte:
            guard !d.isEmpty else { return false }
            d[rng.below(d.count)] = UInt8(truncatingIfNeeded: rng.next())
        case .interesting:
            guard !d.isEmpty else { return false }
            let width = [1, 2, 4][rng.below(3)]
            guard d.count >= width else { return false }
            let value: UInt64
            switch width {
            case 1: value = UInt64(Self.interesting8[rng.below(Self.interesting8.count)])
            case 2: value = UInt64(Self.interesting16[rng.below(Self.interesting16.count)])
            default: value = UInt64(Self.interesting32[rng.below(Self.interesting32.count)])
            }
            write(value, width: width, bigEndian: rng.oneIn(2), into: &d, at: rng.below(d.count - width + 1))
        case .arithmetic:
            let width = [1, 2, 4, 8][rng.below(4)]
            guard d.count >= width else { return false }
            let at = rng.below(d.count - width + 1)
            let bigEndian = rng.oneIn(2)
            var v = read(d, at: at, width: width, bigEndian: bigEndian)
            let delta = UInt64(1 + rng.below(35))
            v = rng.oneIn(2) ? v &+ delta : v &- delta
            write(v, width: width, bigEndian: bigEndian, into: &d, at: at)
        case .insertBytes:
            guard d.count < maxLength else { return false }
            let n = min(1 + rng.below(4), maxLength - d.count)
            d.insert(contentsOf: (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: rng.below(d.count + 1))
        case .insertRepeated:
            guard d.count < maxLength else { return false }
            let n = min(3 + rng.below(60), maxLength - d.count)
            d.insert(contentsOf: [UInt8](repeating: rng.oneIn(2) ? 0 : UInt8(truncatingIfNeeded: rng.next()), count: n), at: rng.below(d.count + 1))
        case .erase:
            guard d.count > 1 else { return false }
            let n = 1 + rng.below(min(d.count - 1, 16))
            let at = rng.below(d.count - n + 1)
            d.removeSubrange(at..<at + n)
        case .copyPart:
            guard d.count > 1 else { return false }
            let n = 1 + rng.below(d.count - 1)
            let from = rng.below(d.count - n + 1)
            let part = Array(d[from..<from + n])
            if rng.oneIn(2) || d.count + n > maxLength {
                let to = rng.below(d.count - n + 1)
                d.replaceSubrange(to..<to + n, with: part)
            } else {
                d.insert(contentsOf: part, at: rng.below(d.count + 1))
            }
        case .crossOver:
            guard let other, !other.isEmpty else { return false }
            let cut = rng.below(d.count + 1), otherCut = rng.below(other.count + 1)
            d = Array(d[..<cut]) + Array(other[otherCut...])
        case .dictionary:
            guard !dictionary.isEmpty else { return false }
            insertOrOverwrite(dictionary[rng.below(dictionary.count)], into: &d, &rng)
        case .comparison:
            guard let comparisons, !comparisons.pairs.isEmpty else { return false }
            var (from, to) = comparisons.pairs[rng.below(comparisons.pairs.count)]
            if rng.oneIn(2) { swap(&from, &to) }
            if let at = Self.occurrence(of: from, in: d, &rng) {
                d.replaceSubrange(at..<at + from.count, with: to)
            } else {
                insertOrOverwrite(to, into: &d, &rng)
            }
        case .shuffle:
            guard d.count > 1 else { return false }
            let n = min(d.count, 1 + rng.below(8))
            let at = rng.below(d.count - n + 1)
            for i in stride(from: n - 1, to: 0, by: -1) { d.swapAt(at + i, at + rng.below(i + 1)) }
        }
        return true
    }

    func insertOrOverwrite(_ token: [UInt8], into d: inout [UInt8], _ rng: inout FuzzRandom) {
        if d.count >= token.count && (rng.oneIn(2) || d.count + token.count > maxLength) {
            let at = rng.below(d.count - token.count + 1)
            d.replaceSubrange(at..<at + token.count, with: token)
        } else {
            d.insert(contentsOf: token, at: rng.below(d.count + 1))
        }
    }

    /// A random position where `needle` occurs in `d`, or nil.
    static func occurrence(of needle: [UInt8], in d: [UInt8], _ rng: inout FuzzRandom) -> Int? {
        guard !needle.isEmpty, needle.count <= d.count else { return nil }
        var hits: [Int] = []
        for i in 0...(d.count - needle.count) where d[i] == needle[0] && d[i..<i + needle.count].elementsEqual(needle) { hits.append(i) }
        return hits.isEmpty ? nil : hits[rng.below(hits.count)]
    }

    func read(_ d: [UInt8], at: Int, width: Int, bigEndian: Bool) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<width { v |= UInt64(d[at + (bigEndian ? width - 1 - i : i)]) << (8 * UInt64(i)) }
        return v
    }

    func write(_ v: UInt64, width: Int, bigEndian: Bool, into d: inout [UInt8], at: Int) {
        for i in 0..<width { d[at + (bigEndian ? width - 1 - i : i)] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) }
    }

    /// Parses an AFL/libFuzzer dictionary: `name="value"` or `"value"` per line, `#` comments,
    /// escapes `\\`, `\"` and `\xNN`.
    package static func parseDictionary(_ text: [UInt8], file: String) throws -> [[UInt8]] {
        var tokens: [[UInt8]] = []
        for (n, line) in text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.drop { $0 == 32 || $0 == 9 }
            if trimmed.isEmpty || trimmed.first == UInt8(ascii: "#") { continue }
            guard let open = trimmed.firstIndex(of: UInt8(ascii: "\"")), let close = trimmed.lastIndex(of: UInt8(ascii: "\"")), close > open else {
                throw FuzzError.badDictionary(file: file, line: n + 1)
            }
            var token: [UInt8] = []
            var i = open + 1
            while i < close {
                let c = trimmed[i]
                if c == UInt8(ascii: "\\"), i + 1 < close {
                    let e = trimmed[i + 1]
                    if e == UInt8(ascii: "x"), i + 3 < close + 1, let hex = UInt8(String(decoding: trimmed[(i + 2)..<min(i + 4, close)], as: UTF8.self), radix: 16) {
                        token.append(hex); i += 4; continue
                    }
                    token.append(e); i += 2; continue
                }
                token.append(c); i += 1
            }
            if !token.isEmpty { tokens.append(token) }
        }
        return tokens
    }
}
