import CrossRunDriver
import CrossRunLibc
import CrossRunLink
import CrossRunNative
import CrossRunRuntime
import CrossRunSupport
import XCTest

/// `<complex.h>` (issue 14) where the fixture cannot say it: which image links what, and that the
/// guest runtime's host calls are sound whoever calls them. (Results on every pair:
/// `fixtures/complex_library`.)
///
/// `runtime/complex.c` defines exactly `GuestRuntime.complexFunctions` (every function
/// `include/complex.h` declares) and calls exactly the private `__crossrun_c*` names, which the
/// import table, the emulator's table and the native loader all carry; a native build binds the
/// host libm's `cexp` while every other build links the runtime's, whose weak definitions yield
/// to a program's own `cabs` on every pair; an image linked with the runtime,
/// loaded natively in process, computes bit for bit what the libm-bound one does in all three
/// precisions; direct calls of the host calls with pointers into unmapped memory or wrapping past
/// 2^64 are guest SIGSEGVs on all four pairs, never host traps; x87 `long double` results on x64/emu
/// print exactly x64/native's, and binary128 ones on aarch64/rv64 emu exactly what those targets'
/// own glibc computes (cross-built, run under qemu-user; skipped without them).
final class ComplexLibraryTests: XCTestCase {
    func testFunctionListsMatchTheSourceAndTheHeader() throws {
        let home = TestSupport.toolchain.home
        let header = String(decoding: try FileIO.read(home + "/include/complex.h"), as: UTF8.self)
        let declared = Set(header.split(separator: "\n").compactMap { line -> String? in
            guard line.hasSuffix(");"), let open = line.firstIndex(of: "(") else { return nil }
            return line[..<open].split(separator: " ").last.map(String.init)
        })
        XCTAssertEqual(declared.count, 69, "22 functions and clog10, each in three precisions")
        XCTAssertEqual(declared, GuestRuntime.complexFunctions)
        let source = String(decoding: try FileIO.read(home + "/runtime/complex.c"), as: UTF8.self)
        for target in [Target.x64, .aarch64, .rv64] {
            let object = try TestSupport.compile(source, target: target, name: "complex.c", flags: GuestRuntime.flags)
            let defined = object.symbols.filter { !$0.isUndefined && $0.type == .function }
            XCTAssertEqual(Set(defined.map(\.name)), GuestRuntime.complexFunctions, "\(target)")
            XCTAssertEqual(defined.filter { $0.binding != .weak }.map(\.name), [], "\(target): a program's own definition must win")
            let calls = object.symbols.filter { $0.isUndefined && !$0.name.isEmpty }.map(\.name)
            XCTAssertEqual(Set(calls), Set(RuntimeSymbols.complexHostCalls), "\(target): one host call per function and precision")
        }
        XCTAssertEqual(RuntimeSymbols.complexHostCalls, HostLibc.complexHostCalls, "the import table and the host table agree")
        XCTAssertEqual(RuntimeSymbols.complexHostCalls.count, 57)
        for name in RuntimeSymbols.complexHostCalls {
            XCTAssertNotNil(HostLibc.functions[name], "emulator: \(name)")
            XCTAssertNotNil(HostLibc.nativeComplexFunctions[name], "native loader: \(name)")
            XCTAssertNotNil(HostSymbols.loaderProvided[name], "native loader: \(name)")
        }
        for name in GuestRuntime.complexFunctions {
            XCTAssertEqual(RuntimeSymbols.all[name]?.library, .libm, "\(name) binds to libm natively")
        }
    }

    /// A native build imports libm's functions; emulated builds (and any build not marked native)
    /// link runtime/complex.c, which imports only the host calls.
    func testNativeBuildsBindLibmOthersLinkTheRuntime() throws {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        try FileIO.write(Array(Self.probe.utf8), to: dir + "/probe.c")
        let pipeline = Pipeline(toolchain: TestSupport.toolchain)
        let native = try pipeline.build(inputs: [dir + "/probe.c"], target: .x64, options: CompileOptions(), native: true)
        let nativeImports = Set(native.image.imports.map(\.name))
        XCTAssertTrue(nativeImports.isSuperset(of: ["cexp", "cpowf", "cabsl", "clog10l"]), "\(nativeImports.sorted())")
        XCTAssertTrue(nativeImports.isDisjoint(with: RuntimeSymbols.complexHostCalls))
        for target in [Target.x64, .aarch64, .rv64] {
            let built = try pipeline.build(inputs: [dir + "/probe.c"], target: target, options: CompileOptions())
            let imports = Set(built.image.imports.map(\.name))
            XCTAssertTrue(imports.isDisjoint(with: GuestRuntime.complexFunctions), "\(target): \(imports.sorted())")
            XCTAssertTrue(imports.isSuperset(of: ["__crossrun_cexp", "__crossrun_cpowf", "__crossrun_cabsl", "__crossrun_clog10l"]),
                          "\(target): \(imports.sorted())")
        }
    }

    /// A program with its own `cabs` (old code has one) that also calls `cexp`: its definition is
    /// the one called, and the runtime still supplies `cexp`, on every pair.
    func testProgramDefinitionWins() throws {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        let source = """
            #include <complex.h>
            #include <stdio.h>
            double cabs(double _Complex z) { return __real__ z + __imag__ z + 40; }
            int main(void) {
                volatile double re = 0.0, im = 2.0;
                double _Complex z = __builtin_complex(re, im);
                double _Complex e = cexp(z);
                printf("%g %.17g %.17g\\n", cabs(z), __real__ e, __imag__ e);
                return 0;
            }
            """
        try FileIO.write(Array(source.utf8), to: dir + "/own.c")
        let expected = String(format: "42 %.17g %.17g\n", cos(2.0), sin(2.0))
        for (target, backend) in [("x64", "native"), ("x64", "emu"), ("aarch64", "emu"), ("rv64", "emu")] {
            let r = try TestSupport.runCrossrun(["--target", target, "--backend", backend, "-fno-builtin", dir + "/own.c"])
            XCTAssertEqual(r.status, 0, "\(target)/\(backend): \(r.stderr)")
            XCTAssertEqual(r.stdout, expected, "\(target)/\(backend)")
        }
    }

    /// The image with runtime/complex.c, loaded natively, goes through the loader-bound host calls:
    /// the same bits as the image whose calls are libm's.
    func testRuntimeImageRunsNativelyWithLibmsResults() throws {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        try FileIO.write(Array(Self.probe.utf8), to: dir + "/probe.c")
        let pipeline = Pipeline(toolchain: TestSupport.toolchain)
        var results: [[UInt64]] = []
        for native in [true, false] {
            let built = try pipeline.build(inputs: [dir + "/probe.c"], target: .x64, options: CompileOptions(), native: native)
            let loaded = try NativeImage(built.image)
            let address = try XCTUnwrap(loaded.address(of: "probe"))
            typealias Probe = @convention(c) (UnsafePointer<Double>?, UnsafeMutablePointer<Double>?) -> Int32
            let probe = unsafeBitCast(address, to: Probe.self)
            var out = [Double](repeating: 0, count: 64)
            var all: [UInt64] = []
            for input in [(0.5, 0.25), (-1.5, 2.0), (0.0, -0.0), (Double.infinity, 1.0), (1.0, Double.nan), (1e300, -Double.leastNonzeroMagnitude * 3)] {
                let input = [input.0, input.1]
                let count = probe(input, &out)
                all += out[0..<Int(count)].map(\.bitPattern)
            }
            results.append(all)
            withExtendedLifetime(loaded) {}
        }
        XCTAssertEqual(results[0].count, 6 * 32)
        XCTAssertEqual(results[0], results[1], "libm-bound and runtime-linked images differ")
    }

    /// A program calling the host calls itself with bad pointers gets a guest SIGSEGV on every pair
    /// (natively the same host functions fault the same way).
    func testHostileHostCallsFaultInTheGuest() throws {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        let source = """
            #include <stdio.h>
            #include <stdlib.h>
            void __crossrun_cexp(double re, double im, double *out);
            void __crossrun_cpowf(float re, float im, float wre, float wim, float *out);
            void __crossrun_cexpl(const long double *z, long double *out);
            void __crossrun_cpowl(const long double *z, const long double *w, long double *out);
            int main(int argc, char **argv) {
                long double z[2] = {1, 2}, out[2];
                double d[2];
                setvbuf(stdout, 0, _IONBF, 0);
                switch (atoi(argv[1])) {
                case 0: __crossrun_cexp(1, 2, d); printf("ok %.17g\\n", d[0]); return 0;
                case 1: __crossrun_cexp(1, 2, (double *)8); break;
                case 2: __crossrun_cpowf(1, 2, 3, 4, (float *)-8L); break;
                case 3: __crossrun_cexpl((const long double *)-8L, out); break;
                case 4: __crossrun_cpowl(z, (const long double *)-24L, out); break;
                case 5: __crossrun_cexpl(z, (long double *)-8L); break;
                }
                printf("survived %d\\n", atoi(argv[1]));
                return 0;
            }
            """
        try FileIO.write(Array(source.utf8), to: dir + "/bad.c")
        let expected = String(format: "ok %.17g\n", exp(1.0) * cos(2.0))
        for (target, backend) in [("x64", "native"), ("x64", "emu"), ("aarch64", "emu"), ("rv64", "emu")] {
            let ok = try TestSupport.runCrossrun(["--target", target, "--backend", backend, dir + "/bad.c", "--", "0"])
            XCTAssertEqual(ok.status, 0, "\(target)/\(backend): \(ok.stderr)")
            XCTAssertEqual(ok.stdout, expected, "\(target)/\(backend)")
            for test in 1...5 {
                let r = try TestSupport.runCrossrun(["--target", target, "--backend", backend, dir + "/bad.c", "--", String(test)])
                XCTAssertEqual(r.status, 139, "\(target)/\(backend) case \(test): \(r.stdout) \(r.stderr)")
                XCTAssertEqual(r.stdout, "", "\(target)/\(backend) case \(test)")
                XCTAssertTrue(r.stderr.contains("SIGSEGV"), "\(target)/\(backend) case \(test): \(r.stderr)")
            }
        }
    }

    /// x87 `long double` results (x64/emu's host path reads and writes 10-byte parts) print the
    /// same `%La` digits as x64/native's, where the program calls libm itself.
    func testX87ResultsAreNativesBitForBit() throws {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        try FileIO.write(Array(Self.longDoubleProgram.utf8), to: dir + "/ld.c")
        let native = try TestSupport.runCrossrun(["--target", "x64", "--backend", "native", dir + "/ld.c"])
        let emulated = try TestSupport.runCrossrun(["--target", "x64", "--backend", "emu", dir + "/ld.c"])
        XCTAssertEqual(native.status, 0, native.stderr)
        XCTAssertEqual(native.stdout.split(separator: "\n").count, 22)
        XCTAssertEqual(emulated.stdout, native.stdout)
    }

    /// Binary128 `long double` results on aarch64/emu and rv64/emu are, to the last bit, what
    /// the targets' own glibc computes: the program built by the cross compiler and run under
    /// qemu-user (skipped when those are not installed).
    func testBinary128ResultsAreTheTargetGlibcs() throws {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        try FileIO.write(Array(Self.longDoubleProgram.utf8), to: dir + "/ld.c")
        var compared = 0
        for (target, triple, qemu) in [("aarch64", "aarch64-linux-gnu", "qemu-aarch64"), ("rv64", "riscv64-linux-gnu", "qemu-riscv64")] {
            guard let gcc = ["/usr/bin/\(triple)-gcc"].first(where: FileIO.exists),
                  let user = ["/usr/bin/\(qemu)", "/usr/bin/\(qemu)-static"].first(where: FileIO.exists) else { continue }
            let built = try TestSupport.run(gcc, ["-O1", "-static", dir + "/ld.c", "-lm", "-o", dir + "/ld-\(target)"])
            guard built.status == 0 else { continue }   // no static libm for the target
            let reference = try TestSupport.run(user, [dir + "/ld-\(target)"])
            XCTAssertEqual(reference.status, 0, reference.stderr)
            let emulated = try TestSupport.runCrossrun(["--target", target, "--backend", "emu", dir + "/ld.c"])
            XCTAssertEqual(emulated.status, 0, emulated.stderr)
            XCTAssertEqual(reference.stdout.split(separator: "\n").count, 22, target)
            XCTAssertEqual(emulated.stdout, reference.stdout, target)
            compared += 1
        }
        if compared == 0 { throw XCTSkip("no aarch64/riscv64 cross compiler with qemu-user installed") }
    }

    /// Every host-computed long double function on ordinary, tiny, huge and signed-zero inputs,
    /// printed exactly (`%La`). Its inputs avoid results whose sign follows a CPU's default NaN.
    static let longDoubleProgram = """
        #define _GNU_SOURCE
        #include <complex.h>
        #include <stdio.h>
        typedef long double complex (*fn)(long double complex);
        static const struct { const char *name; fn f; } unary[] = {
            {"cacosl", cacosl}, {"casinl", casinl}, {"catanl", catanl}, {"ccosl", ccosl}, {"csinl", csinl}, {"ctanl", ctanl},
            {"cacoshl", cacoshl}, {"casinhl", casinhl}, {"catanhl", catanhl}, {"ccoshl", ccoshl}, {"csinhl", csinhl},
            {"ctanhl", ctanhl}, {"cexpl", cexpl}, {"clogl", clogl}, {"clog10l", clog10l}, {"csqrtl", csqrtl},
        };
        int main(void) {
            static volatile long double in[][2] = {{0.5L, 0.25L}, {-1.5L, 2.0L}, {3.0L, -0.75L}, {1e-5L, 1e5L}, {-0.0L, 0.0L},
                                                   {1e1000L, -1e-1000L}};
            for (unsigned n = 0; n < sizeof unary / sizeof unary[0]; n++) {
                printf("%s", unary[n].name);
                for (unsigned i = 0; i < sizeof in / sizeof in[0]; i++) {
                    long double complex r = unary[n].f(CMPLXL(in[i][0], in[i][1]));
                    printf(" %La %La", creall(r), cimagl(r));
                }
                printf("\\n");
            }
            for (unsigned i = 0; i < sizeof in / sizeof in[0]; i++) {
                long double complex z = CMPLXL(in[i][0], in[i][1]);
                long double complex p = cpowl(z, CMPLXL(0.5L, -1.25L));
                printf("%La %La %La %La\\n", cabsl(z), cargl(z), creall(p), cimagl(p));
            }
            return 0;
        }
        """

    /// Calls complex functions of every precision and kind on one input; returns how many
    /// doubles it wrote.
    static let probe = """
        #define _GNU_SOURCE
        #include <complex.h>
        #define PUT(z) (out[n++] = creal(z), out[n++] = cimag(z))
        int probe(const double *in, double *out) {
            int n = 0;
            double complex z = __builtin_complex(in[0], in[1]);
            float complex f = __builtin_complex((float)in[0], (float)in[1]);
            long double complex l = __builtin_complex((long double)in[0], (long double)in[1]);
            PUT(cexp(z)); PUT(csqrt(z)); PUT(catanh(z)); PUT(cpow(z, z)); out[n++] = cabs(z); out[n++] = carg(z);
            PUT(cexpf(f)); PUT(ctanf(f)); PUT(cpowf(f, f)); out[n++] = cabsf(f); out[n++] = cargf(f);
            PUT(cexpl(l)); PUT(clog10l(l)); PUT(cpowl(l, l)); PUT(cacoshl(l)); out[n++] = cabsl(l); out[n++] = cargl(l);
            PUT(cproj(z)); PUT(conjl(l));
            return n;
        }
        int main(void) { return 0; }
        """
}
