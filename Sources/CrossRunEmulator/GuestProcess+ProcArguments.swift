#if canImport(Glibc)
import Glibc
#endif

/// Where the guest's argument and environment strings are (Linux's `arg_start…arg_end` and
/// `env_start…env_end`), and the lowest address of the argv/envp vectors below them.
struct ArgumentStrings {
    var arguments: Range<UInt64> = 0..<0
    var environment: Range<UInt64> = 0..<0
    var vectors: UInt64 = 0
}

extension GuestProcess {
    /// Bytes read from `/proc/self/cmdline` and `/proc/self/environ` at most (Linux reads
    /// them live from the process; so do these, from guest memory at each open).
    static let maximumProcArgumentBytes = 1 << 20

    /// `/proc/self/cmdline` and `/proc/self/environ` as Linux makes them: the bytes of the
    /// argument (environment) strings as the program's memory holds them now, so a program that
    /// rewrote its argv strings (a process title) reads its new title. As Linux does, when the
    /// last byte of the argument area is no longer a NUL the title went on into the environment
    /// area, and `cmdline` reads on to the first NUL there.
    func describeArguments() {
        runtime.fileSystem.generatedFiles[Array("/proc/self/cmdline".utf8)] = { [unowned self] in
            self.commandLineBytes()
        }
        runtime.fileSystem.generatedFiles[Array("/proc/self/environ".utf8)] = { [unowned self] in
            self.guestBytes(self.argumentStrings.environment)
        }
    }

    func commandLineBytes() -> [UInt8] {
        let strings = argumentStrings
        var bytes = guestBytes(strings.arguments)
        guard let last = bytes.last, last != 0 else { return bytes }
        let more = guestBytes(strings.environment)
        bytes += more.prefix { $0 != 0 }
        return bytes
    }

    /// The guest's bytes in `range` (at most ``maximumProcArgumentBytes``; none if unreadable).
    func guestBytes(_ range: Range<UInt64>) -> [UInt8] {
        let count = Int(min(UInt64(Self.maximumProcArgumentBytes), range.upperBound &- range.lowerBound))
        guard count > 0, range.upperBound > range.lowerBound else { return [] }
        guard let host = try? memory.host(range.lowerBound, count, write: false) else { return [] }
        return Array(UnsafeRawBufferPointer(start: host, count: count))
    }
}
