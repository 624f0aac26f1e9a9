import CrossRunDriver
import CrossRunSupport
import XCTest

/// The emulated scheduler (issue 15): guest threads multiplexed on one engine, driven through
/// the thread primitives directly (the pthread library is guest C written on top of them).
/// Every program runs on x64/emu, aarch64/emu and rv64/emu and its output is compared byte
/// for byte.
///
/// The emulated scheduler through the thread primitives (declared by the test programs), on
/// x64/aarch64/rv64 emu, outputs byte for byte: a token passed back and forth through futexes; the
/// same seed (option or `CROSSRUN_SCHEDULE_SEED`) gives the same interleaving trace and six seeds
/// at least three; a spin loop without library calls finishes (time slice); a timed futex wait
/// times out (and EAGAIN/EINVAL/EFAULT answers) and `main` returning ends a blocked thread; an ABBA
/// deadlock, a lone endless wait and an endless wait inside a signal handler (a nested call) end
/// with status 125, each thread's wait and symbolized backtrace, outcome `deadlock`, while a timed
/// wait there just sleeps; per-thread `errno`; `__crossrun_thread_exit` in main and `exit` in a
/// worker (atexit handlers); sleeps block only the caller; `fork` keeps only the caller; a raised
/// signal is handled on the raising thread; each new thread's control block per the TLS contract
/// (self pointer, its own copy of the TLS template at `tp+8`, the canary at `tp+0x28`), read
/// through the thread pointer; 40 threads with 64 KiB and default stacks, bad spawn arguments;
/// 1,000 live threads each run exactly once (a resumed thread at a stale PC would run twice); `test
/// --schedules 4` marks a racy counter *schedule-dependent* with the seed, a steady program passes,
/// a deadlock gets its verdict, and `matrix --schedules` exits 1.
final class EmulatorThreadTests: XCTestCase {
    static let targets = ["x64", "aarch64", "rv64"]

    /// The primitives' declarations (`runtime/crossrun_thread.h`'s contract).
    /// Two threads incrementing a shared counter without a lock: the total depends on the
    /// interleaving (a library call between the read and the write invites a switch).
    static let racyCounter = primitives + """
            #include <stdio.h>
            #include <unistd.h>
            static int tids[2];
            static volatile int counter;
            static void worker(void *arg) { for (int i = 0; i < 100; i++) { int v = counter; getppid(); counter = v + 1; } }
            int main(void) {
                for (int n = 0; n < 2; n++) __crossrun_thread_spawn(worker, 0, 0, &tids[n]);
                for (int n = 0; n < 2; n++) join(&tids[n]);
                printf("counter %d\\n", counter);
                return 0;
            }
            """

    static let primitives = """
        #include <time.h>
        long __crossrun_thread_spawn(void (*entry)(void *), void *arg, unsigned long stack_size, int *tid_word);
        _Noreturn void __crossrun_thread_exit(void);
        int __crossrun_futex_wait(volatile int *addr, int expected, const struct timespec *abstime, int clockid);
        int __crossrun_futex_wake(volatile int *addr, int count);
        int __crossrun_gettid(void);
        int sched_yield(void);
        /* Waits until the thread whose id word is *tid has ended (the host clears the word). */
        static void join(int *tid) { for (int t; (t = __atomic_load_n(tid, __ATOMIC_SEQ_CST)) != 0; ) __crossrun_futex_wait(tid, t, 0, 0); }

        """

    /// Runs `source` (after the primitives) on each emulated target with `arguments` before it.
    func run(_ source: String, _ arguments: [String] = [], targets: [String] = targets,
             environment: [String: String] = [:]) throws -> [(target: String, out: TestSupport.Outcome)] {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        let path = dir + "/threads.c"
        try FileIO.write(Array((Self.primitives + source).utf8), to: path)
        return try targets.map { target in
            (target, try TestSupport.runCrossrun(["--target", target, "--backend", "emu", "--timeout", "30"] + arguments + [path],
                                                 cwd: dir, environment: environment))
        }
    }

    func testTwoThreadsHandATokenBackAndForthThroughFutexes() throws {
        let source = """
            #include <stdio.h>
            static volatile int turn;   /* 0: main's turn, 1: the worker's */
            static int tid;
            static void worker(void *arg) {
                for (int i = 0; i < 5; i++) {
                    while (turn != 1) __crossrun_futex_wait(&turn, 0, 0, 0);
                    printf("worker %d %s\\n", i, (char *)arg);
                    turn = 0;
                    __crossrun_futex_wake(&turn, 1);
                }
                __crossrun_thread_exit();
            }
            int main(void) {
                long id = __crossrun_thread_spawn(worker, "pong", 0, &tid);
                printf("spawned: id>0 %d, tid word %d, other than main %d\\n", id > 0, id == tid, id != __crossrun_gettid());
                for (int i = 0; i < 5; i++) {
                    printf("main %d ping\\n", i);
                    turn = 1;
                    __crossrun_futex_wake(&turn, 1);
                    while (turn != 0) __crossrun_futex_wait(&turn, 1, 0, 0);
                }
                join(&tid);
                printf("joined, tid word %d\\n", tid);
                return 0;
            }
            """
        var expected = "spawned: id>0 1, tid word 1, other than main 1\n"
        for i in 0..<5 { expected += "main \(i) ping\nworker \(i) pong\n" }
        expected += "joined, tid word 0\n"
        for (target, out) in try run(source) {
            XCTAssertEqual(out.status, 0, "\(target): \(out.stderr)")
            XCTAssertEqual(out.stdout, expected, target)
        }
    }

    /// Three threads append to one trace between library calls; preemption comes after a
    /// seeded number of calls, so the trace is a function of the seed.
    static let traceProgram = """
        #include <stdio.h>
        #include <unistd.h>
        static int tids[3];
        static char trace[512];
        static volatile int pos;
        static void worker(void *arg) {
            for (int i = 0; i < 60; i++) { trace[pos++] = (char)('a' + (long)arg); getppid(); }
        }
        int main(void) {
            for (long n = 0; n < 3; n++) __crossrun_thread_spawn(worker, (void *)n, 0, &tids[n]);
            for (int n = 0; n < 3; n++) join(&tids[n]);
            puts(trace);
            return 0;
        }
        """

    func testTheSameSeedGivesTheSameInterleavingAndOtherSeedsOthers() throws {
        for target in Self.targets {
            var traces: [String: String] = [:]
            for seed in 1...6 {
                let first = try run(Self.traceProgram, ["--schedule-seed", "\(seed)"], targets: [target])[0].out
                let again = try run(Self.traceProgram, [], targets: [target], environment: ["CROSSRUN_SCHEDULE_SEED": "\(seed)"])[0].out
                XCTAssertEqual(first.status, 0, "\(target) seed \(seed): \(first.stderr)")
                XCTAssertEqual(first.stdout.count, 181, "\(target) seed \(seed): every step recorded")
                XCTAssertEqual(first.stdout, again.stdout, "\(target): seed \(seed) (option, then environment) replays")
                traces["\(seed)"] = first.stdout
            }
            XCTAssertGreaterThanOrEqual(Set(traces.values).count, 3, "\(target): seeds choose interleavings: \(traces)")
            XCTAssertTrue(traces.values.contains { !$0.hasPrefix(String(repeating: "a", count: 60)) }, "\(target): threads interleave")
            let unseeded = try run(Self.traceProgram, [], targets: [target])[0].out
            XCTAssertEqual(unseeded.stdout, traces["1"], "\(target): the default seed is 1")
        }
    }

    func testASpinLoopOnAFlagSetByAnotherThreadFinishes() throws {
        let source = """
            #include <stdio.h>
            static volatile int flag;
            static int tid;
            static void worker(void *arg) { (void)arg; sched_yield(); flag = 1; }   /* main runs (and spins) first */
            int main(void) {
                __crossrun_thread_spawn(worker, 0, 0, &tid);
                while (!flag) {}   /* no library call: only the time slice lets the worker run */
                join(&tid);
                printf("flag seen\\n");
                return 0;
            }
            """
        for (target, out) in try run(source) {
            XCTAssertEqual(out.status, 0, "\(target): \(out.stderr)")
            XCTAssertEqual(out.stdout, "flag seen\n", target)
        }
    }

    /// Also: `main` returning ends the process while another thread is still blocked.
    func testATimedFutexWaitTimesOutAndMainReturningEndsBlockedThreads() throws {
        let source = """
            #include <errno.h>
            #include <stdio.h>
            static volatile int word;
            static int tid;
            static void worker(void *arg) { (void)arg; __crossrun_futex_wait(&word, 0, 0, 0); printf("never woken\\n"); }
            int main(void) {
                __crossrun_thread_spawn(worker, 0, 0, &tid);
                struct timespec start, at, end;
                clock_gettime(CLOCK_MONOTONIC, &start);
                at = start;
                at.tv_nsec += 30000000;
                if (at.tv_nsec >= 1000000000) { at.tv_sec++; at.tv_nsec -= 1000000000; }
                int r = __crossrun_futex_wait(&word, 0, &at, CLOCK_MONOTONIC);
                clock_gettime(CLOCK_MONOTONIC, &end);
                int late = end.tv_sec > at.tv_sec || (end.tv_sec == at.tv_sec && end.tv_nsec >= at.tv_nsec);
                printf("timed wait: %s, not early: %d\\n", r == ETIMEDOUT ? "ETIMEDOUT" : "?", late);
                struct timespec bad = { 0, 1000000000 };
                printf("mismatch: %s\\n", __crossrun_futex_wait(&word, 7, 0, 0) == EAGAIN ? "EAGAIN" : "?");
                printf("bad timespec: %s\\n", __crossrun_futex_wait(&word, 0, &bad, CLOCK_MONOTONIC) == EINVAL ? "EINVAL" : "?");
                printf("bad clock: %s\\n", __crossrun_futex_wait(&word, 0, &at, 12345) == EINVAL ? "EINVAL" : "?");
                printf("bad address: %s\\n", __crossrun_futex_wait((int *)16, 0, 0, 0) == EFAULT ? "EFAULT" : "?");
                printf("woken: %d\\n", __crossrun_futex_wake(&word, 0));
                return 4;   /* the worker still waits */
            }
            """
        for (target, out) in try run(source) {
            XCTAssertEqual(out.status, 4, "\(target): \(out.stderr)")
            XCTAssertEqual(out.stdout, "timed wait: ETIMEDOUT, not early: 1\nmismatch: EAGAIN\nbad timespec: EINVAL\nbad clock: EINVAL\nbad address: EFAULT\nwoken: 0\n", target)
        }
    }

    func testAnABBADeadlockIsReportedWithEachThreadsWaitAndStatus125() throws {
        let source = """
            #include <stdio.h>
            static volatile int a, b;   /* "locks": 1 = held */
            static int tid;
            static void take(volatile int *lock) { while (*lock) __crossrun_futex_wait(lock, 1, 0, 0); *lock = 1; }
            static void worker(void *arg) {
                (void)arg;
                take(&b);
                sched_yield();
                take(&a);
                printf("worker got both\\n");
            }
            int main(void) {
                take(&a);
                __crossrun_thread_spawn(worker, 0, 0, &tid);
                while (!b) sched_yield();
                printf("main holds a, worker holds b\\n");
                take(&b);
                printf("main got both\\n");
                return 0;
            }
            """
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        for (target, out) in try run(source, ["--outcome-file", dir + "/record"]) {
            XCTAssertEqual(out.status, 125, "\(target): \(out.stderr)")
            XCTAssertEqual(out.stdout, "main holds a, worker holds b\n", "\(target): output before the deadlock is flushed")
            let lines = out.stderr.split(separator: "\n").map(String.init)
            XCTAssertTrue(lines.first?.hasSuffix("deadlock: all 2 threads are blocked and none can be woken") ?? false, "\(target): \(out.stderr)")
            let main = lines.first { $0.contains("(main): __crossrun_futex_wait on 0x") }
            let worker = lines.first { !$0.contains("(main)") && $0.contains("thread ") && $0.contains("__crossrun_futex_wait on 0x") }
            // Symbolized backtraces: the wait in take(), called from main() and from worker().
            XCTAssertTrue(main?.contains("(take+") == true && main?.contains("(main+") == true, "\(target): \(out.stderr)")
            XCTAssertTrue(worker?.contains("(take+") == true && worker?.contains("(worker+") == true, "\(target): \(out.stderr)")
            let record = try XCTUnwrap(OutcomeRecord(json: String(decoding: try FileIO.read(dir + "/record"), as: UTF8.self)))
            XCTAssertEqual(record.ending, .deadlock, target)
            XCTAssertEqual(record.status, 125, target)
        }
    }

    func testAThreadAloneWaitingForeverIsADeadlockToo() throws {
        let source = """
            #include <stdio.h>
            static volatile int never;
            int main(void) { printf("waiting\\n"); __crossrun_futex_wait(&never, 0, 0, 0); return 0; }
            """
        for (target, out) in try run(source) {
            XCTAssertEqual(out.status, 125, "\(target): \(out.stderr)")
            XCTAssertEqual(out.stdout, "waiting\n", target)
            XCTAssertTrue(out.stderr.contains("deadlock: the only thread waits with no time limit"), "\(target): \(out.stderr)")
            XCTAssertTrue(out.stderr.contains("(main): __crossrun_futex_wait on 0x"), "\(target): \(out.stderr)")
        }
    }

    func testErrnoIsPerThread() throws {
        let source = """
            #include <errno.h>
            #include <stdio.h>
            #include <stdlib.h>
            #include <unistd.h>
            static volatile int step;
            static int tid;
            static void worker(void *arg) {
                (void)arg;
                errno = 0;
                while (step != 1) __crossrun_futex_wait(&step, 0, 0, 0);
                printf("worker errno after main's ERANGE: %d\\n", errno);
                close(-1);
                int mine = errno;
                step = 2;
                __crossrun_futex_wake(&step, 1);
                printf("worker errno: %s\\n", mine == EBADF ? "EBADF" : "?");
            }
            int main(void) {
                __crossrun_thread_spawn(worker, 0, 0, &tid);
                errno = 0;
                strtol("99999999999999999999999", 0, 10);
                step = 1;
                __crossrun_futex_wake(&step, 1);
                while (step != 2) __crossrun_futex_wait(&step, 1, 0, 0);
                printf("main errno after the worker's EBADF: %s\\n", errno == ERANGE ? "ERANGE" : "?");
                join(&tid);
                return 0;
            }
            """
        for (target, out) in try run(source) {
            XCTAssertEqual(out.status, 0, "\(target): \(out.stderr)")
            XCTAssertEqual(out.stdout, "worker errno after main's ERANGE: 0\nworker errno: EBADF\nmain errno after the worker's EBADF: ERANGE\n", target)
        }
    }

    /// `__crossrun_thread_exit` in main lets the others finish (then exit(0) with atexit
    /// handlers); `exit` from another thread ends the whole process.
    func testMainThreadExitAndExitFromAnotherThread() throws {
        let source = """
            #include <stdio.h>
            #include <stdlib.h>
            #include <string.h>
            static int tid;
            static void bye(void) { printf("atexit handler\\n"); }
            static void finisher(void *arg) { sched_yield(); printf("worker finishes\\n"); }
            static void exiter(void *arg) { printf("worker calls exit\\n"); exit(3); }
            int main(int argc, char **argv) {
                atexit(bye);
                int exiting = argc > 1 && strcmp(argv[1], "exit") == 0;
                __crossrun_thread_spawn(exiting ? exiter : finisher, 0, 0, &tid);
                if (exiting) { static volatile int never; __crossrun_futex_wait(&never, 0, 0, 0); }
                printf("main ends its thread\\n");
                __crossrun_thread_exit();
            }
            """
        for (target, out) in try run(source) {
            XCTAssertEqual(out.status, 0, "\(target): \(out.stderr)")
            XCTAssertEqual(out.stdout, "main ends its thread\nworker finishes\natexit handler\n", target)
        }
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        try FileIO.write(Array((Self.primitives + source).utf8), to: dir + "/t.c")
        for target in Self.targets {
            let out = try TestSupport.runCrossrun(["--target", target, "--backend", "emu", "--timeout", "30", dir + "/t.c", "--", "exit"], cwd: dir)
            XCTAssertEqual(out.status, 3, "\(target): \(out.stderr)")
            XCTAssertEqual(out.stdout, "worker calls exit\natexit handler\n", target)
        }
    }

    /// Sleeping calls block only the caller: the other thread runs meanwhile.
    func testSleepingBlocksOnlyTheCaller() throws {
        let source = """
            #include <stdio.h>
            #include <unistd.h>
            static volatile int done;
            static int tid;
            static void sleeper(void *arg) { usleep(20000); struct timespec t = { 0, 10000000 }; nanosleep(&t, 0); done = 1; }
            int main(void) {
                __crossrun_thread_spawn(sleeper, 0, 0, &tid);
                long spins = 0;
                while (!done) { sched_yield(); spins++; }
                join(&tid);
                printf("the sleeper woke; main ran meanwhile: %d\\n", spins > 1);
                return 0;
            }
            """
        for (target, out) in try run(source) {
            XCTAssertEqual(out.status, 0, "\(target): \(out.stderr)")
            XCTAssertEqual(out.stdout, "the sleeper woke; main ran meanwhile: 1\n", target)
        }
    }

    /// `fork` keeps only the calling thread in the child: nobody is left there to wake.
    func testForkKeepsOnlyTheCallingThread() throws {
        let source = """
            #include <stdio.h>
            #include <sys/wait.h>
            #include <unistd.h>
            static volatile int go;
            static int tid;
            static void waiter(void *arg) { while (!go) __crossrun_futex_wait(&go, 0, 0, 0); }
            int main(void) {
                __crossrun_thread_spawn(waiter, 0, 0, &tid);
                sched_yield();
                fflush(stdout);
                pid_t pid = fork();
                go = 1;
                int woken = __crossrun_futex_wake(&go, 1);
                if (pid == 0) { printf("child woke %d\\n", woken); return 0; }
                int status;
                waitpid(pid, &status, 0);
                join(&tid);
                printf("parent woke %d, child status %d\\n", woken, WEXITSTATUS(status));
                return 0;
            }
            """
        for (target, out) in try run(source) {
            XCTAssertEqual(out.status, 0, "\(target): \(out.stderr)")
            XCTAssertEqual(out.stdout, "child woke 0\nparent woke 1, child status 0\n", target)
        }
    }

    /// A signal a thread raises runs its handler on that thread.
    func testASignalRaisedByAThreadIsHandledOnThatThread() throws {
        let source = """
            #include <signal.h>
            #include <stdio.h>
            static int tid;
            static volatile int handledOn, raisedBy;
            static void handler(int sig) { handledOn = __crossrun_gettid(); }
            static void worker(void *arg) { raisedBy = __crossrun_gettid(); raise(SIGUSR1); }
            int main(void) {
                signal(SIGUSR1, handler);
                __crossrun_thread_spawn(worker, 0, 0, &tid);
                join(&tid);
                printf("handled on the raising thread: %d, not main: %d\\n", handledOn == raisedBy, handledOn != __crossrun_gettid());
                return 0;
            }
            """
        for (target, out) in try run(source) {
            XCTAssertEqual(out.status, 0, "\(target): \(out.stderr)")
            XCTAssertEqual(out.stdout, "handled on the raising thread: 1, not main: 1\n", target)
        }
    }

    /// Many threads with small and default stacks, each one's stack usable to its size, and
    /// bad spawn arguments refused.
    func testStacksAndSpawnArguments() throws {
        let source = """
            #include <errno.h>
            #include <stdio.h>
            #include <string.h>
            static int tids[40];
            static volatile long sum;
            static void worker(void *arg) {
                char big[48 * 1024];   /* within the 64 KiB minimum */
                memset(big, (int)(long)arg, sizeof big);
                sum += big[sizeof big - 1];
            }
            int main(void) {
                for (long i = 0; i < 40; i++)
                    if (__crossrun_thread_spawn(worker, (void *)i, i % 2 ? 1 : 0, &tids[i]) <= 0) printf("spawn %ld failed\\n", i);
                for (int i = 0; i < 40; i++) join(&tids[i]);
                printf("sum %ld\\n", sum);
                int t;
                printf("no entry: %d\\n", __crossrun_thread_spawn(0, 0, 0, &t) == -EINVAL);
                printf("huge stack: %d\\n", __crossrun_thread_spawn(worker, 0, 1UL << 62, &t) == -EINVAL);
                printf("bad tid word: %d\\n", __crossrun_thread_spawn(worker, 0, 0, (int *)16) == -EFAULT);
                return 0;
            }
            """
        for (target, out) in try run(source) {
            XCTAssertEqual(out.status, 0, "\(target): \(out.stderr)")
            XCTAssertEqual(out.stdout, "sum 780\nno entry: 1\nhuge stack: 1\nbad tid word: 1\n", target)
        }
    }

    /// A wait with no time limit inside a signal handler (a nested guest call, where no switch
    /// is possible) is reported instead of hanging; a timed one there just sleeps.
    func testAnEndlessWaitInsideASignalHandlerIsReported() throws {
        let source = """
            #include <errno.h>
            #include <signal.h>
            #include <stdio.h>
            static int tid;
            static volatile int never;
            static void handler(int sig) {
                struct timespec at;
                clock_gettime(CLOCK_MONOTONIC, &at);
                at.tv_nsec += 1000000;
                if (at.tv_nsec >= 1000000000) { at.tv_sec++; at.tv_nsec -= 1000000000; }
                printf("timed wait in the handler: %s\\n", __crossrun_futex_wait(&never, 0, &at, CLOCK_MONOTONIC) == ETIMEDOUT ? "ETIMEDOUT" : "?");
                fflush(stdout);
                __crossrun_futex_wait(&never, 0, 0, 0);
            }
            static void worker(void *arg) { __crossrun_futex_wait(&never, 0, 0, 0); }
            int main(void) {
                printf("yield alone: %d\\n", sched_yield());
                __crossrun_thread_spawn(worker, 0, 0, &tid);
                signal(SIGUSR1, handler);
                raise(SIGUSR1);
                return 0;
            }
            """
        for (target, out) in try run(source) {
            XCTAssertEqual(out.status, 125, "\(target): \(out.stderr)")
            XCTAssertEqual(out.stdout, "yield alone: 0\ntimed wait in the handler: ETIMEDOUT\n", target)
            XCTAssertTrue(out.stderr.contains("deadlock: a thread waits inside a call from the C library into guest code"), "\(target): \(out.stderr)")
            XCTAssertTrue(out.stderr.contains("(main): __crossrun_futex_wait on 0x") && out.stderr.contains("(handler+"), "\(target): \(out.stderr)")
        }
    }

    /// Each new thread's control block follows the TLS contract: the thread pointer points at
    /// itself (`tp+0`), `tp+8` holds the thread's own TLS block, a fresh copy of the image's
    /// template (checked through the pointer: `_Thread_local` accesses themselves use the
    /// per-thread resolver that helper-tnative's loader change brings), `tp+0x28` the canary.
    func testNewThreadsGetAControlBlockAndTLSCopyPerTheContract() throws {
        let source = """
            #include <stdio.h>
            static _Thread_local long marker = 0x1234567;
            static void *thread_pointer(void) {
                void *tp;
            #if defined(__x86_64__)
                __asm__("mov %%fs:0, %0" : "=r"(tp));
            #elif defined(__aarch64__)
                __asm__("mrs %0, tpidr_el0" : "=r"(tp));
            #else
                __asm__("mv %0, tp" : "=r"(tp));
            #endif
                return tp;
            }
            static int tids[2];
            static void *tps[2];
            static void worker(void *arg) {
                long n = (long)arg;
                char *tp = thread_pointer();
                tps[n] = tp;
                long *block = *(long **)(tp + 8);
                printf("thread %ld: self %d, template copy %d, canary %d\\n", n, *(void **)tp == tp, block && *block == 0x1234567,
                       *(unsigned long *)(tp + 0x28) == *(unsigned long *)((char *)thread_pointer() + 0x28));
                *block = n;   /* its own copy: the other thread still sees the template */
                sched_yield();
            }
            int main(void) {
                (void)marker;
                for (long n = 0; n < 2; n++) __crossrun_thread_spawn(worker, (void *)n, 0, &tids[n]);
                for (int n = 0; n < 2; n++) join(&tids[n]);
                char *main_tp = thread_pointer();
                printf("distinct: %d, main's canary: %d\\n", tps[0] != tps[1] && tps[0] != main_tp,
                       *(unsigned long *)(main_tp + 0x28) == *(unsigned long *)((char *)tps[1] + 0x28));
                return 0;
            }
            """
        for (target, out) in try run(source) {
            XCTAssertEqual(out.status, 0, "\(target): \(out.stderr)")
            XCTAssertEqual(out.stdout, "thread 0: self 1, template copy 1, canary 1\nthread 1: self 1, template copy 1, canary 1\ndistinct: 1, main's canary: 1\n", target)
        }
    }

    /// A thousand threads with default (8 MiB) stacks, all alive at once: each adds its number
    /// once, so a thread that resumed at a stale PC (and ran code twice) changes the sum.
    func testAThousandLiveThreadsEachRunOnce() throws {
        let source = """
            #include <stdio.h>
            static int tids[1000];
            static volatile long sum;
            static void worker(void *arg) { __atomic_fetch_add(&sum, (long)arg, __ATOMIC_SEQ_CST); }
            int main(void) {
                for (long i = 0; i < 1000; i++)
                    if (__crossrun_thread_spawn(worker, (void *)i, 0, &tids[i]) <= 0) { printf("spawn %ld failed\\n", i); return 1; }
                for (int i = 0; i < 1000; i++) join(&tids[i]);
                printf("sum %ld\\n", sum);
                return 0;
            }
            """
        for (target, out) in try run(source) {
            XCTAssertEqual(out.status, 0, "\(target): \(out.stderr)")
            XCTAssertEqual(out.stdout, "sum 499500\n", target)
        }
    }

    /// `crossrun test --schedules K` reruns each emulated test under seeds 1…K: a racy counter
    /// is *schedule-dependent* (naming the seed), a deadlock is its own verdict, a program whose
    /// result does not depend on the interleaving passes; `matrix --schedules` exits 1 on it.
    func testSchedulesFlagAndDeadlockVerdicts() throws {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        let race = Self.racyCounter
        let steady = Self.primitives + """
            #include <stdio.h>
            static int tids[4];
            static volatile int counter;
            static void worker(void *arg) { for (int i = 0; i < 100; i++) { __atomic_fetch_add(&counter, 1, __ATOMIC_SEQ_CST); sched_yield(); } }
            int main(void) {
                for (int n = 0; n < 4; n++) __crossrun_thread_spawn(worker, 0, 0, &tids[n]);
                for (int n = 0; n < 4; n++) join(&tids[n]);
                printf("counter %d\\n", counter);
                return 0;
            }
            """
        let stuck = Self.primitives + """
            static volatile int never;
            int main(void) { return __crossrun_futex_wait(&never, 0, 0, 0); }
            """
        try FileIO.write(Array(race.utf8), to: dir + "/race.c")
        try FileIO.write(Array(steady.utf8), to: dir + "/steady.c")
        try FileIO.write(Array("counter 400\n".utf8), to: dir + "/steady.expected")
        try FileIO.write(Array(stuck.utf8), to: dir + "/stuck.c")
        let out = try TestSupport.runCrossrun(["test", "--backends", "emu", "--schedules", "4", "--json", dir + "/report.json", "."], cwd: dir)
        XCTAssertEqual(out.status, 1, out.stdout + out.stderr)
        let json = String(decoding: try FileIO.read(dir + "/report.json"), as: UTF8.self)
        for target in Self.targets {
            for (name, verdict) in [("race", "schedule-dependent"), ("steady", "pass"), ("stuck", "deadlock")] {
                XCTAssertTrue(json.contains("\"name\": \"\(name)\", \"target\": \"\(target)\", \"backend\": \"emu\", \"verdict\": \"\(verdict)\""),
                              "\(name) on \(target) should be \(verdict): \(json)")
            }
        }
        XCTAssertTrue(out.stdout.contains("FAIL race [x64/emu]: schedule-dependent"), out.stdout)
        XCTAssertTrue(out.stdout.contains("differs from seed 1 (replay: crossrun run --schedule-seed "), out.stdout)
        let once = try TestSupport.runCrossrun(["test", "--backends", "emu", "--filter", "race", "."], cwd: dir)
        XCTAssertEqual(once.status, 0, "one seed: the race goes unseen: " + once.stdout)
        let matrix = try TestSupport.runCrossrun(["matrix", "--backends", "emu", "--targets", "rv64", "--schedules", "3", "race.c"], cwd: dir)
        XCTAssertEqual(matrix.status, 1, matrix.stdout)
        XCTAssertTrue(matrix.stdout.contains("rv64/emu: schedule seed "), matrix.stdout)
        let steadyMatrix = try TestSupport.runCrossrun(["matrix", "--backends", "emu", "--schedules", "3", "steady.c"], cwd: dir)
        XCTAssertEqual(steadyMatrix.status, 0, steadyMatrix.stdout)
    }
}
