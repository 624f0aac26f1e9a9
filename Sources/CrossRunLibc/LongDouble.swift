/// Conversions of the guest's `long double` (x87 80-bit on x86-64, IEEE binary128 on aarch64
/// and riscv64) to what the host can format.
enum LongDouble {
    #if arch(x86_64)
    /// The host value of x87 80-bit bytes (the layout Float80 has in memory).
    static func x87(_ words: (UInt64, UInt64)) -> Float80 {
        var value: Float80 = 0
        withUnsafeMutableBytes(of: &value) { raw in
            raw.storeBytes(of: words.0, toByteOffset: 0, as: UInt64.self)
            raw.storeBytes(of: UInt16(truncatingIfNeeded: words.1), toByteOffset: 8, as: UInt16.self)
        }
        return value
    }

    /// The x87 80-bit bytes of a host value.
    static func x87Bits(_ value: Float80) -> (UInt64, UInt64) {
        withUnsafeBytes(of: value) { ($0.load(as: UInt64.self), UInt64($0.load(fromByteOffset: 8, as: UInt16.self))) }
    }
    #endif

    #if arch(x86_64)
    typealias Host = Float80
    #else
    typealias Host = Double
    #endif

    /// The host value of a guest `long double` given as two little-endian 64-bit words.
    static func toHost(_ words: (UInt64, UInt64), binary128: Bool) -> Host {
        if !binary128 {
            #if arch(x86_64)
            return x87(words)
            #else
            return Host(0)
            #endif
        }
        // binary128: sign(1) exponent(15) fraction(112); keep the top 63 fraction bits.
        let hi = words.1, lo = words.0
        let sign = hi >> 63 != 0
        let exponent = UInt((hi >> 48) & 0x7fff)
        let fractionTop = (hi & 0xffff_ffff_ffff) << 15 | lo >> 49
        #if arch(x86_64)
        return Float80(sign: sign ? .minus : .plus, exponentBitPattern: exponent, significandBitPattern: fractionTop)
        #else
        return Double(sign: sign ? .minus : .plus, exponentBitPattern: exponent == 0x7fff ? 0x7ff : UInt(max(0, min(0x7fe, Int(exponent) - 16383 + 1023))),
                      significandBitPattern: fractionTop >> 11)
        #endif
    }
}
