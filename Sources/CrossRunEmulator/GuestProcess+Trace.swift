import CrossRunLibc
#if canImport(Glibc)
import Glibc
#endif

/// `--trace=syscall`: one strace-style line per system call the guest makes itself (inline
/// `syscall`/`svc`/`ecall`; library calls served by the host are not system calls here),
/// with decoded arguments and the result: `write(1, "raw\n", 4) = 4`,
/// `openat(AT_FDCWD, "x", O_RDONLY) = -1 ENOENT (No such file or directory)`.
/// Off (``GuestProcess/Options/syscallTrace`` nil), the dispatcher only tests that it is nil.
public struct SyscallTraceOptions {
    /// Where lines go (stderr, or the `--trace-file`).
    public var output: UnsafeMutablePointer<FILE>
    /// Strings longer than this are cut and followed by `...` (strace's `-s`).
    public var stringLimit = 32

    public init(output: UnsafeMutablePointer<FILE>) { self.output = output }
}

extension GuestProcess {
    /// Before a call: the line of a call that does not return (`exit_group(0) = ?`).
    func traceSyscallEntry(_ number: UInt64, _ a: [UInt64]) {
        guard let trace = options.syscallTrace, let call = arch.abi.syscalls[number], call == .exit || call == .exitGroup else { return }
        fputs("\(Self.syscallName(call))(\(Int32(truncatingIfNeeded: a[0]))) = ?\n", trace.output)
        fflush(trace.output)
    }

    /// After a call: its line with the result (`-errno` for a failure).
    func traceSyscall(_ number: UInt64, _ a: [UInt64], result: Int64) {
        guard let trace = options.syscallTrace else { return }
        let call = arch.abi.syscalls[number]
        let name = call.map(Self.syscallName) ?? "syscall_\(number)"
        let arguments = call.map { describeArguments($0, a, result: result, limit: trace.stringLimit) }
            ?? a.prefix(3).map(Self.hex).joined(separator: ", ")
        fputs("\(name)(\(arguments)) = \(describeResult(call, result))\n", trace.output)
        fflush(trace.output)
    }

    /// strace's name of a call: the case name in snake case (`clockGettime` → `clock_gettime`).
    static func syscallName(_ call: GuestSyscall) -> String {
        var name = ""
        for c in String(describing: call) {
            if c.isUppercase { name += "_" + c.lowercased() } else { name.append(c) }
        }
        return name
    }

    /// `--trace=signal`: strace's line for a signal delivered to the program.
    static func traceSignal(_ sig: Int32, to output: UnsafeMutablePointer<FILE>) {
        fputs("--- \(signalName(sig)) {si_signo=\(signalName(sig))} ---\n", output)
        fflush(output)
    }

    /// `SIGSEGV`, `SIGRTMIN+3` (Linux's numbers, the same on every target).
    public static func signalName(_ sig: Int32) -> String {
        let names = ["SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1",
                     "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP",
                     "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"]
        if sig >= 1 && Int(sig) <= names.count { return names[Int(sig) - 1] }
        if sig >= 32 && sig <= 64 { return sig == 32 ? "SIGRTMIN" : "SIGRT_\(sig - 32)" }
        return "signal \(sig)"
    }

    static func hex(_ value: UInt64) -> String { LibcTraceFormat.hex(value) }

    func describeResult(_ call: GuestSyscall?, _ result: Int64) -> String {
        if result < 0 && result >= -4095 {
            let code = Int32(-result)
            return "-1 \(Self.errnoName(code)) (\(String(cString: strerror(code))))"
        }
        switch call {
        case .mmap?, .brk?: return Self.hex(UInt64(bitPattern: result))
        default: return String(result)
        }
    }

    /// A guest string or buffer as strace quotes it: escapes, then `...` past `limit` bytes.
    func quoted(_ address: UInt64, count: Int? = nil, limit: Int) -> String {
        LibcTraceFormat.quoted(address, count: count, memory: memory, limit: limit)
    }

    func describeArguments(_ call: GuestSyscall, _ a: [UInt64], result: Int64, limit: Int) -> String {
        func fd(_ v: UInt64) -> String {
            let d = Int32(truncatingIfNeeded: v)
            return d == -100 ? "AT_FDCWD" : String(d)
        }
        let transferred = result > 0 ? Int(result) : 0
        switch call {
        case .read: return "\(fd(a[0])), \(result >= 0 ? quoted(a[1], count: transferred, limit: limit) : Self.hex(a[1])), \(a[2])"
        case .write: return "\(fd(a[0])), \(quoted(a[1], count: Int(clamping: a[2]), limit: limit)), \(a[2])"
        case .writev: return "\(fd(a[0])), \(describeVector(a[1], Int(clamping: min(a[2], 8)), limit: limit, more: a[2] > 8)), \(a[2])"
        case .open: return "\(quoted(a[0], limit: limit)), \(Self.openFlags(runtime.hostOpenFlags(Int32(truncatingIfNeeded: a[1]))))" + mode(a[1], a[2])
        case .openat:
            return "\(fd(a[0])), \(quoted(a[1], limit: limit)), \(Self.openFlags(runtime.hostOpenFlags(Int32(truncatingIfNeeded: a[2]))))" + mode(a[2], a[3])
        case .close, .fstat: return call == .close ? fd(a[0]) : "\(fd(a[0])), \(Self.hex(a[1]))"
        case .lseek: return "\(fd(a[0])), \(Int64(bitPattern: a[1])), \(["SEEK_SET", "SEEK_CUR", "SEEK_END"][safe: Int(truncatingIfNeeded: a[2])] ?? String(a[2]))"
        case .stat, .lstat: return "\(quoted(a[0], limit: limit)), \(Self.hex(a[1]))"
        case .newfstatat: return "\(fd(a[0])), \(quoted(a[1], limit: limit)), \(Self.hex(a[2])), \(Self.hex(a[3]))"
        case .readlink: return "\(quoted(a[0], limit: limit)), \(result >= 0 ? quoted(a[1], count: transferred, limit: limit) : Self.hex(a[1])), \(a[2])"
        case .readlinkat:
            return "\(fd(a[0])), \(quoted(a[1], limit: limit)), \(result >= 0 ? quoted(a[2], count: transferred, limit: limit) : Self.hex(a[2])), \(a[3])"
        case .unlink: return quoted(a[0], limit: limit)
        case .unlinkat: return "\(fd(a[0])), \(quoted(a[1], limit: limit)), \(a[2] & 0x200 != 0 ? "AT_REMOVEDIR" : "0")"
        case .getcwd: return "\(result > 0 ? quoted(a[0], limit: limit) : Self.hex(a[0])), \(a[1])"
        case .brk, .setTidAddress: return Self.hex(a[0])
        case .mmap:
            return "\(Self.hex(a[0])), \(a[1]), \(Self.flags(a[2], [(1, "PROT_READ"), (2, "PROT_WRITE"), (4, "PROT_EXEC")], none: "PROT_NONE")), "
                + "\(Self.flags(a[3], [(1, "MAP_SHARED"), (2, "MAP_PRIVATE"), (0x10, "MAP_FIXED"), (0x20, "MAP_ANONYMOUS")], none: "0")), \(Int32(truncatingIfNeeded: a[4])), \(a[5])"
        case .munmap: return "\(Self.hex(a[0])), \(a[1])"
        case .mprotect: return "\(Self.hex(a[0])), \(a[1]), \(Self.flags(a[2], [(1, "PROT_READ"), (2, "PROT_WRITE"), (4, "PROT_EXEC")], none: "PROT_NONE"))"
        case .getpid, .gettid: return ""
        case .clockGettime:
            let names = ["CLOCK_REALTIME", "CLOCK_MONOTONIC", "CLOCK_PROCESS_CPUTIME_ID", "CLOCK_THREAD_CPUTIME_ID", "CLOCK_MONOTONIC_RAW",
                         "CLOCK_REALTIME_COARSE", "CLOCK_MONOTONIC_COARSE", "CLOCK_BOOTTIME"]
            let clock = names[safe: Int(truncatingIfNeeded: a[0])] ?? String(Int32(truncatingIfNeeded: a[0]))
            guard result == 0, let s = try? memory.load(a[1], as: Int64.self), let ns = try? memory.load(a[1] &+ 8, as: Int64.self) else {
                return "\(clock), \(Self.hex(a[1]))"
            }
            return "\(clock), {tv_sec=\(s), tv_nsec=\(ns)}"
        case .gettimeofday:
            guard result == 0, a[0] != 0, let s = try? memory.load(a[0], as: Int64.self), let us = try? memory.load(a[0] &+ 8, as: Int64.self) else {
                return "\(Self.hex(a[0])), \(Self.hex(a[1]))"
            }
            return "{tv_sec=\(s), tv_usec=\(us)}, \(Self.hex(a[1]))"
        case .getrandom: return "\(result >= 0 ? quoted(a[0], count: transferred, limit: limit) : Self.hex(a[0])), \(a[1]), \(a[2])"
        case .exit, .exitGroup: return String(Int32(truncatingIfNeeded: a[0]))
        default: return a.prefix(3).map(Self.hex).joined(separator: ", ")
        }
    }

    private func mode(_ flags: UInt64, _ mode: UInt64) -> String {
        guard runtime.hostOpenFlags(Int32(truncatingIfNeeded: flags)) & O_CREAT != 0 else { return "" }
        let digits = String(mode & 0o7777, radix: 8)
        return ", 0" + String(repeating: "0", count: max(0, 3 - digits.count)) + digits   // 0644, 000
    }

    private func describeVector(_ address: UInt64, _ count: Int, limit: Int, more: Bool) -> String {
        var parts: [String] = []
        for i in 0..<count {
            let entry = address &+ UInt64(16 * i)
            guard let base = try? memory.load(entry, as: UInt64.self), let length = try? memory.load(entry &+ 8, as: UInt64.self) else {
                return Self.hex(address)
            }
            parts.append("{iov_base=\(quoted(base, count: Int(clamping: length), limit: limit)), iov_len=\(length)}")
        }
        return "[" + parts.joined(separator: ", ") + (more ? ", ..." : "") + "]"
    }

    /// Host open flags (the guest's, translated) as `O_WRONLY|O_CREAT|O_TRUNC`.
    static func openFlags(_ flags: Int32) -> String {
        var names = [["O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"][Int(flags & O_ACCMODE)]]
        var rest = flags & ~O_ACCMODE
        for (bit, name) in [(O_CREAT, "O_CREAT"), (O_EXCL, "O_EXCL"), (O_NOCTTY, "O_NOCTTY"), (O_TRUNC, "O_TRUNC"), (O_APPEND, "O_APPEND"),
                            (O_NONBLOCK, "O_NONBLOCK"), (O_DIRECTORY, "O_DIRECTORY"), (O_NOFOLLOW, "O_NOFOLLOW"), (O_CLOEXEC, "O_CLOEXEC")]
            where rest & bit != 0 {
            names.append(name)
            rest &= ~bit
        }
        if rest != 0 { names.append("0x" + String(UInt32(bitPattern: rest), radix: 16)) }
        return names.joined(separator: "|")
    }

    static func flags(_ value: UInt64, _ known: [(UInt64, String)], none: String) -> String {
        guard value != 0 else { return none }
        var names: [String] = []
        var rest = value
        for (bit, name) in known where rest & bit != 0 {
            names.append(name)
            rest &= ~bit
        }
        if rest != 0 { names.append("0x" + String(rest, radix: 16)) }
        return names.joined(separator: "|")
    }

    /// The symbolic name of a Linux errno (the same numbers on every target).
    static func errnoName(_ code: Int32) -> String { LibcTraceFormat.errnoName(code) }
}

fileprivate extension Array {
    subscript(safe index: Int) -> Element? { index >= 0 && index < count ? self[index] : nil }
}
