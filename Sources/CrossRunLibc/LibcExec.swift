import CNativeSupport
#if canImport(Glibc)
import Glibc
#endif

/// The `exec` family: the CrossRun process is replaced by a *host* program, which runs
/// natively (not emulated, not confined, no `--timeout`), in the guest's current directory
/// with the guest's `umask` and descriptors. Under `--root` exec is refused with EACCES.
/// As natively, stdio buffers not flushed before a successful exec are lost. An exec of the
/// program itself (its first input, or `/proc/self/exe`, also under `--root`) is a new
/// CrossRun run of it instead (`self_exec.c`).
enum LibcExec {
    /// The most argument or environment strings a guest array may hold.
    static let maximumStrings = 1 << 16

    /// A NULL-terminated guest `char *[]` as host strings (bounded; EFAULT on a bad pointer).
    /// A NULL array is an empty one, as Linux's execve takes it (`environ` after `clearenv`).
    static func strings(_ rt: LibcRuntime, at address: UInt64) throws -> [[UInt8]]? {
        if address == 0 { return [] }
        var result: [[UInt8]] = []
        var p = address
        while true {
            guard result.count < maximumStrings else { rt.setErrno(E2BIG); return nil }
            let s: UInt64 = try rt.memory.load(p, as: UInt64.self)
            if s == 0 { return result }
            result.append(Array(try rt.memory.cString(s)))
            let (next, overflow) = p.addingReportingOverflow(8)
            guard !overflow else { rt.setErrno(EFAULT); return nil }
            p = next
        }
    }


    /// Whether the guest path names the running program's executable in /proc (resolved
    /// before `--root` applies: inside the root no /proc exists).
    static func namesOwnExecutable(_ path: [UInt8]) -> Bool {
        (path.map { CChar(bitPattern: $0) } + [0]).withUnsafeBufferPointer { crossrun_self_exec_names_proc_exe($0.baseAddress) != 0 }
    }

    /// An exec of `path` (a host path) with `argv` that means the program itself: CrossRun's
    /// own path and arguments for the new run, or an errno (E2BIG, ENOMEM); nil otherwise.
    static func selfExec(_ path: [CChar], _ argv: [[UInt8]]) -> (path: [CChar], argv: [[UInt8]], error: Int32)? {
        guard crossrun_self_exec_is_self(path) != 0 else { return nil }
        let cArgv = cStrings(argv)
        defer { for p in cArgv { p?.deallocate() } }
        guard let rewritten = crossrun_self_exec_argv(cArgv) else { return ([], [], errno) }
        defer { free(rewritten) }
        var strings: [[UInt8]] = []
        var i = 0
        while let p = rewritten[i] {
            strings.append(Array(UnsafeRawBufferPointer(start: p, count: strlen(p))))
            i += 1
        }
        guard let exe = strings.first else { return ([], [], ENOEXEC) }
        return (exe.map { CChar(bitPattern: $0) } + [0], strings, 0)
    }

    /// Host C strings of `list` plus the NULL, each allocated (the caller deallocates).
    static func cStrings(_ list: [[UInt8]]) -> [UnsafeMutablePointer<CChar>?] {
        list.map { bytes in
            let p = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
            for (i, b) in bytes.enumerated() { p[i] = CChar(bitPattern: b) }
            p[bytes.count] = 0
            return p
        } + [nil]
    }

    /// Replaces the process with `path` (a host path); returns only on failure, with the
    /// host's errno (everything changed for the exec is put back).
    static func exec(_ rt: LibcRuntime, _ path: [CChar], _ argv: [[UInt8]], _ envp: [[UInt8]]) -> Int32 {
        var path = path, argv = argv
        var selfExecuting = false
        if let own = selfExec(path, argv) {
            guard own.error == 0 else { return own.error }
            (path, argv) = (own.path, own.argv)
            selfExecuting = true
        }
        let cArgv = cStrings(argv), cEnvp = cStrings(envp)
        defer { for p in cArgv + cEnvp { p?.deallocate() } }
        // The guest's directory and umask; signals CrossRun ignores go back to their default
        // (those the guest ignores stay ignored, as exec keeps them).
        let saved = open(".", O_RDONLY | O_CLOEXEC)
        if let directory = rt.fileSystem.hostWorkingDirectory() {
            guard chdir(directory) == 0 else { let e = errno; if saved >= 0 { close(saved) }; return e }
        }
        var ignored: [Int32] = []
        for signal in 1..<Int32(32) where signal != SIGKILL && signal != SIGSTOP && rt.signalHandlers[signal] != LibcSignal.SIG_IGN {
            if InheritedSignals.hostIgnores(signal) {
                Glibc.signal(signal, SIG_DFL)
                ignored.append(signal)
            }
        }
        let guestIgnored = ignoringGuestIgnoredSignals(rt)
        defer { restore(guestIgnored) }
        // A host program inherits the guest's blocked signals, as execve keeps the mask (the
        // host's own mask follows the guest's only for the signals CrossRun forwards: SIGPIPE,
        // for one, is never blocked on the host). A new run of the program itself starts
        // CrossRun, which must not begin with its fault signals blocked.
        var previousMask = sigset_t()
        let setMask = !selfExecuting && hostSignalMask(rt.signalMask, saving: &previousMask)
        let e: Int32 = rt.creatingFiles { execve(path, cArgv, cEnvp); return errno }
        if setMask { pthread_sigmask(SIG_SETMASK, &previousMask, nil) }
        for signal in ignored { Glibc.signal(signal, SIG_IGN) }
        if saved >= 0 { _ = fchdir(saved); close(saved) }
        return e
    }

    /// Gives every signal the guest ignores the host disposition SIG_IGN, which a program
    /// started by exec or posix_spawn inherits (CrossRun's own handler for such a signal,
    /// SIGPIPE's for one, would become SIG_DFL there); returns the dispositions to put back.
    static func ignoringGuestIgnoredSignals(_ rt: LibcRuntime) -> [(Int32, sigaction)] {
        var changed: [(Int32, sigaction)] = []
        for signal in 1..<Int32(32) where signal != SIGKILL && signal != SIGSTOP && rt.signalHandlers[signal] == LibcSignal.SIG_IGN {
            var old = sigaction()
            guard sigaction(signal, nil, &old) == 0, unsafeBitCast(old.__sigaction_handler.sa_handler, to: Int.self) != 1 else { continue }
            Glibc.signal(signal, SIG_IGN)
            changed.append((signal, old))
        }
        return changed
    }

    /// Puts back dispositions ``ignoringGuestIgnoredSignals(_:)`` changed.
    static func restore(_ changed: [(Int32, sigaction)]) {
        for (signal, old) in changed { var action = old; sigaction(signal, &action, nil) }
    }

    /// Makes the calling host thread block exactly the signals of the guest's `mask` (bit
    /// `n - 1` for signal `n`), saving its mask in `previous`; false when it could not.
    static func hostSignalMask(_ mask: UInt64, saving previous: inout sigset_t) -> Bool {
        var wanted = sigset_t()
        sigemptyset(&wanted)
        for signal in 1...64 where mask >> UInt64(signal - 1) & 1 != 0 { sigaddset(&wanted, Int32(signal)) }
        return pthread_sigmask(SIG_SETMASK, &wanted, &previous) == 0
    }

    /// `execvp`'s search: a name without `/` is tried in each directory of the guest's PATH
    /// (glibc's default "/bin:/usr/bin" without one); EACCES is remembered over ENOENT.
    static func execSearching(_ rt: LibcRuntime, _ f: any CallFrame, _ file: [UInt8], _ argv: [[UInt8]], _ envp: [[UInt8]]) throws {
        guard !rt.fileSystem.confined else { rt.setErrno(EACCES); f.returnInt32(-1); return }
        guard !file.isEmpty else { rt.setErrno(ENOENT); f.returnInt32(-1); return }
        if file.contains(UInt8(ascii: "/")) {
            try execPath(rt, f, file, argv, envp)
            return
        }
        let path = LibcEnvironment.current(rt)["PATH"] ?? "/bin:/usr/bin"
        var sawAccess = false
        var last = ENOENT
        for directory in path.split(separator: ":", omittingEmptySubsequences: false) {
            let full = Array((directory.isEmpty ? "." : String(directory)).utf8) + [UInt8(ascii: "/")] + file
            guard let host = try? rt.fileSystem.resolve(full).host else { continue }
            last = exec(rt, host, argv, envp)
            if last == EACCES { sawAccess = true }
            if last != ENOENT && last != EACCES && last != ENOTDIR { break }
        }
        rt.setErrno(sawAccess && (last == ENOENT || last == ENOTDIR) ? EACCES : last)
        f.returnInt32(-1)
    }

    static func execPath(_ rt: LibcRuntime, _ f: any CallFrame, _ path: [UInt8], _ argv: [[UInt8]], _ envp: [[UInt8]]) throws {
        if namesOwnExecutable(path) {
            rt.setErrno(exec(rt, path.map { CChar(bitPattern: $0) } + [0], argv, envp))
            f.returnInt32(-1)
            return
        }
        guard !rt.fileSystem.confined else { rt.setErrno(EACCES); f.returnInt32(-1); return }
        let host: [CChar]
        do throws(GuestFileSystem.Failure) { host = try rt.fileSystem.resolve(path).host } catch { rt.setErrno(error.code); f.returnInt32(-1); return }
        rt.setErrno(exec(rt, host, argv, envp))
        f.returnInt32(-1)
    }

    /// `execl`'s list: the strings after the path up to NULL, then (for `execle`) the environment.
    static func list(_ rt: LibcRuntime, _ f: any CallFrame, withEnvironment: Bool) throws -> (argv: [[UInt8]], envp: [[UInt8]])? {
        var argv: [[UInt8]] = []
        var next = try f.int(1)
        var rest = try f.variadic(afterInts: 2, floats: 0)
        while next != 0 {
            guard argv.count < maximumStrings else { rt.setErrno(E2BIG); return nil }
            argv.append(Array(try rt.memory.cString(next)))
            next = try rest.nextInt()
        }
        guard withEnvironment else { return (argv, LibcProcesses.environment(rt)) }
        guard let envp = try strings(rt, at: rest.nextInt()) else { return nil }
        return (argv, envp)
    }

    static let functions: [String: HostFunction] = [
        "execve": LibcPosix.faultIsEFAULT { rt, f in   // the system call: bad pointers are EFAULT
            guard let argv = try strings(rt, at: f.int(1)), let envp = try strings(rt, at: f.int(2)) else { f.returnInt32(-1); return }
            try execPath(rt, f, Array(rt.memory.cString(f.int(0))), argv, envp)
        },
        "execv": { rt, f in
            guard let argv = try strings(rt, at: f.int(1)) else { f.returnInt32(-1); return }
            try execPath(rt, f, Array(rt.memory.cString(f.int(0))), argv, LibcProcesses.environment(rt))
        },
        "execvp": { rt, f in
            guard let argv = try strings(rt, at: f.int(1)) else { f.returnInt32(-1); return }
            try execSearching(rt, f, Array(rt.memory.cString(f.int(0))), argv, LibcProcesses.environment(rt))
        },
        "execl": { rt, f in
            guard let (argv, envp) = try list(rt, f, withEnvironment: false) else { f.returnInt32(-1); return }
            try execPath(rt, f, Array(rt.memory.cString(f.int(0))), argv, envp)
        },
        "execle": { rt, f in
            guard let (argv, envp) = try list(rt, f, withEnvironment: true) else { f.returnInt32(-1); return }
            try execPath(rt, f, Array(rt.memory.cString(f.int(0))), argv, envp)
        },
        "execlp": { rt, f in
            guard let (argv, envp) = try list(rt, f, withEnvironment: false) else { f.returnInt32(-1); return }
            try execSearching(rt, f, Array(rt.memory.cString(f.int(0))), argv, envp)
        },
    ]
}
