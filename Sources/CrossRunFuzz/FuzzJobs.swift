#if canImport(Glibc)
import Glibc
#endif
import CrossRunSupport

/// `-jobs=N -workers=M` and `-fork=N`: several fuzzing processes sharing one corpus directory,
/// as libFuzzer runs them. Each job is this same `crossrun fuzz` command line without those
/// flags (and, when `-seed=S` was given, with `-seed=S+K`), in its own process group, its
/// output in `fuzz-K.log` in the current directory. The processes share inputs through the
/// corpus directory: each saves what it finds there and re-reads it (`-reload`), so machines
/// fuzzing one directory on shared storage cooperate the same way.
package struct FuzzJobs {
    /// The command line of one job: `arguments` (argv, the executable first) without the
    /// job flags; `-seed=S` becomes `-seed=S+K`.
    package var arguments: [String]
    package var jobs: Int
    package var workers: Int
    /// `-fork`: stop the others at the first job that fails (a crash or timeout), and exit with its status.
    package var stopAtFirstFailure = false

    package init(arguments: [String], jobs: Int, workers: Int) {
        self.arguments = arguments.filter { a in !["-jobs=", "-workers=", "-fork="].contains { a.hasPrefix($0) } }
        self.jobs = jobs
        self.workers = max(1, min(workers, jobs))
    }

    /// libFuzzer's default number of workers: half the cores, at most `jobs`, at least 1.
    package static func defaultWorkers(jobs: Int) -> Int {
        max(1, min(jobs, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) / 2))
    }

    /// The command line of job `k`.
    func commandLine(job k: Int) -> [String] {
        arguments.map { a in
            guard a.hasPrefix("-seed="), let seed = UInt64(a.dropFirst(6)) else { return a }
            return "-seed=\(seed &+ UInt64(k))"
        }
    }

    /// Starts job `k`; its pid.
    func start(job k: Int) throws -> pid_t {
        let log = "fuzz-\(k).log"
        let argv = commandLine(job: k)
        fputs("Running: \(argv.joined(separator: " ")) > \(log) 2>&1\n", StandardStreams.error)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        let cArgs = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        var pid: pid_t = 0
        let r = posix_spawn(&pid, "/proc/self/exe", &actions, &attributes, cArgs, environ)
        guard r == 0 else { throw FuzzError.startupFailed("cannot start fuzzing job \(k): \(String(cString: strerror(r)))") }
        return pid
    }

    /// Runs every job, `workers` at a time; returns the first failing job's exit status (a
    /// crash's or timeout's), else 0.
    package func run() throws -> Int32 {
        var running: [pid_t: Int] = [:]
        var next = 0
        var status: Int32 = 0
        var stopping = false
        while next < jobs || !running.isEmpty {
            while !stopping && next < jobs && running.count < workers {
                running[try start(job: next)] = next
                next += 1
            }
            if running.isEmpty { break }
            var wait: Int32 = 0
            let pid = waitpid(-1, &wait, 0)
            if pid < 0 {
                if errno == EINTR { continue }
                break
            }
            guard let k = running.removeValue(forKey: pid) else { continue }
            let code = wait & 0x7f != 0 ? 128 + (wait & 0x7f) : (wait >> 8) & 0xff
            fputs("================== Job \(k) exited with exit code \(code) ============\n", StandardStreams.error)
            if code != 0 && status == 0 { status = code }
            if code != 0 && stopAtFirstFailure && !stopping {
                stopping = true
                for (other, _) in running { kill(-other, SIGKILL) }
            }
        }
        return status
    }
}
