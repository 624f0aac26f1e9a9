import CrossRunDriver
import CrossRunSupport
import XCTest

/// Issue 15's user-level criteria through the pthread library (not the primitives): an ABBA
/// deadlock on two mutexes is reported, not hung; the same seed gives the same interleaving of
/// mutex-protected output twice while other seeds give others; and a thread preempted by the
/// time slice in the middle of plain and atomic read-modify-writes never runs an instruction
/// twice (Unicorn's cross-thread `uc_emu_stop` did: see doc/ARCHITECTURE.md, *Threads*).
/// Every program runs on x64/emu, aarch64/emu and rv64/emu.
final class ThreadScheduleTests: XCTestCase {
    static let targets = ["x64", "aarch64", "rv64"]

    func run(_ source: String, target: String, _ arguments: [String] = []) throws -> TestSupport.Outcome {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        let path = dir + "/prog.c"
        try FileIO.write(Array(source.utf8), to: path)
        return try TestSupport.runCrossrun(["--target", target, "--backend", "emu", "--timeout", "60"] + arguments + [path], cwd: dir)
    }

    func testAnABBADeadlockOnTwoMutexesIsReportedWithBothThreadsAndStatus125() throws {
        let source = """
            #include <pthread.h>
            #include <stdio.h>
            static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;
            static pthread_barrier_t both;
            static void *take_ab(void *x) { pthread_mutex_lock(&a); pthread_barrier_wait(&both); pthread_mutex_lock(&b); return x; }
            static void *take_ba(void *x) { pthread_mutex_lock(&b); pthread_barrier_wait(&both); pthread_mutex_lock(&a); return x; }
            int main(void) {
                pthread_barrier_init(&both, NULL, 2);
                pthread_t x, y;
                pthread_create(&x, NULL, take_ab, NULL);
                pthread_create(&y, NULL, take_ba, NULL);
                puts("started");
                fflush(stdout);
                pthread_join(x, NULL);
                pthread_join(y, NULL);
                puts("unreachable");
                return 0;
            }
            """
        for target in Self.targets {
            let out = try run(source, target: target)
            XCTAssertEqual(out.status, 125, "\(target): \(out.stderr)")
            XCTAssertEqual(out.stdout, "started\n", target)
            XCTAssertTrue(out.stderr.contains("deadlock: all 3 threads are blocked"), "\(target): \(out.stderr)")
            for frame in ["take_ab+", "take_ba+", "main+"] {
                XCTAssertTrue(out.stderr.contains(frame), "\(target): \(frame) in \(out.stderr)")
            }
        }
    }

    /// Four threads append their letter under a mutex, yielding between rounds: the order is
    /// the schedule's.
    static let interleaving = """
        #include <pthread.h>
        #include <sched.h>
        #include <stdio.h>
        static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
        static char trace[4 * 30 + 1];
        static int used;
        static void *worker(void *arg) {
            for (int i = 0; i < 30; i++) {
                pthread_mutex_lock(&lock);
                trace[used++] = *(const char *)arg;
                pthread_mutex_unlock(&lock);
                if (i % 3 == 0) sched_yield();
            }
            return NULL;
        }
        int main(void) {
            static const char names[] = "abcd";
            pthread_t t[4];
            for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, worker, (void *)&names[i]);
            for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
            printf("%s\\n", trace);
            return 0;
        }
        """

    func testTheSameSeedReplaysAnInterleavingOfPthreadProgramsAndOtherSeedsDiffer() throws {
        for target in Self.targets {
            var traces = Set<String>()
            for seed in [3, 11, 42] {
                let first = try run(Self.interleaving, target: target, ["--schedule-seed", "\(seed)"])
                let again = try run(Self.interleaving, target: target, ["--schedule-seed", "\(seed)"])
                XCTAssertEqual(first.status, 0, "\(target): \(first.stderr)")
                XCTAssertEqual(first.stdout.count, 121, "\(target): every append recorded")
                XCTAssertEqual(first.stdout, again.stdout, "\(target): seed \(seed) replays")
                traces.insert(first.stdout)
            }
            XCTAssertGreaterThanOrEqual(traces.count, 2, "\(target): seeds choose interleavings: \(traces)")
        }
    }

    func testTimeSlicePreemptionNeverRunsAnInstructionTwice() throws {
        // The main thread spins through read-modify-writes without a library call while a
        // second thread sleeps in a mutex: every 10 ms slice stops the engine, so a resume at a
        // stale PC would add increments.
        let source = """
            #include <pthread.h>
            #include <stdatomic.h>
            #include <stdio.h>
            static _Atomic unsigned char c8;
            static _Atomic unsigned short c16;
            static _Atomic unsigned c32;
            static volatile unsigned plain;
            static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
            static void *blocked(void *arg) { pthread_mutex_lock(&m); pthread_mutex_unlock(&m); return arg; }
            int main(void) {
                pthread_mutex_lock(&m);
                pthread_t t;
                pthread_create(&t, NULL, blocked, NULL);
                for (int i = 0; i < 6000000; i++) {
                    atomic_fetch_add_explicit(&c8, 1, memory_order_relaxed);
                    atomic_fetch_add(&c16, 1);
                    atomic_fetch_add(&c32, 1);
                    plain++;
                }
                pthread_mutex_unlock(&m);
                pthread_join(t, NULL);
                printf("%u %u %u %u\\n", (unsigned)c8, (unsigned)c16, (unsigned)c32, plain);
                return 0;
            }
            """
        for target in Self.targets {
            let out = try run(source, target: target, ["-O1"])
            XCTAssertEqual(out.status, 0, "\(target): \(out.stderr)")
            XCTAssertEqual(out.stdout, "128 36224 6000000 6000000\n", target)
        }
    }
}
