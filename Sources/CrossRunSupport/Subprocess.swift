import CProcessSupport
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program and waits for it, via `posix_spawn`. Safe to call from several threads at
/// once: pipes are close-on-exec, so each child inherits only its own.
public enum Subprocess {
    /// Result of a run.
    public struct Result: Sendable {
        /// Exit status, or 128+N when killed by signal N.
        public var status: Int32
        /// Captured standard output (empty unless captured).
        public var output: [UInt8]
        /// Captured standard error (empty unless captured).
        public var error: [UInt8] = []
        /// The run outlived ``Options/timeout`` and was killed with `SIGKILL`.
        public var timedOut = false
        /// The signal that ended the child, from its wait status (nil: it exited).
        public var signal: Int32?
        /// Standard output went past ``Options/captureLimit``: ``output`` is only its start.
        public var outputTruncated = false

        public init(status: Int32, output: [UInt8], error: [UInt8] = [], timedOut: Bool = false, signal: Int32? = nil,
                    outputTruncated: Bool = false) {
            (self.status, self.output, self.error, self.timedOut) = (status, output, error, timedOut)
            (self.signal, self.outputTruncated) = (signal, outputTruncated)
        }
    }

    /// How to run a child.
    public struct Options: Sendable {
        /// File opened as the child's stdin; `nil` means `/dev/null` (unless ``inheritInput``).
        public var standardInput: String?
        /// The child shares this process's stdin (as a compiler driver passes `-` on).
        public var inheritInput = false
        /// The child's working directory; `nil` means this process's.
        public var workingDirectory: String?
        /// Capture stdout (else inherited).
        public var captureOutput = false
        /// Capture stderr (else inherited).
        public var captureError = false
        /// Seconds after which the child is killed (`nil`: wait for ever).
        public var timeout: Double?
        /// Bytes kept of each captured stream; the rest is read and dropped (and the result
        /// says so: ``Result/outputTruncated``).
        public var captureLimit = Options.defaultCaptureLimit
        /// 64 MiB.
        public static let defaultCaptureLimit = 64 << 20
        /// Start the child in a process group of its own, and `SIGKILL` the whole group at the
        /// timeout and once the child has ended (processes it left behind cannot hold the
        /// captured pipes open, or outlive the run).
        public var processGroup = false

        public init() {}
    }

    /// Runs `executable` with `arguments`; stdin is `/dev/null`, stderr is inherited, stdout
    /// is captured when `captureOutput` is set and inherited otherwise.
    public static func run(_ executable: String, _ arguments: [String], captureOutput: Bool = false) throws -> Result {
        var options = Options()
        options.captureOutput = captureOutput
        return try run(executable, arguments, options: options)
    }

    /// Runs `executable` (searched on `PATH` when it has no `/`) with `arguments` as `options` say.
    public static func run(_ executable: String, _ arguments: [String], options: Options) throws -> Result {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if !options.inheritInput {
            posix_spawn_file_actions_addopen(&actions, 0, options.standardInput ?? "/dev/null", O_RDONLY, 0)
        }
        if let dir = options.workingDirectory {
            let rc = withUnsafeMutablePointer(to: &actions) { crossrun_spawn_add_chdir($0, dir) }
            guard rc == 0 else { throw IOError.failed("cannot run \(executable) in \(dir): \(String(cString: strerror(rc)))") }
        }
        var pipes: [(read: Int32, write: Int32, target: Int32)] = []
        defer { for p in pipes { close(p.read) } }
        for (wanted, target) in [(options.captureOutput, Int32(1)), (options.captureError, Int32(2))] where wanted {
            var fds: [Int32] = [-1, -1]
            guard crossrun_pipe_cloexec(&fds) == 0 else { throw IOError.failed("pipe failed: \(String(cString: strerror(errno)))") }
            pipes.append((fds[0], fds[1], target))
            posix_spawn_file_actions_adddup2(&actions, fds[1], target)
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child starts as from a shell: no signal blocked, every disposition the default,
        // whatever the spawning thread has (a thread of Swift's concurrency pool, a runner that
        // ignores SIGPIPE): a program's timers and handlers must not depend on who started it.
        var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        if options.processGroup {
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))
        var pid = pid_t()
        let rc = posix_spawnp(&pid, executable, &actions, &attributes, argv, environ)
        for p in pipes { close(p.write) }
        guard rc == 0 else { throw IOError.failed("cannot run \(executable): \(String(cString: strerror(rc)))") }

        return collect(pid, output: pipes.first { $0.target == 1 }?.read, error: pipes.first { $0.target == 2 }?.read, options: options)
    }

    /// Waits for a child this process started itself (`posix_spawn`, or `fork` by a runner
    /// that is single-threaded) as ``run(_:_:options:)`` waits for its own: reads `output` and
    /// `error` (the read ends of its stdout and stderr pipes, when captured; the caller closes
    /// them) to their end, applies `options`' timeout, capture limit and process group, and
    /// reaps it.
    public static func collect(_ pid: pid_t, output: Int32?, error: Int32?, options: Options) -> Result {
        let fds = [output, error].compactMap { $0 }
        var captured: [[UInt8]] = fds.map { _ in [] }
        var dropped = fds.map { _ in false }
        let (status, timedOut) = wait(pid, reading: fds, into: &captured, dropped: &dropped,
                                      timeout: options.timeout, limit: options.captureLimit, group: options.processGroup)
        let signaled = (status & 0x7f) != 0
        let code: Int32 = signaled ? 128 + (status & 0x7f) : (status >> 8) & 0xff
        var result = Result(status: code, output: [], timedOut: timedOut)
        if signaled { result.signal = status & 0x7f }
        if output != nil { (result.output, result.outputTruncated) = (captured[0], dropped[0]) }
        if error != nil { result.error = captured[fds.count - 1] }
        return result
    }

    /// Reads every fd until end of file and reaps `pid`, killing it with `SIGKILL` once `timeout`
    /// seconds have passed. Returns the raw wait status and whether the child was killed.
    /// With `group`, the child leads a process group that is killed as a whole, at the
    /// deadline and as soon as the child itself has ended.
    static func wait(_ pid: pid_t, reading fds: [Int32], into captured: inout [[UInt8]], dropped: inout [Bool],
                     timeout: Double?, limit: Int, group: Bool = false) -> (status: Int32, killed: Bool) {
        let deadline = timeout.map { monotonicSeconds() + $0 }
        var open = fds.map { _ in true }
        var killed = false
        var status: Int32 = 0
        var reaped = false
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        func checkDeadline() -> Int32 {
            guard let deadline, !killed else { return group && !reaped ? 200 : -1 }
            let left = deadline - monotonicSeconds()
            if left <= 0 {
                kill(group ? -pid : pid, SIGKILL)
                killed = true
                return -1
            }
            return Int32(min(left * 1000 + 1, group && !reaped ? 200 : 1000))
        }
        /// The child has ended: reap it and kill what it left in its group.
        func reapIfEnded() {
            guard group, !reaped else { return }
            if waitpid(pid, &status, WNOHANG) == pid {
                reaped = true
                kill(-pid, SIGKILL)
            }
        }
        while open.contains(true) {
            reapIfEnded()
            let waitMs = checkDeadline()
            var polls = fds.indices.filter { open[$0] }.map { pollfd(fd: fds[$0], events: Int16(POLLIN), revents: 0) }
            let n = poll(&polls, nfds_t(polls.count), waitMs)
            if n < 0 && errno != EINTR { break }
            guard n > 0 else { continue }
            for p in polls where p.revents != 0 {
                guard let i = fds.firstIndex(of: p.fd) else { continue }
                let got = buffer.withUnsafeMutableBytes { read(p.fd, $0.baseAddress, $0.count) }
                if got < 0 && errno == EINTR { continue }
                if got <= 0 { open[i] = false; continue }
                let room = max(0, limit - captured[i].count)
                if room > 0 { captured[i].append(contentsOf: buffer[0..<min(got, room)]) }
                if got > room { dropped[i] = true }
            }
        }
        if reaped { return (status, killed) }
        if deadline == nil || killed {
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            if group { kill(-pid, SIGKILL) }
            return (status, killed)
        }
        // Streams closed (or none captured) but the deadline still holds: poll for the exit.
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid || (r < 0 && errno != EINTR) {
                if group { kill(-pid, SIGKILL) }
                return (status, killed)
            }
            if checkDeadline() < 0 {
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                return (status, killed)
            }
            usleep(2000)
        }
    }

    /// For a child of a runner that starts children in their own process groups (which a
    /// terminal's Ctrl-C then does not reach): be killed when the runner's thread that
    /// started this process ends. `false` when the runner is already gone.
    public static func exitWithParent() -> Bool { crossrun_exit_with_parent() == 0 }

    /// ``exitWithParent()`` for a process that starts children in process groups of their own
    /// (a run worker): it gets `SIGTERM` instead of `SIGKILL`, and first kills the group last
    /// named by ``guardGroup(_:)``, so what that child started does not outlive the runner.
    public static func exitWithParentGuardingGroup() -> Bool { crossrun_exit_with_parent_guarding_group() == 0 }

    /// The process group (`0`: none) that ``exitWithParentGuardingGroup()`` kills.
    public static func guardGroup(_ group: pid_t) { crossrun_guard_group(group) }

    /// For a child made by `fork` that goes on without `exec`, as if freshly spawned: every
    /// signal's disposition the default, none blocked, and every descriptor from `lowest` up
    /// closed (what the forking process had open: its pipes, sockets and files).
    public static func resetForkedChild(closingFrom lowest: Int32 = 3) { crossrun_fresh_process_state(lowest) }

    /// Seconds on the monotonic clock.
    public static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
