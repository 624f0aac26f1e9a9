import CrossRunDriver
import CrossRunFuzz
import CrossRunSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Where the fuzzer's files go: a crash input is never lost, a corpus that cannot take new
/// inputs is said so, and a harness's `chdir` neither moves CrossRun nor leaks into the next
/// input (the emulated reset restores the guest's directory with the rest of the C library).
extension FuzzTests {
    static let emulated = ["x64", "aarch64", "rv64"]

    /// Seeds run in name order: `1` moves to `sub`, `2` checks it starts where `1` did, `3`
    /// moves again and crashes. The crash is a SEGV (not the abort of a leaked directory) and
    /// its artifact lands in CrossRun's directory, not the harness's.
    func testChdirInTheHarnessDoesNotLeak() throws {
        let harness = try write("cwd.c", """
            #include <stdint.h>
            #include <stdlib.h>
            #include <string.h>
            #include <unistd.h>
            static char start[1024];
            int LLVMFuzzerInitialize(int *argc, char ***argv) { getcwd(start, sizeof start); return 0; }
            int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
                char now[1024];
                if (!getcwd(now, sizeof now) || strcmp(now, start) != 0) abort();
                if (chdir("sub") != 0) abort();
                if (size == 1 && data[0] == 'C') return *(volatile int *)0;
                return 0;
            }
            """)
        XCTAssertEqual(mkdir(dir + "/sub", 0o755), 0)
        let seeds = dir + "/seeds"
        XCTAssertEqual(mkdir(seeds, 0o755), 0)
        for (name, text) in [("1", "a"), ("2", "b"), ("3", "C")] { try FileIO.write(Array(text.utf8), to: seeds + "/" + name) }
        for target in Self.emulated {
            let out = try TestSupport.runCrossrun(["fuzz", "--target", target, "--backend", "emu", harness, seeds, "-runs=50", "-seed=1"], cwd: dir)
            XCTAssertEqual(out.status, 77, "\(target): \(out.stderr)")
            XCTAssertTrue(out.stderr.contains("==crossrun fuzz== SEGV on \(target)/emu"), "\(target): \(out.stderr)")
            let artifact = "crash-" + SHA1.hex(Array("C".utf8))
            XCTAssertTrue(out.stderr.contains("input saved to ./\(artifact) (1 bytes)"), "\(target): \(out.stderr)")
            XCTAssertEqual(try FileIO.read(dir + "/" + artifact), Array("C".utf8), target)
            XCTAssertFalse(FileIO.exists(dir + "/sub/" + artifact), target)
            unlink(dir + "/" + artifact)
            unlink(dir + "/" + artifact + ".txt")
        }
    }

    /// An artifact prefix that cannot take files is refused before fuzzing starts; one that
    /// stops taking them during the run (here the harness removes the directory) sends the
    /// crash input to `$TMPDIR`, and the message says where.
    func testCrashInputsAreNeverLost() throws {
        let harness = try write("lose.c", """
            #include <stdint.h>
            #include <stdio.h>
            #include <unistd.h>
            int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
                if (size == 1 && data[0] == 'C') { rmdir("art"); return *(volatile int *)0; }
                return 0;
            }
            """)
        let seeds = dir + "/seeds"
        XCTAssertEqual(mkdir(seeds, 0o755), 0)
        try FileIO.write(Array("C".utf8), to: seeds + "/1")
        try FileIO.write([1], to: dir + "/plain")
        let artifact = "crash-" + SHA1.hex(Array("C".utf8))
        for (target, backend) in [("x64", "native")] + Self.emulated.map({ ($0, "emu") }) {
            let refused = try TestSupport.runCrossrun(["fuzz", "--target", target, "--backend", backend, harness, seeds,
                                                      "-artifact_prefix=\(dir)/plain/x-"], cwd: dir)
            XCTAssertEqual(refused.status, 1, "\(target)/\(backend): \(refused.stderr)")
            XCTAssertTrue(refused.stderr.contains("crossrun: error: \(dir)/plain/x-: -artifact_prefix: cannot create files there (Not a directory)"),
                          "\(target)/\(backend): \(refused.stderr)")
            XCTAssertFalse(refused.stderr.contains("INFO: Seed"), "refused before fuzzing")

            if backend == "native" { continue }   // the native harness's rmdir is the host's: same result, not the point
            XCTAssertEqual(mkdir(dir + "/art", 0o755), 0)
            let tmp = dir + "/tmp-\(target)"
            XCTAssertEqual(mkdir(tmp, 0o755), 0)
            let out = try TestSupport.runCrossrun(["fuzz", "--target", target, "--backend", backend, harness, seeds, "-artifact_prefix=art/"],
                                                  cwd: dir, environment: ["TMPDIR": tmp])
            XCTAssertEqual(out.status, 77, "\(target): \(out.stderr)")
            XCTAssertTrue(out.stderr.contains("==crossrun fuzz== cannot save the input to art/\(artifact): No such file or directory"), "\(target): \(out.stderr)")
            XCTAssertTrue(out.stderr.contains("input saved to \(tmp)/\(artifact) (1 bytes)"), "\(target): \(out.stderr)")
            XCTAssertEqual(try FileIO.read(tmp + "/" + artifact), Array("C".utf8), target)
            XCTAssertTrue(FileIO.exists(tmp + "/" + artifact + ".txt"), target)
        }
    }

    /// The first corpus directory takes new inputs: one that cannot is refused at the start;
    /// one that stops taking them (the harness moves it away) is reported, not silently dropped.
    func testUnwritableCorpusIsReported() throws {
        let harness = try write("corpus.c", """
            #include <stdint.h>
            #include <stdio.h>
            static int moved;
            int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
                if (!moved) moved = rename("corpus", "moved") == 0;
                return size > 0 && data[0] == 'x' ? 1 : 0;
            }
            """)
        try FileIO.write([1], to: dir + "/plain")
        for target in Self.emulated {
            let refused = try TestSupport.runCrossrun(["fuzz", "--target", target, harness, "/proc/sys", "-runs=10"], cwd: dir)
            XCTAssertEqual(refused.status, 1, "\(target): \(refused.stderr)")
            XCTAssertTrue(refused.stderr.contains("crossrun: error: /proc/sys: new inputs are saved in the first corpus directory, and it is not writable"),
                          "\(target): \(refused.stderr)")

            XCTAssertEqual(mkdir(dir + "/corpus", 0o755), 0)
            let out = try TestSupport.runCrossrun(["fuzz", "--target", target, harness, "corpus", "-runs=300", "-seed=2"], cwd: dir)
            XCTAssertEqual(out.status, 0, "\(target): \(out.stderr)")
            XCTAssertTrue(out.stderr.contains("==crossrun fuzz== warning: cannot save new inputs in the corpus directory: corpus/"), "\(target): \(out.stderr)")
            XCTAssertTrue(out.stderr.contains("new input(s) could not be saved in the corpus directory"), "\(target): \(out.stderr)")
            FileIO.removeTree(dir + "/moved")
        }
    }

    /// Each input starts from the C library state start-up left, whatever the previous one
    /// changed: environment, `rand`, signal dispositions, `strtok`, the current directory and
    /// the `umask` (the guest's own: CrossRun's is never changed).
    func testEveryInputStartsFromTheSameLibraryState() throws {
        let harness = try write("state.c", """
            #include <signal.h>
            #include <stdint.h>
            #include <stdlib.h>
            #include <string.h>
            #include <sys/stat.h>
            #include <unistd.h>
            static int first_rand;
            static mode_t first_mask;
            static char start[1024];
            static char text[] = "a,b";
            static void on_usr1(int s) { (void)s; }
            int LLVMFuzzerInitialize(int *argc, char ***argv) {
                srand(7); first_rand = rand(); srand(7);
                first_mask = umask(0); umask(first_mask);
                getcwd(start, sizeof start);
                strtok(text, ",");
                return 0;
            }
            int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
                char now[1024];
                if (getenv("LEAKED")) abort();
                if (rand() != first_rand) abort();
                if (signal(SIGUSR1, on_usr1) != SIG_DFL) abort();
                if (umask(077) != first_mask) abort();
                if (!getcwd(now, sizeof now) || strcmp(now, start) != 0) abort();
                char *next = strtok(NULL, ",");
                if (!next || strcmp(next, "b") != 0) abort();
                setenv("LEAKED", "1", 1);
                srand((unsigned)size + 100);
                chdir("/");
                return 0;
            }
            """)
        for target in Self.emulated {
            let out = try TestSupport.runCrossrun(["fuzz", "--target", target, "--backend", "emu", harness, "-runs=200", "-seed=5"], cwd: dir)
            XCTAssertEqual(out.status, 0, "\(target): \(out.stderr.suffix(1500))")
            XCTAssertTrue(out.stderr.contains("Done 200 runs"), "\(target): \(out.stderr.suffix(1500))")
        }
    }
}
