#if canImport(Glibc)
import Glibc
#endif

/// The characters of one scanf floating-point field (`%e %f %g %a`), read from a host stream
/// the way glibc's vfscanf reads them (C locale, no `'` grouping), so that a binary128 guest's
/// `%Lf` can convert them with binary128 precision rather than the host's x87 `long double`.
enum ScanfFloatField {
    enum Result: Equatable {
        /// End of input before any character of the field (after skipping white space).
        case inputFailure
        /// The input does not start a number; `consumed` characters were used up anyway.
        case matchingFailure(consumed: Int)
        /// The field's text (with its sign) and the characters it consumed, white space included.
        case field(text: [UInt8], consumed: Int)
    }

    /// Reads one field of at most `width` characters (0: unlimited) from `file`, leaving the
    /// stream just past it (the first character that does not belong is pushed back).
    static func read(_ file: UnsafeMutablePointer<FILE>, width: Int) -> Result {
        var consumed = 0
        var c: Int32 = EOF
        func next() -> Int32 {
            c = getc(file)
            if c != EOF { consumed += 1 }
            return c
        }
        func pushBack() {
            if c != EOF { ungetc(c, file); consumed -= 1 }
        }
        func lower(_ v: Int32) -> Int32 { v >= 65 && v <= 90 ? v + 32 : v }
        func ascii(_ s: Unicode.Scalar) -> Int32 { Int32(s.value) }

        // White space before the field does not count toward the width.
        while next() != EOF && isspace(c) != 0 {}
        if c == EOF { return .inputFailure }

        var width = width > 0 ? width : -1
        if width > 0 { width -= 1 }
        var text: [UInt8] = []
        var sign: UInt8?
        func add(_ v: Int32) { text.append(UInt8(truncatingIfNeeded: v)) }
        /// Consumes one more character that must be `expected` (case-insensitively).
        func expect(_ expected: Unicode.Scalar) -> Bool {
            if width == 0 || next() == EOF || lower(c) != ascii(expected) { return false }
            if width > 0 { width -= 1 }
            add(c)
            return true
        }
        func field() -> Result { .field(text: (sign.map { [$0] } ?? []) + text, consumed: consumed) }

        if c == ascii("-") || c == ascii("+") {
            sign = UInt8(truncatingIfNeeded: c)
            if width == 0 || next() == EOF { return .matchingFailure(consumed: consumed) }
            if width > 0 { width -= 1 }
        }
        if lower(c) == ascii("n") {
            add(c)
            return expect("a") && expect("n") ? field() : .matchingFailure(consumed: consumed)
        }
        if lower(c) == ascii("i") {
            add(c)
            guard expect("n"), expect("f") else { return .matchingFailure(consumed: consumed) }
            if width != 0 && next() != EOF {
                if lower(c) == ascii("i") {
                    if width > 0 { width -= 1 }
                    add(c)
                    for letter: Unicode.Scalar in ["n", "i", "t", "y"] where !expect(letter) {
                        return .matchingFailure(consumed: consumed)
                    }
                } else {
                    pushBack()
                }
            }
            return field()
        }

        var exponentChar = ascii("e")
        var hex = false, gotDigit = false, gotDot = false, gotE = false
        if width != 0 && c == ascii("0") {
            add(c)
            _ = next()
            if width > 0 { width -= 1 }
            if width != 0 && lower(c) == ascii("x") {
                add(c)
                hex = true
                exponentChar = ascii("p")
                _ = next()
                if width > 0 { width -= 1 }
            } else {
                gotDigit = true
            }
        }
        while true {
            if c >= ascii("0") && c <= ascii("9") {
                add(c)
                gotDigit = true
            } else if !gotE && hex && c != EOF && isxdigit(c) != 0 {
                add(c)
                gotDigit = true
            } else if gotE && text.last.map(Int32.init) == exponentChar && (c == ascii("-") || c == ascii("+")) {
                add(c)
            } else if gotDigit && !gotE && lower(c) == exponentChar {
                add(exponentChar)
                gotE = true
                gotDot = true
            } else if !gotDot && c == ascii(".") {
                add(c)
                gotDot = true
            } else {
                pushBack()
                break
            }
            if width == 0 || next() == EOF { break }
            if width > 0 { width -= 1 }
        }
        // Nothing read, or only a "0x" prefix.
        if text.isEmpty || (hex && text.count == 2) { return .matchingFailure(consumed: consumed) }
        return field()
    }
}
