import CrossRunSupport
#if arch(x86_64)
import CHostQuad
import CrossRunDriver
import CrossRunLibc
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// IEEE binary128 `long double` (aarch64 and riscv64 guests) on the x86-64 host: compiler
/// helpers, math.h, strtold, printf and scanf, against exact bit patterns (computed with
/// Python's fractions/mpmath) and glibc's own `strfromf128`.
final class Binary128Tests: XCTestCase {
    typealias Q = (UInt64, UInt64)

    // Values as (low word, high word).
    static let one: Q = (0, 0x3fff_0000_0000_0000)
    static let two: Q = (0, 0x4000_0000_0000_0000)
    static let three: Q = (0, 0x4000_8000_0000_0000)
    static let oneAndHalf: Q = (0, 0x3fff_8000_0000_0000)
    static let half: Q = (0, 0x3ffe_0000_0000_0000)
    static let tenth: Q = (0x9999_9999_9999_999a, 0x3ffb_9999_9999_9999)
    static let fifth: Q = (0x9999_9999_9999_999a, 0x3ffc_9999_9999_9999)
    static let tenthPlusFifth: Q = (0x3333_3333_3333_3334, 0x3ffd_3333_3333_3333)
    static let third: Q = (0x5555_5555_5555_5555, 0x3ffd_5555_5555_5555)
    static let sqrt2: Q = (0xc908_b2fb_1366_ea95, 0x3fff_6a09_e667_f3bc)
    static let sinHalf: Q = (0xfe87_64bc_364f_d838, 0x3ffd_eaee_8744_b05e)
    static let e: Q = (0x9535_5fb8_ac40_4e7a, 0x4000_5bf0_a8b1_4576)
    static let pi: Q = (0x8469_898c_c517_01b8, 0x4000_921f_b544_42d1)
    static let two63: Q = (0, 0x403e_0000_0000_0000)
    static let minusTwo63: Q = (0, 0xc03e_0000_0000_0000)
    static let two127: Q = (0, 0x407e_0000_0000_0000)
    static let two128: Q = (0, 0x407f_0000_0000_0000)
    static let infinity: Q = (0, 0x7fff_0000_0000_0000)
    static let nan: Q = (0, 0x7fff_8000_0000_0000)
    static let minusZero: Q = (0, 0x8000_0000_0000_0000)
    static let minSubnormal: Q = (1, 0)

    /// The binary128 bits of a double (exact: every double is a binary128).
    static func q(_ d: Double) -> Q {
        if d == 0 { return (0, d.sign == .minus ? 1 << 63 : 0) }
        precondition(d.isNormal)
        let sign: UInt64 = d.sign == .minus ? 1 << 63 : 0
        let exponent = UInt64(Int(d.exponentBitPattern) - 1023 + 16383)
        let fraction = d.significandBitPattern
        return ((fraction & 0xf) << 60, sign | exponent << 48 | fraction >> 4)
    }

    static func negated(_ v: Q) -> Q { (v.0, v.1 ^ (1 << 63)) }

    func assertBits(_ got: Q, _ expected: Q, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(got == expected, "\(message): got \(hex(got)), expected \(hex(expected))", file: file, line: line)
    }

    /// Within `ulps` units in the last place (same sign, finite).
    func assertClose(_ got: Q, _ expected: Q, ulps: UInt128 = 1, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
        let a = UInt128(got.1) << 64 | UInt128(got.0), b = UInt128(expected.1) << 64 | UInt128(expected.0)
        XCTAssertLessThanOrEqual(a > b ? a - b : b - a, ulps, "\(message): got \(hex(got)), expected \(hex(expected))", file: file, line: line)
    }

    func hex(_ v: Q) -> String { String(format: "(0x%016llx, 0x%016llx)", v.0, v.1) }

    /// Calls `name` on a binary128 runtime with `long double` arguments `lds` (plus ints and doubles).
    @discardableResult
    func callQ(_ rt: LibcRuntime, _ name: String, _ lds: [Q], ints: [UInt64] = [], doubles: [Double] = []) throws -> FakeFrame {
        let frame = FakeFrame(ints: ints, doubles: doubles)
        frame.longDoubles = lds
        return try call(rt, name, frame)
    }

    func testArithmeticHelpers() throws {
        let (rt, _) = try makeRuntime(binary128: true)
        assertBits(try callQ(rt, "__addtf3", [Self.tenth, Self.fifth]).longDoubleResult, Self.tenthPlusFifth, "0.1 + 0.2")
        assertBits(try callQ(rt, "__divtf3", [Self.one, Self.three]).longDoubleResult, Self.third, "1 / 3")
        assertBits(try callQ(rt, "__multf3", [Self.oneAndHalf, Self.two]).longDoubleResult, Self.three, "1.5 * 2")
        assertBits(try callQ(rt, "__subtf3", [Self.one, Self.half]).longDoubleResult, Self.half, "1 - 0.5")
        assertBits(try callQ(rt, "__negtf2", [Self.one]).longDoubleResult, Self.negated(Self.one), "-1")
        assertBits(try callQ(rt, "__negtf2", [(0, 0)]).longDoubleResult, Self.minusZero, "-0")
        assertBits(try callQ(rt, "__divtf3", [Self.one, (0, 0)]).longDoubleResult, Self.infinity, "1 / 0")
        assertBits(try callQ(rt, "__multf3", [Self.minSubnormal, Self.half]).longDoubleResult, (0, 0), "subnormal / 2 rounds to even")
        assertBits(try callQ(rt, "__powitf2", [Self.oneAndHalf], ints: [3]).longDoubleResult, Self.q(3.375), "1.5^3")
        assertBits(try callQ(rt, "__powitf2", [Self.two], ints: [UInt64(bitPattern: -2)]).longDoubleResult, Self.q(0.25), "2^-2")
        // (1 + 2i)(3 + 4i) = -5 + 10i; (-5 + 10i) / (3 + 4i) = 1 + 2i.
        let mul = try callQ(rt, "__multc3", [Self.one, Self.two, Self.three, Self.q(4)])
        assertBits(mul.longDoubleResult, Self.q(-5), "real")
        assertBits(mul.imaginaryLongDoubleResult, Self.q(10), "imaginary")
        let div = try callQ(rt, "__divtc3", [Self.q(-5), Self.q(10), Self.three, Self.q(4)])
        assertBits(div.longDoubleResult, Self.one, "real")
        assertBits(div.imaginaryLongDoubleResult, Self.two, "imaginary")
    }

    func testComparisonsIncludingNaN() throws {
        let (rt, _) = try makeRuntime(binary128: true)
        func cmp(_ name: String, _ a: Q, _ b: Q) throws -> Int32 { Int32(truncatingIfNeeded: try callQ(rt, name, [a, b]).result) }
        XCTAssertEqual(try cmp("__eqtf2", Self.one, Self.one), 0)
        XCTAssertEqual(try cmp("__eqtf2", (0, 0), Self.minusZero), 0, "+0 == -0")
        XCTAssertNotEqual(try cmp("__eqtf2", Self.nan, Self.nan), 0, "NaN != NaN")
        XCTAssertNotEqual(try cmp("__netf2", Self.one, Self.two), 0)
        XCTAssertNotEqual(try cmp("__netf2", Self.nan, Self.one), 0)
        XCTAssertLessThan(try cmp("__lttf2", Self.one, Self.two), 0)
        XCTAssertGreaterThanOrEqual(try cmp("__lttf2", Self.two, Self.one), 0)
        XCTAssertGreaterThanOrEqual(try cmp("__lttf2", Self.nan, Self.one), 0, "NaN < 1 is false")
        XCTAssertLessThanOrEqual(try cmp("__letf2", Self.one, Self.one), 0)
        XCTAssertGreaterThan(try cmp("__letf2", Self.one, Self.nan), 0, "1 <= NaN is false")
        XCTAssertGreaterThan(try cmp("__gttf2", Self.two, Self.one), 0)
        XCTAssertLessThanOrEqual(try cmp("__gttf2", Self.nan, Self.one), 0, "NaN > 1 is false")
        XCTAssertGreaterThanOrEqual(try cmp("__getf2", Self.one, Self.one), 0)
        XCTAssertLessThan(try cmp("__getf2", Self.one, Self.nan), 0, "1 >= NaN is false")
        XCTAssertNotEqual(try cmp("__unordtf2", Self.nan, Self.one), 0)
        XCTAssertEqual(try cmp("__unordtf2", Self.infinity, Self.one), 0)
        XCTAssertEqual(try cmp("__cmptf2", Self.one, Self.two), -1)
        XCTAssertEqual(try cmp("__cmptf2", Self.two, Self.two), 0)
        XCTAssertEqual(try cmp("__cmptf2", Self.nan, Self.two), 1)
    }

    func testConversionsAtRangeEdges() throws {
        let (rt, _) = try makeRuntime(binary128: true)
        func signed(_ name: String, _ v: Q) throws -> Int64 { Int64(bitPattern: try callQ(rt, name, [v]).result) }
        func unsigned(_ name: String, _ v: Q) throws -> UInt64 { try callQ(rt, name, [v]).result }
        func wide(_ name: String, _ v: Q) throws -> UInt128 {
            let f = try callQ(rt, name, [v])
            return UInt128(f.highResult) << 64 | UInt128(f.result)
        }
        // Out of range saturates (and NaN converts to the largest value), as libgcc does.
        XCTAssertEqual(try signed("__fixtfdi", Self.two63), Int64.max)
        XCTAssertEqual(try signed("__fixtfdi", Self.minusTwo63), Int64.min)
        XCTAssertEqual(try signed("__fixtfdi", Self.negated(Self.q(2.75))), -2)
        XCTAssertEqual(try signed("__fixtfsi", Self.q(1e10)), Int64(Int32.max))
        XCTAssertEqual(try signed("__fixtfsi", Self.q(-1e10)), Int64(Int32.min))
        XCTAssertEqual(try signed("__fixtfsi", Self.q(-7.9)), -7)
        XCTAssertEqual(try unsigned("__fixunstfdi", Self.q(-1)), 0)
        XCTAssertEqual(try unsigned("__fixunstfdi", Self.two63), 1 << 63)
        XCTAssertEqual(try unsigned("__fixunstfdi", Self.two128), UInt64.max)
        XCTAssertEqual(try signed("__fixunstfsi", Self.q(4294967295)), -1, "UINT_MAX, sign-extended as riscv64 expects")
        XCTAssertEqual(try signed("__fixunstfsi", Self.q(1e12)), -1)
        XCTAssertEqual(try wide("__fixtfti", Self.two127), UInt128(Int128.max))
        XCTAssertEqual(try wide("__fixtfti", Self.negated(Self.two127)), UInt128(bitPattern: Int128.min))
        XCTAssertEqual(try wide("__fixtfti", Self.negated(Self.q(2.5))), UInt128(bitPattern: -2))
        XCTAssertEqual(try wide("__fixunstfti", Self.two127), 1 << 127)
        XCTAssertEqual(try wide("__fixunstfti", Self.infinity), UInt128.max)

        func fromInts(_ name: String, _ ints: [UInt64]) throws -> Q { try call(rt, name, FakeFrame(ints: ints)).longDoubleResult }
        assertBits(try fromInts("__floatsitf", [UInt64(bitPattern: -1)]), Self.q(-1), "(long double)-1")
        assertBits(try fromInts("__floatunsitf", [0xffff_ffff]), Self.q(4294967295), "(long double)UINT_MAX")
        assertBits(try fromInts("__floatditf", [1 << 63]), Self.minusTwo63, "(long double)LLONG_MIN")
        assertBits(try fromInts("__floatunditf", [UInt64.max]), (0xfffe_0000_0000_0000, 0x403e_ffff_ffff_ffff), "ULLONG_MAX is exact")
        assertBits(try fromInts("__floatuntitf", [UInt64.max, UInt64.max]), Self.two128, "2^128 - 1 rounds up")
        assertBits(try fromInts("__floattitf", [0, 1 << 63]), Self.negated(Self.two127), "INT128_MIN")
        assertBits(try fromInts("__floattitf", [UInt64.max, UInt64.max >> 1]), Self.two127, "INT128_MAX rounds up")

        assertBits(try call(rt, "__extenddftf2", FakeFrame(doubles: [0.1])).longDoubleResult, Self.q(0.1), "(long double)0.1")
        assertBits(try call(rt, "__extendsftf2", FakeFrame(doubles: [0.5])).longDoubleResult, Self.half, "(long double)0.5f")
        XCTAssertEqual(try callQ(rt, "__trunctfdf2", [Self.third]).doubleResult, 1.0 / 3.0)
        XCTAssertEqual(try callQ(rt, "__trunctfdf2", [Self.tenth]).doubleResult, 0.1)
        XCTAssertEqual(try callQ(rt, "__trunctfdf2", [(0, 0x7ffe_0000_0000_0000)]).doubleResult, .infinity)
        XCTAssertEqual(try callQ(rt, "__trunctfsf2", [Self.third]).doubleResult, Double(Float(1.0 / 3.0)))
        XCTAssertTrue(try callQ(rt, "__trunctfdf2", [Self.nan]).doubleResult.isNaN)
    }

    func testX86GuestsCannotUseTheBinary128Helpers() throws {
        let (rt, _) = try makeRuntime(binary128: false)
        XCTAssertThrowsError(try callQ(rt, "__addtf3", [Self.one, Self.one])) { error in
            guard case GuestTermination.signal(SIGILL, let message) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("__addtf3"), message)
        }
    }

    /// snprintf on a binary128 runtime with variadic long doubles (and ints).
    func format(_ format: String, _ values: [Q], ints: [UInt64] = []) throws -> String {
        let (rt, mem) = try makeRuntime(binary128: true)
        let buffer = mem.bytes([UInt8](repeating: 0xee, count: 8192))
        let frame = FakeFrame(ints: [buffer, 8192, mem.string(format)], varInts: ints)
        frame.variadicLongDoubles = values
        try call(rt, "snprintf", frame)
        let text = try mem.string(buffer)
        XCTAssertEqual(Int(frame.result), text.utf8.count, "length of \(format)")
        return text
    }

    func testPrintfExactStrings() throws {
        XCTAssertEqual(try format("%.30Lf", [Self.tenth]), "0.100000000000000000000000000000")
        XCTAssertEqual(try format("%.40Lf", [Self.tenth]), "0.1000000000000000000000000000000000048148")
        XCTAssertEqual(try format("%.36Lg", [Self.tenthPlusFifth]), "0.300000000000000000000000000000000039")
        XCTAssertEqual(try format("%Lg", [Self.third]), "0.333333")
        XCTAssertEqual(try format("%La", [Self.tenth]), "0x1.999999999999999999999999999ap-4")
        XCTAssertEqual(try format("%LA", [Self.oneAndHalf]), "0X1.8P+0")
        XCTAssertEqual(try format("%Le", [Self.pi]), "3.141593e+00")
        XCTAssertEqual(try format("%.33Le", [Self.pi]), "3.141592653589793238462643383279503e+00")
        XCTAssertEqual(try format("%.40Le", [Self.sqrt2]), "1.4142135623730950488016887242096979843472e+00")
        XCTAssertEqual(try format("%.0Lf %.0Lf %.0Lf", [(0, 0x4000_4000_0000_0000), Self.q(3.5), Self.half]), "2 4 0", "ties to even")
        XCTAssertEqual(try format("%Lf %Lf %Lf", [Self.infinity, Self.negated(Self.nan), Self.minusZero]), "inf -nan -0.000000")
        XCTAssertEqual(try format("[%+12.4Lf|%-12.3Le|%012.2Lf|% Lg|%#.0Lf]", [Self.pi, Self.pi, Self.negated(Self.pi), Self.e, Self.three]),
                       "[     +3.1416|3.142e+00   |-00000003.14| 2.71828|3.]")
        XCTAssertEqual(try format("%d:%Lg:%s", [Self.half], ints: [42, 0]), "42:0.5:(null)")
        XCTAssertEqual(try format("%*.*Lf", [Self.third], ints: [10, 3]), "     0.333")
        XCTAssertEqual(try format("%Lg", [(0, 0x7ffe_ffff_ffff_ffff)]), "1.18973e+4932")
        XCTAssertEqual(try format("%Lg", [Self.minSubnormal]), "6.47518e-4966")
        XCTAssertEqual(try format("%.3000Lf", [Self.minSubnormal]).count, 3002)
    }

    /// Without flags or width, printf must agree with glibc's strfromf128 to the byte.
    func testPrintfMatchesGlibcStrfromf128() throws {
        var rng = SplitMix(seed: 128)
        var values: [Q] = [Self.tenth, Self.third, Self.pi, Self.minSubnormal, Self.infinity, Self.nan, (0, 0x7ffe_ffff_ffff_ffff)]
        for _ in 0..<40 { values.append((rng.next(), rng.next())) }
        for v in values {
            for spec in ["%.0f", "%f", "%.35f", "%e", "%.0e", "%.40e", "%g", "%.1g", "%.36g", "%a", "%.3a", "%A", "%G", "%E"] {
                var buffer = [CChar](repeating: 0, count: 6000)
                _ = crossrun_q_strfrom(&buffer, buffer.count, spec, crossrun_quad(lo: v.0, hi: v.1))
                let conv = spec.last!
                let guest = try format(String(spec.dropLast()) + "L" + String(conv), [v])
                XCTAssertEqual(guest, String(nulTerminated: buffer), "\(spec) of \(hex(v))")
            }
        }
    }

    func testStrtoldRoundTrip() throws {
        let (rt, mem) = try makeRuntime(binary128: true)
        let end = mem.bytes([UInt8](repeating: 0, count: 8))
        func strtold(_ text: String) throws -> (Q, Int) {
            let s = mem.string(text)
            let f = try call(rt, "strtold", FakeFrame(ints: [s, end]))
            return (f.longDoubleResult, Int(try mem.load(end, as: UInt64.self) - s))
        }
        var (v, used) = try strtold("0.1xyz")
        assertBits(v, Self.tenth, "0.1")
        XCTAssertEqual(used, 3)
        assertBits(try strtold("  3.14159265358979323846264338327950288").0, Self.pi, "pi")
        assertBits(try strtold("0x1.8p1").0, Self.three, "hex")
        assertBits(try strtold("-0").0, Self.minusZero, "-0")
        assertBits(try strtold("6.475175119438025110924438958227646552e-4966").0, Self.minSubnormal, "smallest subnormal")
        (v, used) = try strtold("1e5000")
        assertBits(v, Self.infinity, "overflow")
        XCTAssertEqual(try mem.load(rt.errnoAddress, as: Int32.self), ERANGE)
        (_, used) = try strtold("junk")
        XCTAssertEqual(used, 0)
        // Print with 36 significant digits and read back: the same bits.
        var rng = SplitMix(seed: 7)
        for _ in 0..<200 {
            let x: Q = (rng.next(), rng.next() & 0x7fff_ffff_ffff_ffff)
            guard x.1 >> 48 != 0x7fff else { continue }
            let text = try format("%.36Lg", [x])
            assertBits(try strtold(text).0, x, text)
            assertBits(try strtold(try format("%La", [x])).0, x, "hex round trip")
        }
    }

    func testMathFunctions() throws {
        let (rt, mem) = try makeRuntime(binary128: true)
        func math(_ name: String, _ lds: [Q], ints: [UInt64] = []) throws -> Q { try callQ(rt, name, lds, ints: ints).longDoubleResult }
        assertClose(try math("sinl", [Self.half]), Self.sinHalf, "sinl(0.5)")
        assertClose(try math("expl", [Self.one]), Self.e, "expl(1)")
        assertClose(try math("powl", [Self.two, Self.half]), Self.sqrt2, "powl(2, 0.5)")
        assertBits(try math("sqrtl", [Self.two]), Self.sqrt2, "sqrtl(2)")
        assertBits(try math("powl", [Self.two, Self.q(100)]), (0, UInt64(16383 + 100) << 48), "powl(2, 100)")
        assertBits(try math("powl", [Self.three, Self.q(40)]), (0xd042_0000_0000_0000, 0x403e_5171_68a4_523f), "powl(3, 40) = 12157665459056928801")
        assertBits(try math("cbrtl", [Self.q(27)]), Self.three, "cbrtl(27)")
        assertBits(try math("fabsl", [Self.negated(Self.pi)]), Self.pi, "fabsl")
        assertBits(try math("fmal", [Self.two, Self.three, Self.one]), Self.q(7), "fmal")
        assertBits(try math("ldexpl", [Self.three], ints: [4]), Self.q(48), "ldexpl")
        assertBits(try math("scalbnl", [Self.three], ints: [UInt64(bitPattern: -1)]), Self.oneAndHalf, "scalbnl")
        assertBits(try math("scalblnl", [Self.one], ints: [16384]), Self.infinity, "scalblnl overflow")
        assertBits(try math("nexttowardl", [Self.one, Self.two]), (1, 0x3fff_0000_0000_0000), "nexttowardl")
        assertBits(try math("nextafterl", [(0, 0), Self.negated(Self.one)]), Self.negated(Self.minSubnormal), "nextafterl")
        assertBits(try math("copysignl", [Self.one, Self.minusZero]), Self.negated(Self.one), "copysignl")
        assertBits(try math("fmodl", [Self.q(7), Self.two]), Self.one, "fmodl")
        XCTAssertEqual(Int32(truncatingIfNeeded: try callQ(rt, "ilogbl", [Self.pi]).result), 1)
        XCTAssertEqual(Int64(bitPattern: try callQ(rt, "lroundl", [Self.q(2.5)]).result), 3)
        XCTAssertEqual(Int64(bitPattern: try callQ(rt, "llrintl", [Self.q(2.5)]).result), 2)
        XCTAssertEqual(Int64(bitPattern: try callQ(rt, "lrintl", [Self.q(-3.5)]).result), -4)
        XCTAssertEqual(Int64(bitPattern: try callQ(rt, "llroundl", [Self.q(-1e30)]).result), Int64.min)

        let cell = mem.bytes([UInt8](repeating: 0xee, count: 16))
        assertBits(try math("frexpl", [Self.q(48)], ints: [cell]), Self.q(0.75), "frexpl")
        XCTAssertEqual(try mem.load(cell, as: Int32.self), 6)
        assertBits(try math("modfl", [Self.q(-2.75)], ints: [cell]), Self.q(-0.75), "modfl")
        assertBits((try mem.load(cell, as: UInt64.self), try mem.load(cell + 8, as: UInt64.self)), Self.q(-2), "modfl integral part")
        assertBits(try math("remquol", [Self.q(7), Self.two], ints: [cell]), Self.negated(Self.one), "remquol")
        XCTAssertEqual(try mem.load(cell, as: Int32.self), 4)
        XCTAssertThrowsError(try math("frexpl", [Self.one], ints: [0]), "a NULL exponent pointer faults")

        assertBits(try math("nanl", [], ints: [mem.string("")]), Self.nan, "nanl(\"\")")
        assertBits(try math("nanl", [], ints: [mem.string("0x42")]), (0x42, 0x7fff_8000_0000_0000), "nanl payload")

        let signgam = try XCTUnwrap(HostLibc.dataAddress("signgam", rt))
        assertClose(try math("lgammal", [Self.q(-0.5)]), (0x620a_79ae_69cd_4613, 0x3fff_43f8_9a3f_0edd), ulps: 2, "lgammal(-0.5)")
        XCTAssertEqual(try mem.load(signgam, as: Int32.self), -1, "signgam")

        // nexttoward(double, long double): the long double follows one floating argument.
        let up = FakeFrame(doubles: [1.0])
        up.longDoubles = [Self.two]
        XCTAssertEqual(try call(rt, "nexttoward", up).doubleResult, 1.0.nextUp)
        let same = FakeFrame(doubles: [0.1])
        same.longDoubles = [Self.tenth]
        XCTAssertEqual(try call(rt, "nexttoward", same).doubleResult, 0.1.nextDown, "0.1L is below the double 0.1")
        let equal = FakeFrame(doubles: [0.5])
        equal.longDoubles = [Self.half]
        XCTAssertEqual(try call(rt, "nexttoward", equal).doubleResult, 0.5)
        let down = FakeFrame(doubles: [0])
        down.longDoubles = [Self.negated(Self.tenth)]
        XCTAssertEqual(try call(rt, "nexttowardf", down).doubleResult, -Double(Float.leastNonzeroMagnitude))
    }

    /// Every `long double` function math.h and stdlib.h declare has a binary128 implementation.
    func testEveryLongDoubleFunctionHasABinary128Form() throws {
        let include = TestSupport.toolchain.includeDirectory
        var names: [String] = []
        for header in ["math.h", "stdlib.h"] {
            let text = String(decoding: try FileIO.read(include + "/" + header), as: UTF8.self)
            for line in text.split(separator: "\n") where line.contains("long double") && line.hasSuffix(");") {
                let head = line[..<line.firstIndex(of: "(")!]
                if let name = head.split(separator: " ").last { names.append(String(name).trimmingCharacters(in: CharacterSet(charactersIn: "*"))) }
            }
        }
        XCTAssertGreaterThan(names.count, 55)
        let (rt, mem) = try makeRuntime(binary128: true)
        let cell = mem.bytes([UInt8](repeating: 0, count: 64))
        let text = mem.string("1.5")
        let format = mem.string("%g")
        for name in names {
            let first = name == "nanl" || name.hasPrefix("strtold") ? text : name == "jnl" || name == "ynl" ? 3 : cell
            // sincosl: two result cells; strfroml(cell, 32, "%g", x); strtold_l's third: LC_GLOBAL_LOCALE
            let frame = FakeFrame(ints: name == "strfroml" ? [cell, 32, format] : [first, cell + 32, UInt64.max], doubles: [1.5])
            frame.longDoubles = [Self.oneAndHalf, Self.half, Self.two]
            XCTAssertNoThrow(try call(rt, name, frame), name)
        }
    }

    /// sscanf (host-parsed text) and fscanf (glibc's grammar re-implemented) agree, and store
    /// binary128 values.
    func testScanfLongDouble() throws {
        let cases: [(input: String, format: String, values: [Q], count: Int32, consumed: Int)] = [
            ("0.1", "%Lf", [Self.tenth], 1, 3),
            ("  3.14159265358979323846264338327950288 rest", "%Le", [Self.pi], 1, 39),
            ("-0x1.8p1,", "%La", [Self.negated(Self.three)], 1, 8),
            ("1.5 0.5", "%Lg %Lf", [Self.oneAndHalf, Self.half], 2, 7),
            ("123456", "%3Lf", [Self.q(123)], 1, 3),
            ("1e+1x", "%Lf", [Self.q(10)], 1, 4),
            ("100ergs", "%Lf", [Self.q(100)], 1, 4),
            ("INFINITY", "%Lf", [Self.infinity], 1, 8),
            ("-infx", "%Lf", [Self.negated(Self.infinity)], 1, 4),
            ("nan(", "%Lf", [Self.nan], 1, 3),
            ("0x", "%Lf", [], 0, 0),
            (".", "%Lf", [], 0, 0),
            ("abc", "%Lf", [], 0, 0),
            ("", "%Lf", [], -1, 0),
            ("7 8", "%*Lf %Lf", [Self.q(8)], 1, 3),
        ]
        for c in cases {
            for stream in [false, true] {
                let (rt, mem) = try makeRuntime(binary128: true)
                let cells = (0..<3).map { _ in mem.bytes([UInt8](repeating: 0xee, count: 16)) }
                let counter = mem.bytes([UInt8](repeating: 0, count: 8))
                let format = mem.string(c.format + "%n")
                let frame: FakeFrame
                var file: UInt64 = 0
                if stream {
                    let path = NSTemporaryDirectory() + "/crossrun-binq-\(getpid()).txt"
                    try Array(c.input.utf8).withUnsafeBytes { bytes in
                        let f = try XCTUnwrap(fopen(path, "w"))
                        fwrite(bytes.baseAddress, 1, bytes.count, f)
                        fclose(f)
                    }
                    defer { unlink(path) }
                    file = try call(rt, "fopen", FakeFrame(ints: [mem.string(path), mem.string("r")])).result
                    XCTAssertNotEqual(file, 0)
                    frame = FakeFrame(ints: [file, format], varInts: Array(cells.prefix(c.values.count)) + [counter])
                    try call(rt, "fscanf", frame)
                } else {
                    frame = FakeFrame(ints: [mem.string(c.input), format], varInts: Array(cells.prefix(c.values.count)) + [counter])
                    try call(rt, "sscanf", frame)
                }
                let label = "\(stream ? "fscanf" : "sscanf")(\"\(c.input)\", \"\(c.format)\")"
                XCTAssertEqual(Int32(truncatingIfNeeded: frame.result), c.count, label)
                for (i, v) in c.values.enumerated().prefix(Int(max(c.count, 0))) {
                    assertBits((try mem.load(cells[i], as: UInt64.self), try mem.load(cells[i] + 8, as: UInt64.self)), v, label)
                }
                if c.count == Int32(c.values.count) && c.count > 0 {
                    XCTAssertEqual(try mem.load(counter, as: Int32.self), Int32(c.consumed), "%n after \(label)")
                }
                if stream {
                    // The stream continues right after the field.
                    let next = Int32(truncatingIfNeeded: try call(rt, "fgetc", FakeFrame(ints: [file])).result)
                    let bytes = Array(c.input.utf8)
                    let expected = c.count > 0 && c.consumed < bytes.count ? Int32(bytes[c.consumed]) : next
                    XCTAssertEqual(next, expected, "next character after \(label)")
                    try call(rt, "fclose", FakeFrame(ints: [file]))
                }
            }
        }
    }

    /// fscanf's own reading of a floating field (glibc's grammar, re-implemented for streams)
    /// against sscanf's (glibc's vfscanf itself): same results, same characters consumed.
    func testScanfStreamGrammarMatchesGlibc() throws {
        var rng = SplitMix(seed: 4932)
        let alphabet = Array("0123456789.eEpPxX+-nNaAiIfFtTyY( \t".utf8)
        let (rt, mem) = try makeRuntime(binary128: true)
        let path = NSTemporaryDirectory() + "/crossrun-binq-fuzz-\(getpid()).txt"
        defer { unlink(path) }
        var samples: [String] = ["0x1p3", "0x.8", "0X1P-2x", "1e", "1e-", "-", "+.5", "infinit", "infinity", "nAn", "0xp1", "00x1", "1.2.3"]
        for _ in 0..<1500 {
            let length = Int(rng.next() % 9)
            samples.append(String(decoding: (0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }, as: UTF8.self))
        }
        var matched = 0
        for (i, input) in samples.enumerated() {
            let width = i % 3 == 0 ? Int(rng.next() % 6) : 0
            let format = mem.string("%\(width == 0 ? "" : String(width))Lf%n")
            var results: [(Int32, Int32, Q)] = []
            for stream in [false, true] {
                let cell = mem.bytes([UInt8](repeating: 0xee, count: 16))
                let counter = mem.bytes([UInt8](repeating: 0xff, count: 4))
                let frame: FakeFrame
                if stream {
                    let f = try XCTUnwrap(fopen(path, "w"))
                    fputs(input, f)
                    fclose(f)
                    let file = try call(rt, "fopen", FakeFrame(ints: [mem.string(path), mem.string("r")])).result
                    frame = try call(rt, "fscanf", FakeFrame(ints: [file, format], varInts: [cell, counter]))
                    try call(rt, "fclose", FakeFrame(ints: [file]))
                } else {
                    frame = try call(rt, "sscanf", FakeFrame(ints: [mem.string(input), format], varInts: [cell, counter]))
                }
                results.append((Int32(truncatingIfNeeded: frame.result), try mem.load(counter, as: Int32.self),
                                (try mem.load(cell, as: UInt64.self), try mem.load(cell + 8, as: UInt64.self))))
            }
            if results[0].0 == 1 { matched += 1 }
            let label = "\"\(input)\" width \(width)"
            XCTAssertEqual(results[0].0, results[1].0, "result for \(label)")
            XCTAssertEqual(results[0].1, results[1].1, "%n for \(label)")
            assertBits(results[1].2, results[0].2, label)
        }
        XCTAssertGreaterThan(matched, 300, "the samples should contain numbers")
        XCTAssertLessThan(matched, samples.count - 300, "and non-numbers")
    }

    /// x86-64 guests keep the x87 format end to end.
    func testX87PathUnchanged() throws {
        let (rt, mem) = try makeRuntime(binary128: false)
        let third: Float80 = 1 / 3
        let f = FakeFrame()
        f.longDoubles = [withUnsafeBytes(of: third) { ($0.load(as: UInt64.self), UInt64($0.load(fromByteOffset: 8, as: UInt16.self))) }]
        try call(rt, "sinl", f)
        let result = withUnsafeBytes(of: sinl(third)) { ($0.load(as: UInt64.self), UInt64($0.load(fromByteOffset: 8, as: UInt16.self))) }
        XCTAssertTrue(f.longDoubleResult == result)
        let buffer = mem.bytes([UInt8](repeating: 0, count: 64))
        let p = FakeFrame(ints: [buffer, 64, mem.string("%.25Lf")])
        p.variadicLongDoubles = f.longDoubles
        try call(rt, "snprintf", p)
        var host = [CChar](repeating: 0, count: 64)
        _ = withVaList([third]) { vsnprintf(&host, 64, "%.25Lf", $0) }
        XCTAssertEqual(try mem.string(buffer), String(nulTerminated: host))
    }
}
#endif
