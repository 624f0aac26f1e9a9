import CrossRunLibc
import CrossRunSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// "No guest program can crash CrossRun": every host libc function, called with hostile
/// arguments (NULL, wild and huge pointers, pointers to unterminated or random bytes, extreme
/// sizes and values), must return or throw — never trap the host process running this test.
final class HostLibcRobustnessTests: XCTestCase {
    /// Functions with effects outside the guest (file descriptors, files, signals, sleeping)
    /// are exercised by the end-to-end tests instead of with random arguments.
    static let sideEffects: Set<String> = [
        "close", "dup", "dup2", "pipe", "unlink", "remove", "rename", "rmdir", "mkdir", "chdir", "chmod", "umask",
        "kill", "raise", "sleep", "usleep", "nanosleep", "write", "read", "fopen", "freopen", "fdopen", "tmpfile",
        "mkstemp", "creat", "open", "system", "fclose", "exit", "_Exit", "_exit", "quick_exit", "abort", "signal",
        "sigaction", "fcntl", "lseek", "getchar", "scanf", "vscanf", "fgetc", "getc", "fgets", "fread", "getline",
        "getdelim", "fscanf", "vfscanf", "ungetc", "dprintf", "perror", "setvbuf", "setbuf", "puts", "putchar",
        "printf", "vprintf", "fputs", "fputc", "putc", "fwrite", "fprintf", "vfprintf", "fflush", "rewind", "fseek",
        "fseeko", "fsetpos", "clearerr", "__assert_fail", "__stack_chk_fail", "srand", "srandom", "setenv", "unsetenv",
        // POSIX files, limits, terminals and waiting (posix_* fixtures, posix_bad_arguments for hostile values):
        // random descriptors, paths and limits would change the test process's own files and limits, or block.
        "pread", "pwrite", "fsync", "fdatasync", "ftruncate", "truncate", "posix_fallocate", "posix_fadvise", "symlink", "link", "chown", "lchown", "fchown",
        "fchmod", "fchmodat", "utime", "utimes", "utimensat", "futimens", "flock", "setrlimit", "setpriority", "tcsetattr",
        "tcdrain", "tcflush", "tcflow", "tcsendbreak", "ioctl", "poll", "select", "pselect", "mlock", "munlock",
        "openat", "mkdirat", "unlinkat", "renameat", "symlinkat", "linkat", "mkfifo",
        // Random names would create or remove the host's shared-memory files; a random limit
        // would cap the test process's own file size (shm_memfd_ulimit covers them).
        "shm_open", "shm_unlink", "ulimit",
        // A random persona would change the test process's own (glibc_debug_headers covers it).
        "personality",
        // Wide streams (fwide would make the test's own stdout wide-oriented), descriptors, directories, stderr.
        "fputwc", "putwc", "putwchar", "fputws", "wprintf", "vwprintf", "fwprintf", "vfwprintf", "fgetwc", "getwc",
        "getwchar", "fgetws", "ungetwc", "fwide", "readv", "writev", "preadv", "pwritev", "mkdtemp", "warn", "vwarn",
        "warnx", "vwarnx", "err", "verr", "errx", "verrx", "error", "getc_unlocked", "fgetc_unlocked", "getchar_unlocked",
        "putc_unlocked", "fputc_unlocked", "putchar_unlocked",
        // Process groups and sessions would move the test process itself (tcsetpgrp: its
        // terminal's foreground group); pause waits forever.
        "setpgid", "setsid", "tcsetpgrp", "pause",
        // A random mask would pin the test process's thread to some CPU (sched_affinity covers it).
        "sched_setaffinity",
        // Random options would rename the test's thread or set its death signal (process_prctl covers it).
        "prctl",
        // They wait for a signal that may never come (signal_sigwait, signal_waitinfo cover them).
        "sigwait", "sigwaitinfo", "sigtimedwait",
        // They signal the test process, its group or others (signal_suspend_queue covers them).
        "sigqueue", "killpg",
        // SVID/System V dispositions and raise, and psiginfo's write to descriptor 2
        // (signal_legacy_names covers them).
        "ssignal", "gsignal", "sigset", "sigignore", "siginterrupt", "psiginfo",
        // Timers would signal the test process itself later; a random request could sleep for
        // years; random paths would create nodes and change owners (time_conversions, fs_nodes,
        // interval_timers cover them).
        "alarm", "ualarm", "setitimer", "clock_nanosleep", "mknod", "mknodat", "mkfifoat", "fchownat",
        // A random descriptor may be one of the test's own that never becomes ready (epoll_eventfd, epoll_pwait2).
        "epoll_wait", "epoll_pwait", "epoll_pwait2", "epoll_ctl", "eventfd_read", "eventfd_write",
        // They would close the test process's own descriptors (close_range_fds covers them).
        "closefrom", "close_range",
        // A random pattern may walk the whole host file system.
        "glob",
        // Sockets on random descriptors could shut down, send on or block on the test's own
        // (net_bad_arguments gives them hostile values); random names would go to DNS servers.
        "socket", "socketpair", "bind", "connect", "listen", "accept", "accept4", "send", "recv", "sendto", "recvfrom",
        "sendmsg", "recvmsg", "shutdown", "setsockopt", "getaddrinfo", "getnameinfo", "gethostbyname", "gethostbyaddr",
        "gethostbyname2", "gethostbyname_r", "gethostbyname2_r", "gethostbyaddr_r",
        // Identity, priority, descriptors, files, locks and exec (posix_unistd_ids, posix_stdlib_gnu,
        // posix_stdio_gnu, posix_system_info): random ids would change the test process's own
        // credentials, random descriptors its own files, and a valid path would replace it.
        "setuid", "setgid", "seteuid", "setegid", "setreuid", "setregid", "setresuid", "setresgid", "setgroups", "nice",
        "sync", "syncfs", "lockf", "pipe2", "dup3", "execvpe", "sendfile", "futimes", "lutimes", "mkstemps", "mkostemp",
        "mkostemps", "mktemp", "vdprintf", "setbuffer", "setlinebuf", "getw", "putw", "clearerr_unlocked",
        "fflush_unlocked", "fgets_unlocked", "fputs_unlocked", "fread_unlocked", "fwrite_unlocked", "__fpurge",
        "_flushlbf", "__fsetlocking",
        // They read the test process's stdin (wide_scanf_stream).
        "wscanf", "vwscanf", "getwchar_unlocked",
        // Wide output would make the test's own stdout wide-oriented (wide_unlocked_stdio).
        "putwchar_unlocked", "fputwc_unlocked", "putwc_unlocked", "fputws_unlocked", "fgetwc_unlocked", "getwc_unlocked",
        "fgetws_unlocked",
        // The host's system log: a random priority and a format with a huge width sent hundreds
        // of megabytes there (and, with LOG_CONS, to /dev/console) for minutes (posix_syslog).
        "syslog", "vsyslog", "openlog",
        // New ptys would pile up as open descriptors; login_tty would make a random descriptor
        // the test process's terminal and standard streams (pty_pairs covers them).
        "posix_openpt", "getpt", "grantpt", "unlockpt", "openpty", "login_tty",
        // Timers: new descriptors would pile up, a random one could be armed (timerfd_basic).
        "timerfd_create", "timerfd_settime",
        // A random POSIX timer could be armed with SIGALRM's default action (posix_timers).
        "timer_create", "timer_settime",
        // getpass reads the test process's terminal or stdin; copy_file_range on random
        // descriptors could write to the test's own files (unistd_gaps covers both).
        "getpass", "copy_file_range",
        // Random login records would be written to the host's utmp/wtmp (as root) or to a
        // random file named by utmpname (utmp_records covers them).
        "pututline", "pututxline", "updwtmp", "updwtmpx", "utmpname", "utmpxname",
        // As root it would replace the test process's supplementary groups (pwd_grp_enumerate).
        "initgroups",
    ]

    /// Bessel functions of integer order: glibc computes `jn(n, x)` by a recurrence of |n| steps
    /// (`jnl(INT_MAX, 1.0L)` takes 40 s of host CPU, `jnf128` several minutes), so a random order
    /// spends the test's time inside glibc, not in CrossRun's wrapper. Their order keeps its
    /// hostile upper register bits and sign but is reduced below 4096 in magnitude.
    static let orderLinearTime: Set<String> = ["jn", "jnf", "jnl", "yn", "ynf", "ynl"]

    /// `value` with the `int` in its low 32 bits reduced to `-4095...4095`.
    static func boundedOrder(_ value: UInt64) -> UInt64 {
        let order = Int32(truncatingIfNeeded: value) % 4096
        return value & 0xffff_ffff_0000_0000 | UInt64(UInt32(bitPattern: order))
    }

    func testBoundedOrderKeepsUpperBitsAndSign() {
        XCTAssertEqual(Self.boundedOrder(0xdead_beef_7fff_ffff), 0xdead_beef_0000_0fff)
        XCTAssertEqual(Int32(truncatingIfNeeded: Self.boundedOrder(UInt64(bitPattern: -5))), -5)
        XCTAssertEqual(Int32(truncatingIfNeeded: Self.boundedOrder(0x8000_0001)), -4095)
        XCTAssertEqual(Self.boundedOrder(4095), 4095)
    }

    /// The test process's open descriptors.
    static func openDescriptors() -> Set<Int32> {
        Set(FileIO.entries(of: "/proc/self/fd").compactMap { Int32($0) })
    }

    func testHostileArgumentsNeverTrapTheHost() throws {
        // A random call may leave a descriptor open (a dup of a random one, an inotify or
        // epoll instance…); later tests' children would inherit it (a `close(99)` that should
        // fail would succeed), so whatever this test opened is closed at the end.
        let before = Self.openDescriptors()
        defer { for fd in Self.openDescriptors().subtracting(before) { close(fd) } }
        var rng = SplitMix(seed: 2026)
        var stackRng = SplitMix(seed: 8)
        let names = HostLibc.functions.keys.filter { !Self.sideEffects.contains($0) }.sorted()
        XCTAssertGreaterThan(names.count, 250)
        XCTAssertEqual(Self.orderLinearTime.subtracting(names), [], "every bounded function is exercised")
        var calls = 0, faults = 0
        for round in 0..<40 {
            // Odd rounds run as an aarch64/riscv64 guest (binary128 long double).
            let binary128 = round % 2 == 1
            let (rt, mem) = try makeRuntime(binary128: binary128)
            let junk = mem.bytes((0..<256).map { _ in UInt8(truncatingIfNeeded: rng.next()) })      // unterminated, random
            let text = mem.string("%s%d%n%p%x%.9999f%*d%c %[a-z]%lld%Lg%.*La")
            let end = mem.base + UInt64(mem.size) - 1                                              // last mapped byte
            let pool: [UInt64] = [0, 1, 0x10, 0xffff_ffff, UInt64.max, UInt64.max - 7, 1 << 63, 0x7fff_ffff_ffff,
                                  junk, junk + 255, text, end, mem.base, UInt64(Int32.max), UInt64(bitPattern: -1 << 31)]
            for name in names {
                guard let fn = HostLibc.functions[name] else { continue }
                var ints = (0..<6).map { _ in rng.next() % 3 == 0 ? rng.next() : pool[Int(rng.next() % UInt64(pool.count))] }
                // Four more: what x86-64 passes on the stack (a struct larger than 16 bytes), from
                // their own generator so the register arguments stay the sequence they were.
                ints += (0..<4).map { _ in stackRng.next() % 3 == 0 ? stackRng.next() : pool[Int(stackRng.next() % UInt64(pool.count))] }
                if Self.orderLinearTime.contains(name) { ints[0] = Self.boundedOrder(ints[0]) }
                let doubles = (0..<4).map { _ in [Double.nan, .infinity, -0.0, 1e308, Double(bitPattern: rng.next())][Int(rng.next() % 5)] }
                let frame = FakeFrame(ints: ints, doubles: doubles,
                                      varInts: (0..<8).map { _ in pool[Int(rng.next() % UInt64(pool.count))] },
                                      varDoubles: doubles)
                frame.longDoubles = (0..<4).map { _ in (rng.next(), binary128 ? rng.next() : rng.next() & 0xffff) }
                if binary128 { frame.variadicLongDoubles = (0..<4).map { _ in (rng.next(), rng.next()) } }
                calls += 1
                if getenv("CROSSRUN_TRACE") != nil { fputs("\(name) \(ints) \(frame.variadicInts)\n", StandardStreams.error) }
                do { try fn(rt, frame) } catch { faults += 1 }
            }
        }
        XCTAssertGreaterThan(faults, 0, "hostile pointers should be reported as guest faults")
        XCTAssertGreaterThan(calls, faults)
    }
}
