import CrossRunDriver
import CrossRunSupport
import XCTest

/// `--deterministic`: the same program and input give the same output byte for byte, run after
/// run, on every target/backend — clocks, process ids, random sources, environment, argv[0],
/// heap and stack addresses — while without it the same program's output changes.
///
/// `--deterministic` on all four pairs: a program printing times of every clock, pid/ppid,
/// `/dev/urandom`/`/dev/random`/`arc4random` bytes, `rand`, heap and stack addresses, `argv[0]` and
/// its environment writes the same bytes twice and the documented values (epoch, 1 ms step, sleeps
/// advancing the clock, pid 1000 and `kill` of it, the four variables), while two runs without the
/// flag differ; natively the same with and without a compile-cache hit, and the private heap serves
/// the whole malloc family (getline growing a buffer, `strdup` reallocated, double free aborts,
/// 20,000 random malloc/calloc/realloc/free with zero-sized blocks and every byte checked) with the
/// plain run's output; the emulated raw `getpid`/`clock_gettime`/`gettimeofday`/`getrandom` system
/// calls; `matrix --deterministic` agrees on all four pairs (without it, pids differ) and `test
/// --deterministic` passes a test expecting the documented values.
final class DeterministicRunTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws { dir = try TestSupport.scratch() }
    override func tearDown() { FileIO.removeTree(dir) }

    static let pairs = [("x64", "native"), ("x64", "emu"), ("aarch64", "emu"), ("rv64", "emu")]

    /// Prints everything a run could differ by: clocks, ids, random bytes, addresses, argv[0]
    /// and the environment.
    static let program = """
        #include <fcntl.h>
        #include <signal.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <sys/random.h>
        #include <sys/time.h>
        #include <time.h>
        #include <unistd.h>
        static volatile int handled;
        static void on_signal(int sig) { handled = sig; }
        static void hex(const char *name, const unsigned char *b, int n) {
            printf("%s", name);
            for (int i = 0; i < n; i++) printf(" %02x", b[i]);
            printf("\\n");
        }
        int main(int argc, char **argv, char **envp) {
            int local = argc;
            struct timespec rt, mono, cpu;
            struct timeval tv;
            time_t t = time(NULL);
            clock_t c = clock();
            clock_gettime(CLOCK_REALTIME, &rt);
            clock_gettime(CLOCK_MONOTONIC, &mono);
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
            gettimeofday(&tv, NULL);
            struct timespec utc;
            timespec_get(&utc, TIME_UTC);
            printf("time %lld clock %ld\\n", (long long)t, (long)c);
            printf("realtime %lld.%09ld monotonic %lld.%09ld cpu %lld.%09ld\\n", (long long)rt.tv_sec, rt.tv_nsec,
                   (long long)mono.tv_sec, mono.tv_nsec, (long long)cpu.tv_sec, cpu.tv_nsec);
            printf("timeofday %lld.%06ld timespec_get %lld.%09ld\\n", (long long)tv.tv_sec, (long)tv.tv_usec,
                   (long long)utc.tv_sec, utc.tv_nsec);
            printf("pid %d ppid %d\\n", (int)getpid(), (int)getppid());
            unsigned char bytes[16] = {0};
            FILE *f = fopen("/dev/urandom", "rb");
            if (!f || fread(bytes, 1, sizeof bytes, f) != sizeof bytes) return 2;
            fclose(f);
            hex("urandom", bytes, 16);
            int fd = open("/dev/random", O_RDONLY);
            if (fd < 0 || read(fd, bytes, sizeof bytes) != sizeof bytes) return 3;
            close(fd);
            hex("random", bytes, 16);
            arc4random_buf(bytes, sizeof bytes);
            hex("arc4random_buf", bytes, 16);
            if (getrandom(bytes, sizeof bytes, 0) != sizeof bytes) return 4;
            hex("getrandom", bytes, 16);
            if (getentropy(bytes, sizeof bytes) != 0) return 5;
            hex("getentropy", bytes, 16);
            printf("arc4random %u %u\\n", arc4random(), arc4random_uniform(1000));
            printf("rand %d random %ld\\n", rand(), random());
            void *small = malloc(16), *big = malloc(1 << 20);
            printf("heap %p %p stack %p\\n", small, big, (void *)&local);
            printf("argv[0] %s\\n", argv[0]);
            for (char **e = envp; *e; e++) printf("env %s\\n", *e);
            printf("TZ %s\\n", getenv("TZ") ? getenv("TZ") : "(unset)");
            struct timespec before, after, nap = {0, 5000000};
            clock_gettime(CLOCK_MONOTONIC, &before);
            usleep(2000);
            nanosleep(&nap, NULL);
            sleep(0);
            clock_gettime(CLOCK_MONOTONIC, &after);
            printf("slept %lld ns\\n", (long long)(after.tv_sec - before.tv_sec) * 1000000000LL + (after.tv_nsec - before.tv_nsec));
            signal(SIGUSR1, on_signal);
            int killed = kill(getpid(), SIGUSR1);
            printf("kill self %d handled %d\\n", killed, handled == SIGUSR1);
            free(small);
            free(big);
            return 0;
        }
        """

    func run(_ target: String, _ backend: String, _ source: String, deterministic: Bool) throws -> String {
        let out = try TestSupport.runCrossrun(["--target", target, "--backend", backend] + (deterministic ? ["--deterministic"] : []) + [source],
                                              cwd: dir, environment: ["CROSSRUN_TEST_NOISE": String(arc4random())])
        XCTAssertEqual(out.status, 0, "\(target)/\(backend): \(out.stderr)")
        return out.stdout
    }

    func testRunsRepeatByteForByteOnEveryPairAndDifferWithout() throws {
        let source = dir + "/show.c"
        try FileIO.write(Array(Self.program.utf8), to: source)
        for (target, backend) in Self.pairs {
            let first = try run(target, backend, source, deterministic: true)
            let second = try run(target, backend, source, deterministic: true)
            XCTAssertEqual(first, second, "\(target)/\(backend): two deterministic runs differ")
            // The documented values (doc/CLI.md): epoch 2000-01-01, 1 ms per clock reading.
            for line in ["time 1735689600 clock 2000\n",
                         "realtime 1735689600.003000000 monotonic 0.004000000 cpu 0.005000000\n",
                         "timeofday 1735689600.006000 timespec_get 1735689600.007000000\n",
                         "pid 1000 ppid 999\n", "rand 1804289383 random 846930886\n", "argv[0] show.c\n",
                         "env HOME=/\nenv LANG=C\nenv PATH=/usr/local/bin:/usr/bin:/bin\nenv TZ=UTC\nTZ UTC\n",
                         // 2 ms + 5 ms asleep, then the reading's own 1 ms step.
                         "slept 8000000 ns\n", "kill self 0 handled 1\n"] {
                XCTAssertTrue(first.contains(line), "\(target)/\(backend): no \(line.debugDescription) in\n\(first)")
            }
            XCTAssertFalse(first.contains("CROSSRUN"), "\(target)/\(backend): the environment is not the host's\n\(first)")
            let lines = first.split(separator: "\n")
            let urandom = lines.first { $0.hasPrefix("urandom ") }?.dropFirst(8)
            XCTAssertEqual(urandom, lines.first { $0.hasPrefix("random ") }?.dropFirst(7), "both devices are the same fixed stream")
            XCTAssertNotEqual(urandom, " 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00")
            // Without the flag the same program sees the host's clock and process id.
            let plain = try run(target, backend, source, deterministic: false)
            let again = try run(target, backend, source, deterministic: false)
            XCTAssertNotEqual(plain, again, "\(target)/\(backend): undeterministic runs should differ (time, pid)")
            XCTAssertFalse(plain.contains("pid 1000 ppid 999\n"), plain)
        }
    }

    /// Addresses natively do not depend on whether the build was in the compile cache.
    func testNativeAddressesDoNotDependOnTheCompileCache() throws {
        let source = dir + "/fresh.c"
        try FileIO.write(Array((Self.program + "\n/* \(UInt64.random(in: 0...UInt64.max)) */\n").utf8), to: source)
        let miss = try run("x64", "native", source, deterministic: true)
        let hit = try run("x64", "native", source, deterministic: true)
        XCTAssertEqual(miss, hit)
    }

    /// Natively a deterministic program's malloc family has a heap of its own: blocks grow
    /// through getline and realloc, host-allocated blocks (strdup) are still reallocated and
    /// freed, and a double free still aborts — the output is the plain run's.
    func testNativeHeapServesTheWholeMallocFamily() throws {
        let source = dir + "/heap.c"
        try FileIO.write(Array("""
            #include <stdio.h>
            #include <stdlib.h>
            #include <string.h>
            #include <malloc.h>
            int main(int argc, char **argv) {
                char *line = malloc(4);
                size_t n = 4;
                ssize_t r;
                while ((r = getline(&line, &n, stdin)) >= 0) printf("%zd [%s]\\n", r, line);
                free(line);
                char *s = strdup("hello");
                s = realloc(s, 100);
                strcat(s, " world");
                puts(s);
                free(s);
                char *z = calloc(100, 10);
                z = reallocarray(z, 200, 10);
                printf("calloc %d usable %d\\n", z[999], malloc_usable_size(z) >= 2000);
                free(z);
                char *big = malloc(5 << 20);
                memset(big, 7, 5 << 20);
                big = realloc(big, 9 << 20);
                printf("big %d %d\\n", big[(5 << 20) - 1], big[0]);
                free(big);
                printf("huge %d\\n", malloc((size_t)-1 / 2) == NULL && calloc((size_t)-1 / 2, 4) == NULL);
                if (argc > 1) { char *d = malloc(8); free(d); free(d); }
                return 0;
            }
            """.utf8), to: source)
        let input = Array("a line longer than the four-byte buffer it starts in\nshort\nno newline".utf8)
        let plain = try TestSupport.runCrossrun(["--backend", "native", source], stdin: input, cwd: dir)
        XCTAssertEqual(plain.status, 0, plain.stderr)
        XCTAssertTrue(plain.stdout.hasPrefix("53 [a line longer"), plain.stdout)
        for backend in ["native", "emu"] {
            let fixed = try TestSupport.runCrossrun(["--backend", backend, "--deterministic", source], stdin: input, cwd: dir)
            XCTAssertEqual(fixed.status, 0, "\(backend): \(fixed.stderr)")
            XCTAssertEqual(fixed.stdout, plain.stdout, backend)
            let doubleFree = try TestSupport.runCrossrun(["--backend", backend, "--deterministic", source, "--", "twice"], stdin: input, cwd: dir)
            XCTAssertEqual(doubleFree.status, 134, "\(backend): \(doubleFree.stderr)")
        }
    }

    /// Random malloc/calloc/realloc/free (zero-sized blocks included) with every byte checked:
    /// the private heap gives the host heap's answers.
    func testNativeHeapSurvivesRandomAllocations() throws {
        let source = dir + "/stress.c"
        try FileIO.write(Array("""
            #include <stdio.h>
            #include <stdlib.h>
            #include <stdint.h>
            static uint64_t s = 12345;
            static uint64_t rnd(void) { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s; }
            int main(void) {
                enum { N = 64 };
                unsigned char *p[N] = {0};
                size_t len[N] = {0};
                uint64_t sum = 0;
                for (int it = 0; it < 20000; it++) {
                    int i = rnd() % N, op = rnd() % 4;
                    for (size_t k = 0; k < len[i]; k++) if (p[i][k] != (unsigned char)(i + k)) { printf("corrupt %d\\n", it); return 1; }
                    if (op == 0) { free(p[i]); p[i] = 0; len[i] = 0; continue; }
                    size_t n = rnd() % (rnd() % 8 == 0 ? 100000 : 40);
                    unsigned char *q = op == 1 ? malloc(n) : op == 2 ? calloc(1, n) : realloc(p[i], n);
                    if (!q && n) { printf("out of memory\\n"); return 1; }
                    if (op != 3) free(p[i]);
                    if (op == 2) for (size_t k = 0; k < n; k++) if (q[k]) { printf("calloc not zeroed\\n"); return 1; }
                    for (size_t k = op == 3 ? (len[i] < n ? len[i] : n) : 0; k < n; k++) q[k] = (unsigned char)(i + k);
                    p[i] = q;
                    len[i] = n;
                    sum += n;
                }
                printf("ok %llu\\n", (unsigned long long)sum);
                return 0;
            }
            """.utf8), to: source)
        let plain = try TestSupport.runCrossrun(["--backend", "native", source], cwd: dir)
        XCTAssertTrue(plain.stdout.hasPrefix("ok "), plain.stdout + plain.stderr)
        let fixed = try TestSupport.runCrossrun(["--backend", "native", "--deterministic", source], cwd: dir)
        XCTAssertEqual(fixed.status, 0, fixed.stderr)
        XCTAssertEqual(fixed.stdout, plain.stdout)
    }

    /// The emulator's raw system calls answer as its library functions do.
    func testRawSystemCallsOnEmulatedTargets() throws {
        let source = dir + "/raw.c"
        try FileIO.write(Array(("#include <stdio.h>\n" + TestSupport.rawSyscall3 + "\n" + """
            #if defined(__x86_64__)
            enum { GETPID = 39, GETTIMEOFDAY = 96, CLOCK_GETTIME = 228, GETRANDOM = 318 };
            #else
            enum { GETPID = 172, GETTIMEOFDAY = 169, CLOCK_GETTIME = 113, GETRANDOM = 278 };
            #endif
            int main(void) {
                long ts[2] = {0, 0}, tv[2] = {0, 0};
                unsigned char b[8] = {0};
                long pid = sys3(GETPID, 0, 0, 0);
                long r1 = sys3(CLOCK_GETTIME, 0, (long)ts, 0);
                long r2 = sys3(GETTIMEOFDAY, (long)tv, 0, 0);
                long n = sys3(GETRANDOM, (long)b, sizeof b, 0);
                long bad = sys3(CLOCK_GETTIME, 12345, (long)ts, 0);
                printf("pid %ld clock %ld %ld.%09ld timeofday %ld %ld.%06ld getrandom %ld bad %ld\\n", pid, r1, ts[0], ts[1], r2, tv[0], tv[1], n, bad);
                for (int i = 0; i < 8; i++) printf("%02x", b[i]);
                printf("\\n");
                return 0;
            }
            """).utf8), to: source)
        var outputs: [String] = []
        for (target, backend) in Self.pairs where backend == "emu" {
            let out = try run(target, backend, source, deterministic: true)
            XCTAssertTrue(out.hasPrefix("pid 1000 clock 0 1735689600.001000000 timeofday 0 1735689600.002000 getrandom 8 bad -22\n"), "\(target): \(out)")
            XCTAssertEqual(out, try run(target, backend, source, deterministic: true), target)
            outputs.append(out)
        }
        XCTAssertEqual(Set(outputs).count, 1, "every emulated target draws the same bytes: \(outputs)")
    }

    /// `crossrun matrix --deterministic` and `crossrun test --deterministic` pass the flag to
    /// every run: clocks, ids and random sources agree across all four pairs, and a test whose
    /// expected output holds the documented values passes everywhere.
    func testMatrixAndTestCommandsPassTheFlagOn() throws {
        let source = """
            #include <stdio.h>
            #include <stdlib.h>
            #include <time.h>
            #include <unistd.h>
            int main(int argc, char **argv) {
                unsigned char b[4];
                FILE *f = fopen("/dev/urandom", "rb");
                if (!f || fread(b, 1, 4, f) != 4) return 2;
                printf("%lld %d %d %s %s %u\\n", (long long)time(NULL), (int)getpid(), (int)getppid(), argv[0],
                       getenv("TZ"), arc4random_uniform(1u << 31));
                printf("%02x%02x%02x%02x\\n", b[0], b[1], b[2], b[3]);
                return 0;
            }
            """
        try FileIO.write(Array(source.utf8), to: dir + "/ids.c")
        let matrix = try TestSupport.runCrossrun(["matrix", "--deterministic", "ids.c"], cwd: dir)
        XCTAssertEqual(matrix.status, 0, matrix.stdout + matrix.stderr)
        XCTAssertTrue(matrix.stdout.contains("all 4 runs agree"), matrix.stdout)
        let plain = try TestSupport.runCrossrun(["matrix", "ids.c"], cwd: dir)
        XCTAssertEqual(plain.status, 1, "pids differ between runs without the flag: " + plain.stdout)

        let suite = dir + "/suite"
        XCTAssertEqual(mkdir(suite, 0o755), 0)
        try FileIO.write(Array("#include <stdio.h>\n#include <time.h>\n#include <unistd.h>\nint main(int argc, char **argv) { printf(\"%lld %d %s\\n\", (long long)time(NULL), (int)getpid(), argv[0]); return 0; }\n".utf8),
                         to: suite + "/when.c")
        try FileIO.write(Array("1735689600 1000 when.c\n".utf8), to: suite + "/when.expected")
        let test = try TestSupport.runCrossrun(["test", "--deterministic", "suite"], cwd: dir)
        XCTAssertEqual(test.status, 0, test.stdout + test.stderr)
        let failing = try TestSupport.runCrossrun(["test", "suite"], cwd: dir)
        XCTAssertEqual(failing.status, 1, "without the flag the time differs: " + failing.stdout)
    }
}
