#if canImport(Glibc)
import Glibc
#endif

/// Runs a program and waits for it, via `posix_spawn`.
public enum Subprocess {
    /// Result of a run.
    public struct Result: Sendable {
        /// Exit status, or 128+N when killed by signal N.
        public var status: Int32
        /// Captured standard output (empty unless captured).
        public var output: [UInt8]
    }

    /// Runs `executable` with `arguments`; stdin is `/dev/null`, stderr is inherited, stdout
    /// is captured when `captureOutput` is set and inherited otherwise.
    public static func run(_ executable: String, _ arguments: [String], captureOutput: Bool = false) throws -> Result {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        var fds: [Int32] = [-1, -1]
        if captureOutput {
            guard pipe(&fds) == 0 else { throw DriverError.environment("pipe failed") }
            posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
            posix_spawn_file_actions_addclose(&actions, fds[0])
            posix_spawn_file_actions_addclose(&actions, fds[1])
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let rc = posix_spawnp(&pid, executable, &actions, nil, argv, environ)
        if captureOutput { close(fds[1]) }
        guard rc == 0 else {
            if captureOutput { close(fds[0]) }
            throw DriverError.environment("cannot run \(executable): \(String(cString: strerror(rc)))")
        }
        var output: [UInt8] = []
        if captureOutput {
            var buf = [UInt8](repeating: 0, count: 1 << 14)
            while true {
                let n = buf.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                output.append(contentsOf: buf[0..<n])
            }
            close(fds[0])
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Result(status: code, output: output)
    }
}
