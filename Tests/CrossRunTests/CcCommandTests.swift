@testable import CrossRunCommands
@testable import CrossRunDriver
import CrossRunELF
import CrossRunSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `crossrun cc`, the compiler driver for build systems: separate compilation to target objects
/// (with dependency files), an archive made by the host's `ar`, linking into a launcher that
/// runs on every target/backend pair with its own argv[0] and exit status, link errors failing
/// the build without leaving a program, `-E` from stdin, refused options, gcc-style argument
/// reading, the bundle format (and damaged bundles as errors), and `$CC` naming something
/// other than clang being ignored (make exports `CC="crossrun cc ..."` to every recipe).
final class CcCommandTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws { dir = try TestSupport.scratch() }
    override func tearDown() { FileIO.removeTree(dir) }

    func write(_ name: String, _ text: String) throws { try FileIO.write(Array(text.utf8), to: dir + "/" + name) }

    func cc(_ arguments: [String], stdin: [UInt8] = []) throws -> TestSupport.Outcome {
        try TestSupport.runCrossrun(["cc"] + arguments, stdin: stdin, cwd: dir,
                                    environment: ["CC": "\(TestSupport.crossrun) cc --target rv64"])
    }

    func testObjectsArchiveAndLauncherOnEveryPair() throws {
        try write("main.c", """
            #include <stdio.h>
            #include <string.h>
            int add(int, int);
            extern const char *greeting;
            int main(int argc, char **argv) {
                const char *slash = strrchr(argv[0], '/');
                printf("%s %s argc=%d add=%d last=%s\\n", greeting, slash ? slash + 1 : argv[0], argc, add(2, 3), argv[argc - 1]);
                return argc;
            }
            """)
        try write("add.c", "int add(int a, int b) { return a + b; }\n")
        try write("greet.c", "const char *greeting = \"hello\";\n")
        for (target, backend) in [("x64", "native"), ("x64", "emu"), ("aarch64", "emu"), ("rv64", "emu")] {
            let pair = "\(target)-\(backend)"
            let compiled = try cc(["--target", target, "-O2", "-MMD", "-MP", "-c", "add.c", "-o", "add-\(pair).o"])
            XCTAssertEqual(compiled.status, 0, compiled.stderr)
            let object = try ObjectFile(bytes: try FileIO.read(dir + "/add-\(pair).o"), name: "add.o")
            XCTAssertEqual(object.machine, Target(name: target)?.machine, pair)
            let deps = String(decoding: try FileIO.read(dir + "/add-\(pair).d"), as: UTF8.self)
            XCTAssertTrue(deps.hasPrefix("add-\(pair).o: add.c"), deps)
            XCTAssertEqual(try cc(["--target", target, "-c", "greet.c", "-o", "greet-\(pair).o"]).status, 0)
            let ar = try TestSupport.run("/usr/bin/ar", ["rcs", "libgreet-\(pair).a", "greet-\(pair).o"], cwd: dir)
            XCTAssertEqual(ar.status, 0, ar.stderr)
            let linked = try cc(["--target", target, "--backend", backend, "-O2", "main.c", "add-\(pair).o", "-L.",
                                 "-lgreet-\(pair)", "-lm", "-lpthread", "-Wl,--as-needed", "-rdynamic", "-o", "prog-\(pair)"])
            XCTAssertEqual(linked.status, 0, linked.stderr)
            let ran = try TestSupport.run(dir + "/prog-\(pair)", ["a", "b c"], cwd: dir)
            XCTAssertEqual(ran.stdout, "hello prog-\(pair) argc=3 add=5 last=b c\n", "\(pair): \(ran.stderr)")
            XCTAssertEqual(ran.status, 3, pair)
        }
        // The launcher stands alone: its objects are inside it.
        for name in ["add-rv64-emu.o", "libgreet-rv64-emu.a"] { unlink(dir + "/" + name) }
        let again = try TestSupport.run(dir + "/prog-rv64-emu", [], cwd: dir)
        XCTAssertEqual(again.stdout, "hello prog-rv64-emu argc=1 add=5 last=\(dir)/prog-rv64-emu\n", again.stderr)
    }

    /// A launcher started with an empty environment (`env -i ./prog`, as test suites do) or a
    /// `PATH` without clang still runs: it carries the clang that linked it as a fallback. And
    /// the program gets its environment exactly: the kernel starts CrossRun from the `#!` line,
    /// so no shell drops a variable whose name is not an identifier or adds `PWD`; `sh prog`
    /// still runs it through the script's `exec` line.
    func testLaunchersRunWithAnEmptyEnvironment() throws {
        try write("env.c", """
            #include <stdio.h>
            extern char **environ;
            int main(int argc, char **argv) {
                printf("%d:", argc);
                for (char **e = environ; *e; e++) printf(" [%s]", *e);
                printf("\\n");
                return 0;
            }
            """)
        for target in ["x64", "rv64"] {
            XCTAssertEqual(try cc(["--target", target, "env.c", "-o", "env-\(target)"]).status, 0)
            let script = String(decoding: try FileIO.read(dir + "/env-\(target)").prefix(200), as: UTF8.self)
            XCTAssertTrue(script.hasPrefix("#!/") && script.split(separator: "\n")[0].hasSuffix("crossrun launch"), script)
            let empty = try TestSupport.run("/bin/sh", ["-c", "env -i ./env-\(target) a; env -i 'v[0]=x' PATH=/nonexistent ./env-\(target); env -i sh ./env-\(target) b c"], cwd: dir)
            XCTAssertEqual(empty.stdout, "2:\n1: [v[0]=x] [PATH=/nonexistent]\n3: [PWD=\(dir)]\n", "\(target): \(empty.stderr)")
            XCTAssertEqual(empty.stderr, "", target)
        }
    }

    /// A launched program that runs itself again (through its `argv[0]`, then `/proc/self/exe`)
    /// with other arguments gets exactly those: the new run repeats the launcher's `run`
    /// options, not the `launch` command line (whose words after the program are all its
    /// arguments, so the old ones came again and the program re-ran itself forever).
    func testLaunchedProgramRunsItselfAgain() throws {
        try write("again.c", """
            #include <stdio.h>
            #include <stdlib.h>
            #include <unistd.h>
            int main(int argc, char **argv) {
                int depth = argc > 1 ? atoi(argv[1]) : 0;
                printf("depth %d argc %d\\n", depth, argc);
                fflush(stdout);
                if (depth >= 2) return 7;
                char next[16];
                snprintf(next, sizeof next, "%d", depth + 1);
                execl(depth == 0 ? argv[0] : "/proc/self/exe", argv[0], next, "extra", (char *)NULL);
                return 1;
            }
            """)
        for target in ["x64", "rv64"] {
            XCTAssertEqual(try cc(["--target", target, "again.c", "-o", "again-\(target)"]).status, 0)
            let ran = try TestSupport.run("/usr/bin/timeout", ["60", "./again-\(target)", "0"], cwd: dir)
            XCTAssertEqual(ran.stdout, "depth 0 argc 2\ndepth 1 argc 3\ndepth 2 argc 3\n", "\(target): \(ran.stderr)")
            XCTAssertEqual(ran.status, 7, target)
        }
    }

    func testLinkErrorsFailTheBuildAndLeaveNoProgram() throws {
        try write("main.c", "extern int missing(void);\nint main(void) { return missing(); }\n")
        let failed = try cc(["--target", "aarch64", "main.c", "-o", "prog"])
        XCTAssertEqual(failed.status, 1)
        XCTAssertTrue(failed.stderr.contains("undefined symbol 'missing', referenced by main.c"), failed.stderr)
        XCTAssertFalse(FileIO.exists(dir + "/prog"))
        XCTAssertFalse(FileIO.exists(dir + "/prog.crossrun-tmp"))
        let library = try cc(["main.c", "-lz"])
        XCTAssertEqual(library.status, 1)
        XCTAssertTrue(library.stderr.contains("cannot find -lz"), library.stderr)
        try write("broken.c", "int main(void) { return 0 }\n")
        let broken = try cc(["--target", "rv64", "-c", "broken.c"])
        XCTAssertEqual(broken.status, 1)
        XCTAssertTrue(broken.stderr.contains("broken.c:1:"), broken.stderr)
        XCTAssertFalse(FileIO.exists(dir + "/broken.o"))
    }

    func testPreprocessStdinQueriesAndRefusedOptions() throws {
        let pre = try cc(["--target", "aarch64", "-E", "-P", "-DFOO=42", "-"], stdin: Array("#include <limits.h>\nFOO CHAR_BIT __aarch64__\n".utf8))
        XCTAssertEqual(pre.status, 0, pre.stderr)
        XCTAssertTrue(pre.stdout.contains("42 8 1"), pre.stdout)
        XCTAssertEqual(try cc(["--target", "riscv64-linux-gnu", "-dumpmachine"]).stdout, "riscv64-linux-gnu\n")
        let native = try cc(["--target", "rv64", "--backend", "native", "x.c"])
        XCTAssertTrue(native.stderr.contains("--backend native cannot run rv64"), native.stderr)
        // A link to /dev/null (as configure scripts do) writes into it and never replaces it.
        try write("ok.c", "int main(void) { return 0; }\n")
        XCTAssertEqual(try cc(["--target", "rv64", "ok.c", "-o", "/dev/null"]).status, 0)
        var st = stat()
        XCTAssertEqual(stat("/dev/null", &st), 0)
        XCTAssertEqual(st.st_mode & S_IFMT, S_IFCHR, "/dev/null is still the device")
        XCTAssertFalse(FileIO.exists("/dev/null.crossrun-tmp"))
        XCTAssertTrue(try cc(["--help"]).stdout.contains("make CC=\"crossrun cc --target rv64\""))
    }

    /// `-shared` writes a stand-in whose objects a program takes as from an archive: `-lNAME`
    /// finds `libNAME.so` first, the program's own definitions win (as over a shared object's),
    /// and running the stand-in says what it is.
    func testSharedLibraryStandIn() throws {
        try write("main.c", """
            #include <stdio.h>
            int add(int, int);
            extern const char *greeting;
            int main(void) { printf("%s %d\\n", greeting, add(40, 2)); return 0; }
            """)
        try write("lib.c", "int add(int a, int b) { return a + b; }\nconst char *greeting = \"library\";\n")
        try write("mine.c", "const char *greeting = \"program\";\n")
        for target in ["aarch64", "rv64", "x64"] {
            let lib = try cc(["--target", target, "-shared", "-fPIC", "-Wl,-soname,libfoo.so.1", "lib.c", "-o", "libfoo.so.1.0"])
            XCTAssertEqual(lib.status, 0, lib.stderr)
            XCTAssertEqual(symlink("libfoo.so.1.0", dir + "/libfoo.so"), 0)
            XCTAssertEqual(try cc(["--target", target, "main.c", "-L.", "-lfoo", "-o", "prog"]).status, 0)
            XCTAssertEqual(try TestSupport.run(dir + "/prog", [], cwd: dir).stdout, "library 42\n", target)
            XCTAssertEqual(try cc(["--target", target, "main.c", "mine.c", "libfoo.so.1.0", "-o", "prog"]).status, 0)
            XCTAssertEqual(try TestSupport.run(dir + "/prog", [], cwd: dir).stdout, "program 42\n", target)
            let ran = try TestSupport.run(dir + "/libfoo.so", [], cwd: dir)
            XCTAssertEqual(ran.status, 126)
            XCTAssertTrue(ran.stderr.contains("a library made by crossrun cc -shared"), ran.stderr)
            unlink(dir + "/libfoo.so")
        }
    }

    func testArgumentsAreReadAsGccReadsThem() throws {
        let a = try CcArguments.parse(["-c", "-O2", "-Wall", "-oout.o", "-MMD", "-MF", "x.d", "-I", "inc", "a.c",
                                       "-Wl,-e,start,--as-needed,-rpath,/x", "-lfoo", "-L/lib", "-pthread", "--target=aarch64-linux-gnu"])
        XCTAssertEqual(a.mode, .compile)
        XCTAssertEqual(a.output, "out.o")
        XCTAssertEqual(a.clangWords, ["-O2", "-Wall", "-MMD", "-MF", "x.d", "-I", "inc", "a.c"])
        XCTAssertEqual(a.inputs, ["a.c"])
        XCTAssertEqual(a.entry, "start")
        XCTAssertEqual(a.libraries, ["foo"])
        XCTAssertEqual(a.libraryPaths, ["/lib"])
        XCTAssertEqual(try a.resolvedTarget(), .aarch64)
        let split = try CcArguments.parse(["-Wl,-rpath", "-Wl,/usr/local/lib", "-Xlinker", "-e", "-Xlinker", "go", "a.o"])
        XCTAssertEqual(split.entry, "go", "a linker option's value may come in the next -Wl or -Xlinker")
        XCTAssertEqual(split.inputs, ["a.o"])
        XCTAssertEqual(try CcArguments.parse(["-print-prog-name=ld"]).query, .echo("ld"))
        XCTAssertThrowsError(try CcArguments.parse(["-o"]))
        XCTAssertThrowsError(try CcArguments.parse(["-Wl,-e"]))
        XCTAssertThrowsError(try CcArguments.parse(["--target", "mips", "a.c"]).resolvedTarget())
    }

    func testBundleRoundTripAndDamagedBundles() throws {
        let bundle = ProgramBundle(members: [.init(kind: .object, name: "a b.o", bytes: [1, 2, 0x0a, 3]),
                                             .init(kind: .archive, name: "lib\nx.a", bytes: [])], entry: "start")
        let script = ProgramBundle.launcher(crossrun: "/opt/cross run", target: .rv64, backend: "emu", runOptions: ["--timeout=5"])
        XCTAssertTrue(script.contains("exec \"${CROSSRUN:-/opt/cross run}\" run --target rv64 --backend emu --timeout=5 \"$0\" -- \"$@\""), script)
        let bytes = bundle.encoded(script: script)
        XCTAssertTrue(ProgramBundle.isBundle(bytes))
        let read = try ProgramBundle(bytes: bytes, name: "prog")
        XCTAssertEqual(read.entry, "start")
        XCTAssertEqual(read.members.map(\.name), ["a b.o", "lib?x.a"])
        XCTAssertEqual(read.members.map(\.bytes), [[1, 2, 0x0a, 3], []])
        for cut in [bytes.count - 1, bytes.count - 3] {
            XCTAssertThrowsError(try ProgramBundle(bytes: Array(bytes[..<cut]), name: "prog")) { error in
                XCTAssertTrue("\(error)".contains("prog: damaged program bundle"), "\(error)")
            }
        }
        var huge = Array(script.utf8) + Array("\n#CROSSRUN-BUNDLE 1\no 99999999999999999999 x.o\n".utf8)
        XCTAssertThrowsError(try ProgramBundle(bytes: huge, name: "prog"))
        huge = Array(script.utf8) + Array("\n#CROSSRUN-BUNDLE 1\no -5 x.o\n".utf8)
        XCTAssertThrowsError(try ProgramBundle(bytes: huge, name: "prog"))
        XCTAssertFalse(ProgramBundle.isBundle(Array("#!/bin/sh\necho hi\n".utf8)))
    }

    /// A program's `PATH` is its own business: started with one that has no clang (toybox's
    /// tar test runs `PATH=path tar`, whose gzip is another launcher), the launcher's run
    /// finds the clang that linked it.
    func testLauncherRunsWithoutClangOnPath() throws {
        try write("hello.c", "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n")
        for (target, backend) in [("x64", "native"), ("rv64", "emu")] {
            let linked = try cc(["--target", target, "--backend", backend, "hello.c", "-o", "hello-\(target)"])
            XCTAssertEqual(linked.status, 0, linked.stderr)
            let ran = try TestSupport.run(dir + "/hello-\(target)", [], cwd: dir,
                                          environment: ["PATH": dir, "CROSSRUN_CLANG": "", "CC": "gcc"])
            XCTAssertEqual(ran.stdout, "hello\n", "\(target): \(ran.stderr)")
            XCTAssertEqual(ran.status, 0, target)
        }
    }

    func testOnlyAClangIsTakenFromCC() {
        XCTAssertTrue(Toolchain.isClangName("clang"))
        XCTAssertTrue(Toolchain.isClangName("/usr/bin/clang-21"))
        XCTAssertFalse(Toolchain.isClangName("gcc"))
        XCTAssertFalse(Toolchain.isClangName("/x/crossrun cc --target rv64"))
        XCTAssertFalse(Toolchain.isClangName("clang++"))
        XCTAssertFalse(Toolchain.isClangName(""))
    }
}
