import CrossRunSupport
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The run workers (`crossrun run-worker`, ``RunWorker``) of one ``RunMatrix``: at most one per
/// job running at a time, each started once and reused, so a build or a run costs a `fork` of
/// an already started CrossRun instead of a fresh process (its dynamic loading, Swift runtime
/// start and compile-cache warm-up) each time.
///
/// A worker serves one request at a time. A caller takes an idle worker (preferring one that
/// last served the same program, whose image it may keep), or starts one. A worker that dies
/// costs only the request it was serving (``Outcome/died(_:)``): whatever that request's run
/// left is killed, and the next caller starts a new worker. If the executable cannot start a
/// worker at all (an older `crossrun`, a stand-in), the pool says so
/// (``Outcome/unavailable``) and the caller starts processes as before.
final class RunWorkerPool: Sendable {
    /// A started worker.
    struct Worker: Sendable {
        var pid: pid_t
        /// This side of the worker's socket.
        var channel: Int32
        /// The worker's stderr file (unlinked), read when it dies.
        var stderr: Int32
        /// Programs it served lately (most recent last).
        var recent: [Int] = []
    }

    /// How a request went.
    enum Outcome: Sendable {
        case finished(Subprocess.Result)
        /// The worker died before answering: what happened, and what it printed.
        case died(Death)
        /// No worker could be started: run the command as a process instead.
        case unavailable
    }

    /// A worker's death while serving a request.
    struct Death: Error, Sendable, CustomStringConvertible {
        var pid: pid_t
        /// Its exit status, or 128+N for signal N.
        var status: Int32
        /// What it printed on stderr (a Swift runtime error, for one).
        var stderr: [UInt8]

        var description: String {
            let how = status > 128 ? "was killed by signal \(status - 128)" : "exited with status \(status)"
            return "crossrun's run worker (pid \(pid)) \(how)"
        }
    }

    private struct State {
        var idle: [Worker] = []
        var started = 0
        var closed = false
        /// Starting one failed (not a worker, or it died at once): no more attempts.
        var unavailable = false
    }

    let executable: String
    private let state = Mutex(State())
    /// Seconds a new worker may take to say it is ready.
    static let startLimit = 60.0

    init(executable: String) { self.executable = executable }

    /// Workers started so far (restarts included).
    var startedCount: Int { state.withLock { $0.started } }

    /// The pids of the idle workers (tests).
    var idlePIDs: [pid_t] { state.withLock { $0.idle.map(\.pid) } }

    /// Serves `arguments` (a `crossrun` command line) with `options` as a child started so
    /// would: on an idle worker, preferring one that served `program` last.
    func run(_ arguments: [String], options: Subprocess.Options, program: Int) -> Outcome {
        guard var worker = acquire(program: program) else { return .unavailable }
        guard RunWorkerProtocol.send(RunWorkerProtocol.encode(RunWorkerProtocol.Request(arguments: arguments, options: options)),
                                     on: worker.channel) else {
            return .died(bury(worker, runGroup: nil))
        }
        var runGroup: pid_t?
        while true {
            guard let frame = RunWorkerProtocol.receive(on: worker.channel),
                  let reply = try? RunWorkerProtocol.decodeReply(frame) else {
                return .died(bury(worker, runGroup: runGroup))
            }
            switch reply {
            case .started(let pid):
                runGroup = pid
            case .finished(let result):
                worker.recent = Array((worker.recent.filter { $0 != program } + [program]).suffix(8))
                release(worker)
                return .finished(result)
            case .ready:
                return .died(bury(worker, runGroup: runGroup))
            }
        }
    }

    /// Ends every idle worker (they exit when their channel closes) and waits for them.
    func shutdown() {
        let workers = state.withLock { s -> [Worker] in
            s.closed = true
            defer { s.idle = [] }
            return s.idle
        }
        for worker in workers {
            close(worker.channel)
            close(worker.stderr)
            var status: Int32 = 0
            while waitpid(worker.pid, &status, 0) < 0 && errno == EINTR {}
        }
    }

    private func acquire(program: Int) -> Worker? {
        let taken = state.withLock { s -> Worker?? in
            guard !s.unavailable, !s.closed else { return .some(nil) }
            let index = s.idle.lastIndex { $0.recent.last == program } ?? s.idle.lastIndex { $0.recent.contains(program) }
                ?? (s.idle.isEmpty ? nil : s.idle.count - 1)
            guard let index else { return nil }
            return .some(s.idle.remove(at: index))
        }
        if let taken { return taken }
        guard let worker = start() else {
            state.withLock { $0.unavailable = true }
            return nil
        }
        state.withLock { $0.started += 1 }
        return worker
    }

    private func release(_ worker: Worker) {
        let keep = state.withLock { s -> Bool in
            guard !s.closed else { return false }
            s.idle.append(worker)
            return true
        }
        if !keep {
            close(worker.channel)
            close(worker.stderr)
            var status: Int32 = 0
            while waitpid(worker.pid, &status, 0) < 0 && errno == EINTR {}
        }
    }

    /// Reaps a worker that stopped answering (killing it first, and the process group of the
    /// run it had forked), and says how it ended.
    private func bury(_ worker: Worker, runGroup: pid_t?) -> Death {
        close(worker.channel)
        kill(worker.pid, SIGKILL)
        if let runGroup { kill(-runGroup, SIGKILL) }
        var status: Int32 = 0
        while waitpid(worker.pid, &status, 0) < 0 && errno == EINTR {}
        let signaled = (status & 0x7f) != 0
        let code: Int32 = signaled ? 128 + (status & 0x7f) : (status >> 8) & 0xff
        let stderr = RunWorker.contents(of: worker.stderr)
        close(worker.stderr)
        return Death(pid: worker.pid, status: code, stderr: stderr)
    }

    /// Starts a worker and waits for its ready frame; `nil` when the executable does not
    /// become a worker (it exits, or says nothing within ``startLimit``).
    private func start() -> Worker? {
        // The worker's stdout and stderr: files read back at each request, unlinked once it runs.
        guard let directory = try? FileIO.makeTemporaryDirectory() else { return nil }
        defer { FileIO.removeTree(directory) }
        let stderr = open(directory + "/stderr", O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard stderr >= 0 else { return nil }
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            close(stderr)
            return nil
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, directory + "/stdout", O_RDWR | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        posix_spawn_file_actions_adddup2(&actions, fds[1], RunWorker.channel)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // As Subprocess starts children: no signal blocked, every disposition the default, a
        // process group of its own (a Ctrl-C reaches only this process, whose end kills the
        // worker, whose end kills its run).
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))
        let words: [String] = [executable, "run-worker"]
        let argv = words.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        close(fds[1])
        guard rc == 0 else {
            close(fds[0])
            close(stderr)
            return nil
        }
        let worker = Worker(pid: pid, channel: fds[0], stderr: stderr)
        var poller = pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)
        let deadline = Subprocess.monotonicSeconds() + Self.startLimit
        var ready = false
        while Subprocess.monotonicSeconds() < deadline {
            let n = poll(&poller, 1, 1000)
            if n < 0 && errno != EINTR { break }
            guard n > 0 else { continue }
            if let frame = RunWorkerProtocol.receive(on: fds[0]), case .ready(let said)? = try? RunWorkerProtocol.decodeReply(frame) {
                ready = said == pid
            }
            break
        }
        guard ready else {
            _ = bury(worker, runGroup: nil)
            return nil
        }
        return worker
    }
}
