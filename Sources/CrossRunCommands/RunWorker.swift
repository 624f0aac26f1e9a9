import ArgumentParser
import CNativeSupport
import CrossRunDriver
import CrossRunSupport
#if canImport(Glibc)
import Glibc
#endif

/// `crossrun run-worker`: a process `test` and `matrix` start once per job slot
/// (``RunWorkerPool``) instead of one `crossrun` process per build and per run. Not for users:
/// it serves ``RunWorkerProtocol`` requests on descriptor 3 and exits when that closes.
struct RunWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run-worker",
        abstract: "Serve test/matrix builds and runs (internal).",
        shouldDisplay: false
    )

    func run() throws {
        var st = stat()
        guard fcntl(RunWorker.channel, F_GETFD) >= 0, fstat(1, &st) == 0, st.st_mode & S_IFMT == S_IFREG,
              fstat(2, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            throw DriverError.usage("run-worker is started by crossrun test and matrix (it serves them on descriptor 3)")
        }
        RunWorker().serve()
    }
}

/// A run worker's loop. It is single-threaded (so it may `fork`), and for each request does
/// what a child `crossrun` process with the same command line would:
///
/// - `inspect --build-only …`: builds in this process (``Inspect/buildOnly(inputs:target:options:)``)
///   and answers with the status, stdout and stderr that command gives;
/// - `run …`: checks the options and builds the image here (``RunRequest/plan()``,
///   ``RunRequest/build(_:_:)``), keeping the last few images, then forks: the child makes itself
///   a fresh process (its own process group, default signal dispositions, only the descriptors
///   the request names, the request's working directory) and runs the image through
///   ``RunRequest/execute(_:_:_:)``, the code path of `crossrun run` itself; this process
///   captures its output and waits for it as ``Subprocess`` waits for a spawned child.
///
/// The worker's own stdout and stderr are files (opened for reading and appending, and already
/// unlinked), emptied at each request: what a build prints is read back from them, and what a
/// dying worker printed stays there for the pool to report.
final class RunWorker {
    /// The descriptor requests come in on and replies go out on.
    static let channel: Int32 = 3
    /// Images kept for later runs of the same program and variant (`--schedules`, and repeated
    /// runs of one configuration).
    static let imageLimit = 4

    private var images: [(key: String, built: Pipeline.Build, diagnostics: [UInt8])] = []

    init() {}

    /// The requests a worker serves: `inspect --build-only` and the `run` forms whose whole
    /// effect is in the forked child (no `--root`, `--trace`, `--gdb`, program on stdin, and
    /// natively no `--deterministic`, which re-executes the process without address-space
    /// randomization). `nil` for anything else: the caller starts a `crossrun` process.
    enum Job {
        case build(target: String?, inputs: [String], invocation: Invocation)
        case run(RunRequest, Invocation)

        init?(_ arguments: [String]) {
            guard let (invocation, rest) = try? Invocation.scan(arguments), invocation.fuzzFlags.isEmpty else { return nil }
            if let build = FastRun.scanBuildOnly(rest) {
                self = .build(target: build.target, inputs: build.inputs, invocation: invocation)
            } else if let request = FastRun.scan(rest), rest.first == "run", request.runsInForkedChild {
                self = .run(request, invocation)
            } else {
                return nil
            }
        }
    }

    /// Serves requests until the channel closes; ends when the process that started it ends,
    /// killing the process group of the run it is waiting for (the program's own forked
    /// children included).
    func serve() -> Never {
        // What the worker prints (builds) must not orient or buffer the streams its forked
        // runs use: a program's fwide(stdout, 0) is 0 in a fresh process.
        guard StandardStreams.divert(), Subprocess.exitWithParentGuardingGroup(),
              RunWorkerProtocol.send(RunWorkerProtocol.encode(.ready(getpid())), on: Self.channel) else { Glibc.exit(1) }
        while let frame = RunWorkerProtocol.receive(on: Self.channel) {
            guard let request = try? RunWorkerProtocol.decodeRequest(frame) else { Glibc.exit(2) }
            let result = handle(request)
            guard RunWorkerProtocol.send(RunWorkerProtocol.encode(.finished(result)), on: Self.channel) else { break }
        }
        Glibc.exit(0)
    }

    /// What a `crossrun` child started with `request` would have given.
    func handle(_ request: RunWorkerProtocol.Request) -> Subprocess.Result {
        emptyCaptureFiles()
        guard request.options.captureOutput, request.options.captureError, let job = Job(request.arguments) else {
            return failure("run worker: cannot serve `\(request.arguments.joined(separator: " "))`", status: 2)
        }
        // The build resolves relative paths where the child would run.
        let home = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer {
            if home >= 0 {
                _ = fchdir(home)
                close(home)
            }
        }
        if let directory = request.options.workingDirectory, chdir(directory) != 0 {
            return failure("cannot run crossrun in \(directory): \(String(cString: strerror(errno)))")
        }
        switch job {
        case .build(let target, let inputs, let invocation):
            var status: Int32 = 1
            reporting { status = try Inspect.buildOnly(inputs: inputs, target: target, options: invocation.compile) }
            return captured(status: status)
        case .run(let run, let invocation):
            var prepared: (RunRequest.Plan, Pipeline.Build, [UInt8])?
            reporting {
                let plan = try run.plan()
                let (built, diagnostics) = try image(run, plan, invocation)
                prepared = (plan, built, diagnostics)
            }
            guard let (plan, built, diagnostics) = prepared else { return captured(status: 1) }
            var result = fork(run, plan, built, invocation, options: request.options, commandLine: request.arguments)
            result.error = diagnostics + result.error
            return result
        }
    }

    /// The image `run` needs under `plan`: kept from an earlier request with the same inputs
    /// (unchanged since: same inode, size and modification time), options and variant, or
    /// built now. `diagnostics` is what building printed on stderr (clang's warnings), which a
    /// child `crossrun run` would print again on every run (from the compile cache).
    func image(_ run: RunRequest, _ plan: RunRequest.Plan, _ invocation: Invocation) throws -> (Pipeline.Build, [UInt8]) {
        let key = Self.imageKey(run, plan, invocation)
        if let key, let i = images.firstIndex(where: { $0.key == key }) {
            let entry = images.remove(at: i)
            images.insert(entry, at: 0)
            return (entry.built, entry.diagnostics)
        }
        let built = try run.build(plan, invocation)
        fflush(StandardStreams.error)
        let diagnostics = Self.contents(of: 2)
        emptyCaptureFiles()
        if let key {
            images.insert((key, built, diagnostics), at: 0)
            if images.count > Self.imageLimit { images.removeLast() }
        }
        return (built, diagnostics)
    }

    /// What makes two builds the same image: the working directory, each input's identity,
    /// the compile options, target and variant. `nil` (no reuse) when an input cannot be
    /// `stat`ed.
    static func imageKey(_ run: RunRequest, _ plan: RunRequest.Plan, _ invocation: Invocation) -> String? {
        var parts = [FileIO.currentDirectory(), plan.target.rawValue, "\(run.buildVariant(plan))", "\(invocation.compile)"]
        for input in run.inputs {
            var st = stat()
            guard stat(input, &st) == 0 else { return nil }
            parts.append("\(input)\u{0}\(st.st_dev):\(st.st_ino):\(st.st_size):\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)")
        }
        return parts.joined(separator: "\u{1}")
    }

    /// Forks the run's process and waits for it as ``Subprocess/run(_:_:options:)`` waits for a
    /// spawned `crossrun run`.
    private func fork(_ run: RunRequest, _ plan: RunRequest.Plan, _ built: Pipeline.Build, _ invocation: Invocation,
                      options: Subprocess.Options, commandLine: [String]) -> Subprocess.Result {
        let inputPath = options.standardInput ?? "/dev/null"
        let input = open(inputPath, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { return failure("cannot open \(inputPath): \(String(cString: strerror(errno)))") }
        defer { close(input) }
        var output: [Int32] = [-1, -1], error: [Int32] = [-1, -1]
        guard pipe(&output) == 0 else { return failure("pipe failed: \(String(cString: strerror(errno)))") }
        guard pipe(&error) == 0 else {
            close(output[0]); close(output[1])
            return failure("pipe failed: \(String(cString: strerror(errno)))")
        }
        // Single-threaded: nothing can spawn between pipe and here.
        for fd in output + error { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        defer { close(output[0]); close(error[0]) }
        guard Self.isSingleThreaded() else {
            close(output[1]); close(error[1])
            return failure("internal error: the run worker is not single-threaded and cannot fork")
        }
        fflush(nil)
        let pid = Glibc.fork()
        if pid == 0 {
            Self.child(run, plan, built, invocation, descriptors: (input, output[1], error[1]), processGroup: options.processGroup,
                       commandLine: commandLine)
        }
        close(output[1])
        close(error[1])
        guard pid > 0 else { return failure("fork failed: \(String(cString: strerror(errno)))") }
        if options.processGroup {
            _ = setpgid(pid, pid)   // as the child does: whichever runs first
            Subprocess.guardGroup(pid)
            // The group the caller kills should this worker die before answering.
            _ = RunWorkerProtocol.send(RunWorkerProtocol.encode(.started(pid)), on: Self.channel)
        }
        defer { Subprocess.guardGroup(0) }
        return Subprocess.collect(pid, output: output[0], error: error[0], options: options)
    }

    /// The forked child: becomes the process a spawned `crossrun run` would be (its command
    /// line, `commandLine`, is what a program that executes itself runs again), then runs.
    private static func child(_ run: RunRequest, _ plan: RunRequest.Plan, _ built: Pipeline.Build, _ invocation: Invocation,
                              descriptors: (input: Int32, output: Int32, error: Int32), processGroup: Bool,
                              commandLine: [String]) -> Never {
        if processGroup { _ = setpgid(0, 0) }
        crossrun_become_original_process()
        guard dup2(descriptors.input, 0) == 0, dup2(descriptors.output, 1) == 1, dup2(descriptors.error, 2) == 2 else { _exit(127) }
        Subprocess.resetForkedChild(closingFrom: 3)
        StandardStreams.restoreInForkedChild()
        if run.exitWithParent && !Subprocess.exitWithParent() { Glibc.exit(1) }
        if !run.inputs.contains("-") {
            SelfExec.configure(inputs: run.inputs, commandLine: commandLine, toolchain: try? run.toolchain(), cache: run.cache())
        }
        CrossRunCommand.reportingErrors { try run.execute(plan, built, invocation) }
        Glibc.exit(0)
    }

    /// Whether this process has one thread (`/proc/self/stat`'s 20th field).
    static func isSingleThreaded() -> Bool {
        let fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0, let close = buffer[0..<n].lastIndex(of: UInt8(ascii: ")")) else { return false }
        let fields = buffer[(close + 1)..<n].split(separator: UInt8(ascii: " "))
        // After the command: state is field 3, so field 20 is the 18th here.
        return fields.count > 17 && fields[17].elementsEqual([UInt8(ascii: "1")])
    }

    /// Runs `body` as `crossrun` runs a command: an error is reported on stderr as the command
    /// line reports it (``CrossRunCommand/errorReport(_:)``), here into the capture file.
    private func reporting(_ body: () throws -> Void) {
        do {
            try body()
        } catch {
            fflush(StandardStreams.output)
            fputs(CrossRunCommand.errorReport(error), StandardStreams.error)
        }
    }

    /// A result made here rather than by a child: `message` as an error line on stderr.
    private func failure(_ message: String, status: Int32 = 1) -> Subprocess.Result {
        Subprocess.Result(status: status, output: [], error: Array("crossrun: error: \(message)\n".utf8))
    }

    /// What the request printed (stdout, stderr), with its exit status.
    private func captured(status: Int32) -> Subprocess.Result {
        fflush(StandardStreams.output)
        fflush(StandardStreams.error)
        let result = Subprocess.Result(status: status, output: Self.contents(of: 1), error: Self.contents(of: 2))
        emptyCaptureFiles()
        return result
    }

    /// Everything in the file open as `fd` (read from its start; [] if it cannot be read).
    static func contents(of fd: Int32) -> [UInt8] {
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size))
        var got = 0
        while got < bytes.count {
            let n = bytes.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return -1 }
                return pread(fd, base + got, buffer.count - got, off_t(got))
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            got += n
        }
        return Array(bytes[0..<got])
    }

    /// Empties the files behind this process's stdout and stderr (opened for appending, so the
    /// next write starts at the beginning again).
    private func emptyCaptureFiles() {
        fflush(StandardStreams.output)
        fflush(StandardStreams.error)
        _ = ftruncate(1, 0)
        _ = ftruncate(2, 0)
    }
}

extension RunRequest {
    /// Whether a run worker's forked child can do all of this run (``RunWorker/Job``): nothing
    /// it asks for changes the process before the build or must happen in a fresh `exec`.
    var runsInForkedChild: Bool {
        root == nil && trace == nil && traceFile == nil && gdb == nil && !inputs.contains("-")
            && !(deterministic && backend != .emu)
    }
}
