import CrossRunDriver
@testable import CrossRunEmulator
import CrossRunLibc
import CrossRunSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// "No guest program can crash CrossRun", for what ``HostLibcRobustnessTests`` cannot reach:
/// the process-level functions (`setjmp`/`longjmp`, `qsort`, `bsearch`, `<fenv.h>`), which
/// need the CPU and call back into guest code, and the system-call shims. Hostile arguments
/// must end in a result, an errno or a guest fault — never a trap of the process running
/// this test. Each arch's engine is a real one, with a small program loaded.
final class ProcessFunctionRobustnessTests: XCTestCase {
    static let program = """
        #include <stdlib.h>
        int less(const void *a, const void *b) { return -1; }
        int more(const void *a, const void *b) { return 1; }
        int by_value(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }
        int values[8] = {5, 3, 8, 1, 9, 2, 7, 4};
        int main(void) { return 0; }
        """

    func process(_ target: Target) throws -> GuestProcess {
        let image = try TestSupport.link([TestSupport.compile(Self.program, target: target)])
        let guest = try GuestProcess(image: image, options: .init(arguments: ["t"], environment: [:], programName: "t"))
        try stackAsInATrap(guest)
        return guest
    }

    /// Registers as when guest code has called into the library: a stack pointer in the stack.
    func stackAsInATrap(_ guest: GuestProcess) throws {
        try guest.arch.prepareCall(guest.uc, memory: guest.memory, function: guest.stopAddress, args: [],
                                   returnAddress: guest.stopAddress, stackTop: guest.argumentArea)
    }

    func address(_ guest: GuestProcess, _ symbol: String) throws -> UInt64 {
        guest.imageBase + UInt64(try XCTUnwrap(guest.image.symbol(named: symbol)).offset)
    }

    /// Clears what a call that ended the (pretend) run left behind.
    func reset(_ guest: GuestProcess) {
        try? stackAsInATrap(guest)   // longjmp may have loaded anything
        guest.termination = nil
        guest.nested.pendingJump = nil
        guest.nested.stackTops = []
        guest.fault = GuestProcess.FaultRecord()
    }

    /// The sorts: their count is small or impossible, and their comparator a real one.
    static let sorts: Set<String> = ["qsort", "qsort_r"]

    func testHostileArgumentsToProcessFunctionsNeverTrapTheHost() throws {
        XCTAssertEqual(Self.sorts.subtracting(GuestProcess.processFunctionNames), [])
        var rng = SplitMix(seed: 12)
        for target in [Target.x64, .aarch64, .rv64] {
            let guest = try process(target)
            let rt = try XCTUnwrap(guest.runtime)
            let values = try address(guest, "values")
            let comparators = [try address(guest, "less"), try address(guest, "more"), try address(guest, "by_value")]
            let stack = guest.layout.stackTop - 4096
            let heap = try rt.allocateZeroed(256)
            let pool: [UInt64] = [0, 1, 2, 8, 0xffff_ffff, UInt64.max, UInt64.max - 7, 1 << 63, UInt64(Int.max),
                                  values, values + 31, stack, heap, heap + 255, guest.imageBase, guest.stopAddress]
            var calls = 0, failures = 0
            for _ in 0..<60 {
                for name in GuestProcess.processFunctionNames {
                    guard let fn = guest.processFunction(name) else { continue }
                    var ints = (0..<6).map { _ in rng.next() % 4 == 0 ? rng.next() : pool[Int(rng.next() % UInt64(pool.count))] }
                    if Self.sorts.contains(name) || name == "bsearch" {
                        ints[name == "bsearch" ? 4 : 3] = comparators[Int(rng.next() % 3)]
                        // Sorts small or impossible: every comparison is a real nested guest call
                        // (bsearch's probes are at most 64 whatever the count). A count such as an
                        // address (4M elements of the 1 GiB heap) would be a real sort of millions
                        // of elements: 10 minutes of comparator calls for one qsort_r.
                        if Self.sorts.contains(name) {
                            ints[1] = rng.next() % 4 == 0 ? [UInt64.max, 1 << 63, UInt64(Int.max), 0xffff_ffff][Int(rng.next() % 4)] : rng.next() % 9
                        } else {
                            // Past 2^63 glibc's (l + u) / 2 wraps and a comparator answering "more"
                            // can loop forever, natively too.
                            ints[2] &= UInt64(Int.max)
                        }
                    }
                    // tgkill to another process is the host's: a random pid (1 is in the pool)
                    // must not reach a real process, so it names this one (the emulated
                    // threads' state). sigsuspend with a readable mask waits for a signal, as
                    // pause does: only its hostile-pointer path is exercised here.
                    if name == "tgkill" || name == "__crossrun_tgsigqueue" { ints[0] = UInt64(getpid()) }
                    // The BSD sigpause waits under any mask; the X/Open forms get signal numbers
                    // they refuse (EINVAL) rather than one they would wait with unblocked.
                    if name == "sigpause" { continue }
                    if name == "__xpg_sigpause" || name == "__sigpause" {
                        ints[0] = [0, 32, 33, 65, UInt64.max, 1 << 31][Int(rng.next() % 6)]
                        ints[1] = 1
                    }
                    if name == "sigsuspend" { ints[0] = [0, 1, 8, UInt64.max, UInt64.max - 7, 1 << 63][Int(rng.next() % 6)] }
                    let frame = FakeFrame(ints: ints, doubles: [0, 0], varInts: [], varDoubles: [])
                    if let path = getenv("CROSSRUN_TRACE") {
                        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
                        let line = Array("\(target) \(name) \(ints)\n".utf8)
                        _ = Glibc.write(fd, line, line.count)
                        close(fd)
                    }
                    calls += 1
                    do { try fn(rt, frame) } catch { failures += 1 }
                    reset(guest)
                }
            }
            XCTAssertGreaterThan(failures, 0, "\(target): hostile pointers should be guest faults")
            XCTAssertGreaterThan(calls, failures, "\(target)")
        }
    }

    /// glibc's bsearch arithmetic wraps like size_t: the host computes the same probes and
    /// never traps, whatever nmemb, size and base are.
    func testBsearchWithHugeCountsAndBasesComputesLikeGlibc() throws {
        for target in [Target.x64, .aarch64, .rv64] {
            let guest = try process(target)
            let rt = try XCTUnwrap(guest.runtime)
            let bsearch = try XCTUnwrap(guest.processFunction("bsearch"))
            let less = try address(guest, "less"), more = try address(guest, "more")
            for (base, count, size, compare, probes) in [
                (UInt64(0x1000), UInt64.max, UInt64(1), less, 64),           // halves down to nothing
                (UInt64.max - 100, UInt64(1 << 20), UInt64(4096), more, 20),  // base near 2^64
                (UInt64(0x1000), UInt64(1000), UInt64.max / 3, less, 10),     // element offsets wrap
                (UInt64(16), UInt64(0), UInt64.max, less, 0),
            ] {
                let before = guest.nested.calls
                let frame = FakeFrame(ints: [0x2000, base, count, size, compare, 0])
                frame.result = 99
                try bsearch(rt, frame)
                XCTAssertEqual(frame.result, 0, "\(target) bsearch(\(base), \(count), \(size))")
                XCTAssertEqual(guest.nested.calls - before, probes, "\(target) comparator calls")
            }
            // A real search still finds its element.
            let values = try address(guest, "values")
            try XCTUnwrap(guest.processFunction("qsort"))(rt, FakeFrame(ints: [values, 8, 4, try address(guest, "by_value"), 0, 0]))
            let key = try rt.allocateZeroed(4)
            try rt.memory.store(UInt32(7), at: key)
            let frame = FakeFrame(ints: [key, values, 8, 4, try address(guest, "by_value"), 0])
            try bsearch(rt, frame)
            XCTAssertEqual(frame.result, values + 5 * 4, "\(target): 7 is the sixth of 1 2 3 4 5 7 8 9")
        }
    }

    /// qsort whose count × size overflows, or whose array is not all mapped, is a guest fault.
    func testQsortOfImpossibleArraysIsAGuestFault() throws {
        let guest = try process(.x64)
        let rt = try XCTUnwrap(guest.runtime)
        let qsort = try XCTUnwrap(guest.processFunction("qsort"))
        let values = try address(guest, "values"), less = try address(guest, "less")
        for (count, size) in [(UInt64.max, UInt64(2)), (UInt64(2), UInt64.max), (UInt64(1) << 40, UInt64(1)), (UInt64(3), UInt64(1) << 62)] {
            XCTAssertThrowsError(try qsort(rt, FakeFrame(ints: [values, count, size, less, 0, 0])), "count \(count) size \(size)") {
                XCTAssertTrue($0 is GuestFault, "\($0)")
            }
        }
    }

    /// setjmp/longjmp and fenv with unmapped or unaligned buffers: guest faults.
    func testJumpBuffersAndEnvironmentsOutsideGuestMemoryAreGuestFaults() throws {
        for target in [Target.x64, .aarch64, .rv64] {
            let guest = try process(target)
            let rt = try XCTUnwrap(guest.runtime)
            for name in ["setjmp", "_setjmp", "sigsetjmp", "__sigsetjmp", "longjmp", "siglongjmp", "fegetenv", "fesetenv",
                         "feholdexcept", "feupdateenv", "fegetexceptflag", "fesetexceptflag"] {
                guard let fn = guest.processFunction(name) else { continue }
                for bad: UInt64 in [16, UInt64.max - 3, 1 << 63, guest.stopAddress &- 8] {
                    XCTAssertThrowsError(try fn(rt, FakeFrame(ints: [bad, 1, 0, 0, 0, 0])), "\(target) \(name)(0x\(String(bad, radix: 16)))")
                    reset(guest)
                }
            }
        }
    }

    /// Every system-call shim with hostile arguments returns (or reports a guest fault); the
    /// descriptor argument is /dev/null's so nothing of the test process is touched.
    func testHostileArgumentsToSyscallShimsNeverTrapTheHost() throws {
        var rng = SplitMix(seed: 7)
        let devNull = open("/dev/null", O_RDWR)
        defer { close(devNull) }
        // Creating, deleting or closing files, and ending the run, are left to the end-to-end tests.
        let skipped: Set<GuestSyscall> = [.openat, .open, .close, .unlinkat, .unlink, .exit, .exitGroup]
        let withDescriptor: Set<GuestSyscall> = [.read, .write, .writev, .lseek, .fstat, .ioctl]
        for target in [Target.x64, .aarch64, .rv64] {
            let guest = try process(target)
            let heap = try guest.runtime.allocateZeroed(4096)
            let pool: [UInt64] = [0, 1, 16, 0xfff, 0x1000, 0xffff_ffff, UInt64.max, UInt64.max - 7, UInt64.max - 0xffe,
                                  1 << 63, 1 << 62, UInt64(Int.max), heap, heap + 4095, guest.imageBase, guest.layout.stackTop - 64]
            var calls = 0, faults = 0
            for _ in 0..<80 {
                for call in Set(guest.arch.abi.syscalls.values).subtracting(skipped).sorted(by: { "\($0)" < "\($1)" }) {
                    var a = (0..<6).map { _ in rng.next() % 4 == 0 ? rng.next() : pool[Int(rng.next() % UInt64(pool.count))] }
                    if withDescriptor.contains(call) { a[0] = UInt64(devNull) }
                    if call == .archPrctl { a[0] = 0x1001 }   // not ARCH_SET_FS: the thread pointer stays
                    calls += 1
                    do { _ = try guest.perform(call, a) } catch { faults += 1 }
                }
            }
            XCTAssertGreaterThan(faults, 0, "\(target)")
            XCTAssertGreaterThan(calls, faults, "\(target)")
            // The answers Linux gives.
            XCTAssertEqual(try guest.perform(.mmap, [0, UInt64.max, 3, 0x22, UInt64.max, 0]), -Int64(ENOMEM))
            XCTAssertEqual(try guest.perform(.mmap, [0, 0, 3, 0x22, UInt64.max, 0]), -Int64(EINVAL))
            XCTAssertEqual(try guest.perform(.mmap, [0, 1 << 63, 3, 0x22, UInt64.max, 0]), -Int64(ENOMEM))
            XCTAssertEqual(try guest.perform(.writev, [UInt64(devNull), heap, 1025, 0, 0, 0]), -Int64(EINVAL))
            XCTAssertEqual(try guest.perform(.writev, [UInt64(devNull), heap, UInt64.max, 0, 0, 0]), -Int64(EINVAL))
            XCTAssertEqual(try guest.perform(.read, [UInt64(devNull), heap, UInt64.max, 0, 0, 0]), 0)
            XCTAssertThrowsError(try guest.perform(.writev, [UInt64(devNull), UInt64.max - 7, 1, 0, 0, 0]))
            XCTAssertThrowsError(try guest.perform(.write, [UInt64(devNull), 16, 5, 0, 0, 0]))
        }
    }

    /// `signal(SIGUSR1, raise)` loops forever natively (each delivery raises the signal again,
    /// blocked until the handler returns), and so does a comparator stuck in a loop: both must
    /// end at `--timeout` as a timeout on every configuration, with no host stack growth.
    /// (A callback that loops after earlier callbacks have returned is not stopped yet:
    /// Unicorn's timer thread gives up when a nested `uc_emu_start` ends.)
    func testEndlessHandlersAndCallbacksEndAtTheTimeout() throws {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        let programs = [
            "raise_handler.c": """
                #include <signal.h>
                #include <stdio.h>
                int main(void) {
                    signal(SIGUSR1, (void (*)(int))raise);
                    printf("raising\\n");
                    fflush(stdout);
                    raise(SIGUSR1);
                    return 0;
                }
                """,
            "comparator_loop.c": """
                #include <stdio.h>
                #include <stdlib.h>
                static int calls;
                static int compare(const void *a, const void *b) {
                    if (++calls == 1) for (;;) {}
                    return *(const int *)a - *(const int *)b;
                }
                int main(void) {
                    int v[6] = {6, 5, 4, 3, 2, 1};
                    printf("raising\\n");
                    fflush(stdout);
                    qsort(v, 6, sizeof v[0], compare);
                    return 0;
                }
                """,
        ]
        for (name, source) in programs {
            try FileIO.write(Array(source.utf8), to: dir + "/" + name)
            for run in [["--backend", "native"], ["--backend", "emu"], ["--target", "aarch64"], ["--target", "rv64"]] {
                let out = try TestSupport.runCrossrun(run + ["--timeout", "1", dir + "/" + name], cwd: dir)
                XCTAssertEqual(out.status, 124, "\(name) \(run): \(out.stderr)")
                XCTAssertEqual(out.stdout, "raising\n", "\(name) \(run)")
                XCTAssertTrue(out.stderr.contains("timed out after 1 s"), "\(name) \(run): \(out.stderr)")
            }
        }
    }
}
