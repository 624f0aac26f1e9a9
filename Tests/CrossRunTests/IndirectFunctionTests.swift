import CrossRunDriver
import CrossRunLink
import CrossRunSupport
import XCTest

/// GNU indirect functions (`STT_GNU_IFUNC`, what `__attribute__((ifunc))` and
/// `target_clones` make): the linker gives each a slot start-up fills from its resolver, an
/// ifunc's address is the same in code and in data on every target and backend (its resolved
/// target, or its stub when code forms the address PC-relatively, as lld does), and a resolver
/// that crashes is reported as the program's crash. `fixtures/ifunc.c` checks what the host's
/// own build agrees with (GNU ld's PIE gives an ifunc two addresses, so pointer equality
/// between code and data is checked here; an lld host build prints the same as below).
final class IndirectFunctionTests: XCTestCase {
    static let pairs = [("x64", "native"), ("x64", "emu"), ("aarch64", "emu"), ("rv64", "emu")]

    static let equality = """
        #include <stdio.h>
        static int one(int x) { return x + 1; }
        static int two(int x) { return x + 2; }
        int pick = 2;   // not a constant: clang would resolve the ifunc at compile time
        static void *resolve(void) { return pick == 2 ? (void *)two : (void *)one; }
        int add(int) __attribute__((ifunc("resolve")));
        __attribute__((visibility("hidden"))) int hidden_add(int) __attribute__((ifunc("resolve")));
        typedef int (*op)(int);
        op table[] = { add, hidden_add };
        op const const_table[] = { add, hidden_add };
        __attribute__((noinline)) op get_add(void) { return add; }
        __attribute__((noinline)) op get_hidden(void) { return hidden_add; }
        int main(void) {
            op p = add, q = hidden_add;
            printf("%d %d %d %d\\n", p == table[0], p == const_table[0], p == get_add(), p(1));
            printf("%d %d %d %d\\n", q == table[1], q == const_table[1], q == get_hidden(), q(1));
            printf("%d\\n", table[0] == const_table[0] && table[1] == const_table[1]);
            return 0;
        }
        """

    func testAnIndirectFunctionHasOneAddressInCodeAndData() throws {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        try FileIO.write(Array(Self.equality.utf8), to: dir + "/eq.c")
        for (target, backend) in Self.pairs {
            for level in ["-O0", "-O2"] {
                let r = try TestSupport.runCrossrun(["--target", target, "--backend", backend, level, "eq.c"], cwd: dir)
                XCTAssertEqual(r.status, 0, "\(target)/\(backend) \(level): \(r.stderr)")
                XCTAssertEqual(r.stdout, "1 1 1 3\n1 1 1 3\n1\n", "\(target)/\(backend) \(level)")
            }
        }
    }

    func testAResolverThatCrashesIsTheProgramsCrash() throws {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        let source = """
            #include <stdio.h>
            static int impl(void) { return 1; }
            static volatile int *nowhere;
            static void *crashing_resolver(void) { return *nowhere ? (void *)impl : (void *)impl; }
            int f(void) __attribute__((ifunc("crashing_resolver")));
            __attribute__((constructor)) static void never(void) { puts("constructor ran"); }
            int main(void) { printf("%d\\n", f()); return 0; }
            """
        try FileIO.write(Array(source.utf8), to: dir + "/crash.c")
        for (target, backend) in Self.pairs {
            let r = try TestSupport.runCrossrun(["--target", target, "--backend", backend, "crash.c"], cwd: dir)
            XCTAssertEqual(r.status, 139, "\(target)/\(backend): \(r.stderr)")
            XCTAssertEqual(r.stdout, "", "\(target)/\(backend): nothing runs after a crashing resolver")
            XCTAssertTrue(r.stderr.contains("SIGSEGV"), "\(target)/\(backend): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("crashing_resolver"), "\(target)/\(backend): the report names the resolver: \(r.stderr)")
        }
    }

    /// Resolvers get glibc's arguments for the target: aarch64 `AT_HWCAP | _IFUNC_ARG_HWCAP`
    /// and a 24-byte `__ifunc_arg_t {size, hwcap, hwcap2}`, riscv64 `AT_HWCAP` (x86-64 none),
    /// each agreeing with `getauxval`.
    func testResolversGetGlibcsArguments() throws {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        let source = """
            #include <stdio.h>
            #include <sys/auxv.h>
            static unsigned long hwcap, size, arg_hwcap, arg_hwcap2;
            static int one(void) { return 1; }
            static void *resolve(unsigned long a0, const unsigned long *a1) {
                hwcap = a0;
            #if defined(__aarch64__)
                if (a1) { size = a1[0]; arg_hwcap = a1[1]; arg_hwcap2 = a1[2]; }
            #else
                (void)a1;
            #endif
                return (void *)one;
            }
            int f(void) __attribute__((ifunc("resolve")));
            int main(void) {
            #if defined(__aarch64__)
                printf("%d %d %d %lu %d %d\\n", f(), hwcap == (getauxval(AT_HWCAP) | 1UL << 62), (int)(hwcap >> 62 & 1), size,
                       arg_hwcap == getauxval(AT_HWCAP), arg_hwcap2 == getauxval(AT_HWCAP2));
            #elif defined(__riscv)
                printf("%d %d\\n", f(), hwcap == getauxval(AT_HWCAP));
            #else
                printf("%d\\n", f());
            #endif
                return 0;
            }
            """
        try FileIO.write(Array(source.utf8), to: dir + "/args.c")
        for (target, expected) in [("aarch64", "1 1 1 24 1 1\n"), ("rv64", "1 1\n"), ("x64", "1\n")] {
            let r = try TestSupport.runCrossrun(["--target", target, "--backend", "emu", "args.c"], cwd: dir)
            XCTAssertEqual(r.status, 0, "\(target): \(r.stderr)")
            XCTAssertEqual(r.stdout, expected, target)
        }
    }

    /// The image's side: one slot per reference kind, filled from the resolver; a PC-relative
    /// address (hidden visibility) makes the stub the address everywhere instead.
    func testTheImageRecordsSlotsForTheResolver() throws {
        for target in Target.allCases {
            let object = try TestSupport.compile(Self.equality, target: target, flags: ["-O2"])
            let image = try TestSupport.link([object])
            XCTAssertNil(image.invariantViolation, "\(target)")
            guard let resolver = image.symbol(named: "resolve") else { return XCTFail("\(target): no resolver symbol") }
            XCTAssertFalse(image.indirectSlots.isEmpty, "\(target)")
            XCTAssertTrue(image.indirectSlots.allSatisfy { $0.resolver == resolver.offset }, "\(target): \(image.indirectSlots)")
            XCTAssertNil(image.symbols.first { $0.name == "add" && $0.kind == .function }, "\(target): an ifunc symbol is not its resolver's address")
            XCTAssertNotNil(image.symbol(named: "add@plt"), "\(target): calls go through a stub")
        }
    }
}
