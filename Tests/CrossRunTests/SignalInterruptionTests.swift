import CUnicorn
import CrossRunDriver
@testable import CrossRunEmulator
import CrossRunLibc
import CrossRunLink
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A handler for a signal from outside runs where the emulated guest was interrupted and
/// leaves its registers as they were, as Linux's `sigreturn` does
/// (``GuestProcess/preservingContext(_:)``). Made deterministic here without timing: a code
/// hook on the guest function `mark` sends SIGALRM to the engine's own host thread, so the
/// host records it while guest code runs and its handler runs at the entry of the next library
/// call (`snprintf`, whose arguments are then in their registers: the handler's own arguments
/// used to replace them, `interval_timers`' crash under load); two extra host functions send it
/// during their host work, so the handler runs after it with their results in place (a
/// `double` in xmm0/d0/fa0, a two-word struct in rax:rdx/x0:x1/a0:a1). The handler formats
/// text with `snprintf` itself, clobbering every argument register. Every target, with the
/// trampolines' block hook and with trapping stubs; the text is compared byte for byte.
final class SignalInterruptionTests: XCTestCase {
    static let program = #"""
        #include <signal.h>
        #include <stdio.h>
        #include <string.h>

        char out[1024];
        static size_t used;
        static void say(const char *text) {
            size_t n = strlen(text);
            if (used + n < sizeof out) { memcpy(out + used, text, n); used += n; }
        }
        static volatile int handled;
        static void on_alarm(int sig) {
            char text[96];
            snprintf(text, sizeof text, "handler %d %s %.1f %ld\n", sig, "ran", 0.5 * sig, (long)sig << 40);
            say(text);
            handled++;
        }
        __attribute__((noinline)) void mark(void) { __asm__ volatile("" ::: "memory"); }
        double half_raising(double x);
        struct pair { long low, high; };
        struct pair pair_raising(long x);

        int main(void) {
            char line[256];
            struct sigaction sa;
            memset(&sa, 0, sizeof sa);
            sa.sa_handler = on_alarm;
            sigaction(SIGALRM, &sa, 0);
            mark();
            int n = snprintf(line, sizeof line, "entry %d %s %ld %.3f %c %u\n", 42, "str", 1234567890123L, 2.25, 'z', 7u);
            say(line);
            snprintf(line, sizeof line, "returned %d handled %d\n", n, handled);
            say(line);
            double h = half_raising(9.0);
            struct pair p = pair_raising(40);
            snprintf(line, sizeof line, "half %.2f pair %ld %ld handled %d\n", h, p.low, p.high, handled);
            say(line);
            return 0;
        }
        """#

    static let expected = """
        handler 14 ran 7.0 15393162788864
        entry 42 str 1234567890123 2.250 z 7
        returned 37 handled 1
        handler 14 ran 7.0 15393162788864
        handler 14 ran 7.0 15393162788864
        half 4.50 pair 41 42 handled 3

        """

    /// Host functions that get SIGALRM during their host work (the engine's thread signals itself).
    static let raising: [String: HostFunction] = [
        "half_raising": { _, f in
            let x = try f.double(0)
            pthread_kill(pthread_self(), SIGALRM)
            f.returnDouble(x / 2)
        },
        "pair_raising": { _, f in
            let x = try f.int(0)
            pthread_kill(pthread_self(), SIGALRM)
            f.returnPair(x &+ 1, x &+ 2)
        },
    ]

    /// A signal recorded while a library call blocks its thread (a `read` of an empty pipe with
    /// another thread alive) runs its handler after the call's host work, as a nested run, which
    /// clears the engine's pending `uc_emu_stop`: the stub's `ret` went on as if the call had
    /// returned — the read "returned" its descriptor (3 on aarch64/rv64, whose result register
    /// is the first argument's) while the thread was still marked blocked
    /// (``GuestProcess/keepStopAfterNestedCalls()``). `read_raising` signals the engine's own
    /// host thread and then is the emulator's `read`, so the case is hit every time; the other
    /// thread writes once the reader has started, and the read made again then (raising once
    /// more: two handlers) returns the byte. Block-hook stubs, every target.
    static let blockingProgram = #"""
        #include <signal.h>
        #include <stdio.h>
        #include <string.h>
        #include <time.h>
        #include <unistd.h>
        long __crossrun_thread_spawn(void (*entry)(void *), void *arg, unsigned long stack_size, int *tid_word);
        int __crossrun_futex_wait(volatile int *addr, int expected, const struct timespec *abstime, int clockid);
        int sched_yield(void);
        long read_raising(int fd, void *buffer, unsigned long count);

        char out[128];
        static int fds[2], tid;
        static volatile int handled, started;
        static void on_alarm(int sig) { (void)sig; handled++; }
        static long got;
        static char byte;
        static void reader(void *arg) {
            (void)arg;
            started = 1;
            got = read_raising(fds[0], &byte, 1);
        }

        int main(void) {
            struct sigaction sa;
            memset(&sa, 0, sizeof sa);
            sa.sa_handler = on_alarm;
            sa.sa_flags = SA_RESTART;
            sigaction(SIGALRM, &sa, 0);
            if (pipe(fds) != 0) return 1;
            __crossrun_thread_spawn(reader, 0, 0, &tid);
            while (!started) sched_yield();
            write(fds[1], "w", 1);
            for (int t; (t = __atomic_load_n(&tid, __ATOMIC_SEQ_CST)) != 0; ) __crossrun_futex_wait(&tid, t, 0, 0);
            snprintf(out, sizeof out, "read %ld %c handled %d\n", got, byte, handled);
            return 0;
        }
        """#

    func testASignalDuringABlockingCallLeavesItBlocked() throws {
        for target in Target.allCases {
            let object = try TestSupport.compile(Self.blockingProgram, target: target, flags: ["-O1"])
            let image = try Linker.link(objects: [object], archives: [], options: LinkOptions(
                machine: object.machine, requiredSymbols: ["main"],
                runtimeSymbol: { $0 == "read_raising" ? .function : Pipeline.runtimeSymbol($0) }))
            guard let buffer = image.symbol(named: "out") else { return XCTFail("\(target): no symbol out") }
            let read = ReadBox()
            var options = GuestProcess.Options(arguments: ["t"], environment: [:], programName: "t")
            options.extraFunctions = ["read_raising": { rt, f in
                pthread_kill(pthread_self(), SIGALRM)
                guard let body = read.function else { throw GuestTermination.signal(SIGABRT, "no read") }
                try body(rt, f)
            }]
            let guest = try GuestProcess(image: image, options: options)
            read.function = guest.descriptorWaitingFunction("read")
            let outcome = guest.run()
            XCTAssertEqual(outcome.status, 0, "\(target): \(outcome.report?.text ?? "")")
            let bytes = guest.guestBytes(guest.imageBase + UInt64(buffer.offset), 128) ?? []
            XCTAssertEqual(String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self), "read 1 w handled 2\n", "\(target)")
        }
    }

    /// The emulator's own `read`, set once the process exists (the test's extra function calls it).
    final class ReadBox: @unchecked Sendable {
        var function: HostFunction?
    }

    func testHandlersLeaveArgumentsAndResultsOnEveryTarget() throws {
        for target in Target.allCases {
            let object = try TestSupport.compile(Self.program, target: target, flags: ["-O1"])
            let image = try Linker.link(objects: [object], archives: [], options: LinkOptions(
                machine: object.machine, requiredSymbols: ["main"],
                runtimeSymbol: { Self.raising[$0] != nil ? .function : Pipeline.runtimeSymbol($0) }))
            guard let buffer = image.symbol(named: "out"), let mark = image.symbol(named: "mark") else {
                return XCTFail("\(target): no symbol out or mark")
            }
            for trapping in [false, true] {
                var options = GuestProcess.Options(arguments: ["t"], environment: [:], programName: "t")
                options.trappingLibraryCalls = trapping
                options.extraFunctions = Self.raising
                let guest = try GuestProcess(image: image, options: options)
                // Guest code reaching `mark` makes the host record SIGALRM (the guest's handler
                // is forwarded by then): no library call is in progress.
                let send: @convention(c) (OpaquePointer?, UInt64, UInt32, UnsafeMutableRawPointer?) -> Void = { _, _, _, _ in
                    pthread_kill(pthread_self(), SIGALRM)
                }
                let address = guest.imageBase + UInt64(mark.offset)
                var hook: uc_hook = 0
                XCTAssertEqual(crossrun_uc_hook_add(guest.uc, &hook, Int32(UC_HOOK_CODE.rawValue), unsafeBitCast(send, to: UnsafeMutableRawPointer.self),
                                                    nil, address, address), UC_ERR_OK)
                let outcome = guest.run()
                XCTAssertEqual(outcome.status, 0, "\(target) trapping \(trapping): \(outcome.report?.text ?? "")")
                let bytes = guest.guestBytes(guest.imageBase + UInt64(buffer.offset), 1024) ?? []
                XCTAssertEqual(String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self), Self.expected, "\(target) trapping \(trapping)")
            }
        }
    }
}
