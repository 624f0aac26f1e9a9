import CHostSystem
#if canImport(Glibc)
import Glibc
#endif

/// Processes: `system`, `popen`/`pclose`, `wait`/`waitpid`/`waitid`, `fork`, process groups and sessions.
///
/// Programs started through the shell are host programs and run natively on the host (not
/// emulated, not confined): `/bin/sh -c command` in the guest's current directory, with the
/// guest's environment, `umask`, descriptors, blocked signals and ignored signals. Under `--root` the shell would leave the root,
/// so `system` and `popen` are refused with EACCES there (and `system(NULL)` answers 0).
/// Wait statuses are Linux's encoding on every target, the host's, so they pass through.
enum LibcProcesses {
    static let shell = "/bin/sh"

    /// The guest's `environ` vector's strings byte for byte, in its order (what a native child
    /// would inherit).
    static func environment(_ rt: LibcRuntime) -> [[UInt8]] {
        ((try? LibcEnvironment.entries(rt)) ?? []).map(\.text)
    }

    /// Starts `/bin/sh -c command`; the child's `targetFD` becomes `pipeFD` when that is >= 0.
    /// Returns the child's pid or an errno.
    static func spawn(_ rt: LibcRuntime, _ command: [UInt8], pipeFD: Int32 = -1, targetFD: Int32 = -1, otherFD: Int32 = -1) -> Result<pid_t, SpawnError> {
        let directory = rt.fileSystem.hostWorkingDirectory()
        let env = environment(rt)
        var cEnv: [UnsafeMutablePointer<CChar>?] = env.map { text in
            (text.map { CChar(bitPattern: $0) } + [0]).withUnsafeBufferPointer { $0.baseAddress.flatMap(strdup) }
        }
        cEnv.append(nil)
        defer { for p in cEnv { free(p) } }
        var pid: Int32 = 0
        // As glibc's system and popen: the shell gets the caller's mask and ignored signals.
        let mask = rt.signalMask, ignored = ignoredSignals(rt)
        let changed = LibcExec.ignoringGuestIgnoredSignals(rt)
        defer { LibcExec.restore(changed) }
        let r: Int32 = rt.creatingFiles {
            (command.map { CChar(bitPattern: $0) } + [0]).withUnsafeBufferPointer { cmd in
                if let directory {
                    return directory.withUnsafeBufferPointer {
                        crossrun_spawn_shell(cmd.baseAddress, $0.baseAddress, &cEnv, pipeFD, targetFD, otherFD, mask, ignored, &pid)
                    }
                }
                return crossrun_spawn_shell(cmd.baseAddress, nil, &cEnv, pipeFD, targetFD, otherFD, mask, ignored, &pid)
            }
        }
        return r == 0 ? .success(pid) : .failure(SpawnError(code: r))
    }

    struct SpawnError: Error { let code: Int32 }

    /// The signals the guest ignores (bit N-1: signal N), which a program it starts keeps
    /// ignored, as exec and posix_spawn do.
    static func ignoredSignals(_ rt: LibcRuntime) -> UInt64 {
        rt.signalHandlers.reduce(0) { set, entry in
            entry.value == LibcSignal.SIG_IGN && entry.key >= 1 && entry.key <= 64 ? set | 1 << UInt64(entry.key - 1) : set
        }
    }

    /// Waits for a host child (retrying on EINTR, as glibc's `system` and `pclose` do);
    /// its status, or -1 with errno set.
    static func waitFor(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while true {
            if Glibc.waitpid(pid, &status, 0) == pid { return status }
            if errno != EINTR { return -1 }
        }
    }

    static let functions: [String: HostFunction] = [
        "system": { rt, f in
            let address = try f.int(0)
            let confined = rt.fileSystem.confined
            if address == 0 {
                // Nonzero when a shell is available; none is under --root.
                f.returnInt32(!confined && access(shell, X_OK) == 0 ? 1 : 0)
                return
            }
            let command = Array(try rt.memory.cString(address))
            guard !confined else { rt.setErrno(EACCES); f.returnInt32(-1); return }
            switch spawn(rt, command) {
            case .success(let pid):
                let status = waitFor(pid)
                if status == -1 { rt.setErrno(errno) }
                f.returnInt32(status)
            case .failure:
                f.returnInt32(127 << 8)   // glibc: the shell could not be started
            }
        },
        "popen": { rt, f in
            let command = Array(try rt.memory.cString(f.int(0)))
            let mode = Array(try rt.memory.cString(f.int(1)))
            // glibc: "r" or "w", optionally followed by "e" (close on exec).
            guard let kind = mode.first, kind == UInt8(ascii: "r") || kind == UInt8(ascii: "w"),
                  mode.dropFirst().allSatisfy({ $0 == UInt8(ascii: "e") }) else { rt.setErrno(EINVAL); f.returnInt(0); return }
            guard !rt.fileSystem.confined else { rt.setErrno(EACCES); f.returnInt(0); return }
            var fds: [Int32] = [-1, -1]
            guard pipe(&fds) == 0 else { rt.setErrno(errno); f.returnInt(0); return }
            // Neither end leaks into other children (the child's end is dup2'ed onto 0 or 1).
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            let reading = kind == UInt8(ascii: "r")
            let (ours, theirs) = reading ? (fds[0], fds[1]) : (fds[1], fds[0])
            let pid: pid_t
            switch spawn(rt, command, pipeFD: theirs, targetFD: reading ? 1 : 0, otherFD: ours) {
            case .success(let p): pid = p
            case .failure(let e):
                Glibc.close(ours); Glibc.close(theirs)
                rt.setErrno(e.code); f.returnInt(0); return
            }
            Glibc.close(theirs)
            if !mode.contains(UInt8(ascii: "e")) { _ = fcntl(ours, F_SETFD, 0) }
            guard let file = fdopen(ours, reading ? "r" : "w") else {
                rt.setErrno(errno); Glibc.close(ours); _ = waitFor(pid); f.returnInt(0); return
            }
            let handle = try rt.register(HostStream(file: file, owned: true))
            rt.state.popenChildren[handle] = pid
            f.returnInt(handle)
        },
        "pclose": { rt, f in
            let handle = try f.int(0)
            guard let pid = rt.state.popenChildren.removeValue(forKey: handle),
                  let s = rt.streams.removeValue(forKey: handle) else { rt.setErrno(ECHILD); f.returnInt32(-1); return }
            _ = s.close()
            let status = waitFor(pid)
            if status == -1 { rt.setErrno(errno) }
            f.returnInt32(status)
        },
        "getpgrp": { _, f in f.returnInt32(getpgrp()) },
        // The terminal's foreground group: host calls on the host descriptor (a background
        // caller of tcsetpgrp gets SIGTTOU unless it blocks or ignores it, as natively).
        "tcgetpgrp": { rt, f in LibcPosix.result(rt, f, Int(tcgetpgrp(try f.int32(0)))) },
        "tcsetpgrp": { rt, f in LibcPosix.result(rt, f, Int(tcsetpgrp(try f.int32(0), try f.int32(1)))) },
        "getpgid": { rt, f in LibcPosix.result(rt, f, Int(getpgid(try f.int32(0)))) },
        "setpgid": { rt, f in LibcPosix.result(rt, f, Int(setpgid(try f.int32(0), try f.int32(1)))) },
        "getsid": { rt, f in LibcPosix.result(rt, f, Int(getsid(try f.int32(0)))) },
        "setsid": { rt, f in LibcPosix.result(rt, f, Int(setsid())) },
        "pause": { rt, f in LibcPosix.result(rt, f, Int(Glibc.pause())) },
        "fork": fork,
        // runtime/fork.c's primitive: its fork runs pthread_atfork's handlers around this one.
        "__crossrun_fork": fork,
        // The child must only exec or _exit; a copy of the parent is a valid vfork child.
        "vfork": fork,
        // System-call wrappers: a bad status pointer is the kernel's EFAULT.
        "waitpid": LibcPosix.faultIsEFAULT { rt, f in try wait(rt, f, pid: f.int32(0), statusAddress: f.int(1), options: f.int32(2)) },
        "wait": LibcPosix.faultIsEFAULT { rt, f in try wait(rt, f, pid: -1, statusAddress: f.int(0), options: 0) },
        "waitid": LibcPosix.faultIsEFAULT { rt, f in
            try waitid(rt, f, idtype: f.int32(0), id: UInt32(truncatingIfNeeded: f.int(1)), infoAddress: f.int(2), options: f.int32(3))
        },
    ]

    /// `waitid` on host children: the id kinds, options and `si_code`s are Linux's on every
    /// target (the host's numbers), so they pass through; the host's `siginfo_t` is written
    /// into the guest's field by field (``LinuxLP64/Siginfo``). Like the kernel, a NULL `infop`
    /// is allowed, and with `WNOHANG` and no child ready the structure is zeroed.
    static func waitid(_ rt: LibcRuntime, _ f: any CallFrame, idtype: Int32, id: UInt32, infoAddress: UInt64, options: Int32) throws {
        let layout = rt.abi.linux.siginfo
        if infoAddress != 0 { _ = try rt.memory.mutableBytes(infoAddress, layout.size) }   // EFAULT before waiting
        var info = siginfo_t()
        let kind = idtype_t(UInt32(bitPattern: idtype))
        let r = infoAddress != 0 ? Glibc.waitid(kind, id_t(id), &info, options) : Glibc.waitid(kind, id_t(id), nil, options)
        if r < 0 { rt.setErrno(errno); f.returnInt32(-1); return }
        if infoAddress != 0 {
            let out = try GuestStructWriter(rt.memory, at: infoAddress, size: layout.size)
            let child = info._sifields._sigchld
            try out.set(layout.signo, Int64(info.si_signo))
            try out.set(layout.errno, Int64(info.si_errno))
            try out.set(layout.code, Int64(info.si_code))
            try out.set(layout.pid, Int64(child.si_pid))
            try out.set(layout.uid, UInt64(child.si_uid))
            try out.set(layout.status, Int64(child.si_status))
            try out.set(layout.utime, Int64(child.si_utime))
            try out.set(layout.stime, Int64(child.si_stime))
        }
        f.returnInt32(0)
    }

    /// `fork`: the whole CrossRun process forks inside the trap.
    static func fork(_ rt: LibcRuntime, _ f: any CallFrame) throws {
        // The whole CrossRun process forks: guest memory, the engine's state and the host
        // streams' buffers go with it (so unflushed output is duplicated, as natively).
        // The child continues from this trap with 0, the parent with the child's pid.
        guard let afterFork = rt.afterForkInChild else { rt.setErrno(ENOSYS); f.returnInt32(-1); return }
        let pid = Glibc.fork()
        if pid < 0 { rt.setErrno(errno); f.returnInt32(-1); return }
        if pid == 0 { afterFork() }
        f.returnInt32(pid)
    }

    /// `waitpid` on host children; the status (Linux's encoding on every target) is stored
    /// as the guest's `int`.
    static func wait(_ rt: LibcRuntime, _ f: any CallFrame, pid: Int32, statusAddress: UInt64, options: Int32) throws {
        if statusAddress != 0 { _ = try rt.memory.host(statusAddress, 4, write: true) }   // EFAULT before waiting
        var status: Int32 = 0
        let r = Glibc.waitpid(pid, &status, options)
        if r < 0 { rt.setErrno(errno); f.returnInt32(-1); return }
        if r > 0 && statusAddress != 0 { try rt.memory.store(status, at: statusAddress) }
        f.returnInt32(r)
    }
}
