/// Lowercase hexadecimal text of bytes, as digests are written (`crash-<sha1>`, the compile
/// cache's keys, `matrix`'s output digests): two digits per byte, most significant nibble first.
public enum Hex {
    /// `bytes` as `2 × count` lowercase hex digits: every digest, without the generic walk
    /// below, whose first use in a process asks the Swift runtime for the sequence's iterator
    /// type (a mangled-name lookup and conformance scan: ~170,000 instructions of a warm run).
    public static func string(_ bytes: [UInt8]) -> String {
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            digits.withUTF8Buffer { digit in
                for (i, b) in bytes.enumerated() {
                    out[2 * i] = digit[Int(b >> 4)]
                    out[2 * i + 1] = digit[Int(b & 15)]
                }
            }
            return bytes.count * 2
        }
    }

    /// `bytes` as `2 × count` lowercase hex digits.
    public static func string<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let digits: StaticString = "0123456789abcdef"
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        digits.withUTF8Buffer { digit in
            for b in bytes {
                out.append(digit[Int(b >> 4)])
                out.append(digit[Int(b & 15)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
