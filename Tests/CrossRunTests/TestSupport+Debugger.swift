import CrossRunSupport
import XCTest

extension TestSupport {
    /// Single-quoted for `/bin/sh`.
    static func shellQuote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// Runs `crossrun --gdb 0 --target TARGET FLAGS prog.c` on `source` in a scratch directory
    /// and, once it waits, `client` (a shell command that may use `$port`; its output goes to
    /// the result) against it. `prepare` runs in the directory first (e.g. writing a symbol
    /// file). Returns the client's output followed by crossrun's stderr, the program's stdout
    /// and crossrun's exit status. `timeout` only bounds a hung session (a failure, not a
    /// measurement).
    static func debuggerSession(target: String, source: String, flags: [String], client: String,
                                prepare: (String) throws -> Void = { _ in }) throws -> (client: String, program: String, status: String) {
        let dir = try scratch()
        defer { FileIO.removeTree(dir) }
        try FileIO.write(Array(source.utf8), to: dir + "/prog.c")
        try prepare(dir)
        // The port is chosen by the system (--gdb 0) and read from crossrun's waiting message.
        let script = """
            cd \(shellQuote(dir))
            \(shellQuote(crossrun)) --gdb 0 --target \(target) \(flags.joined(separator: " ")) prog.c >prog.out 2>prog.err </dev/null &
            pid=$!
            port=
            while [ -z "$port" ] && kill -0 $pid 2>/dev/null; do
              port=$(sed -n 's/.*waiting for gdb on localhost:\\([0-9]*\\).*/\\1/p' prog.err)
              [ -n "$port" ] || sleep 0.1
            done
            timeout 300 \(client) >client.out 2>&1 </dev/null
            wait $pid
            echo $? >status
            """
        _ = try run("/bin/sh", ["-c", script])
        func read(_ name: String) -> String { String(decoding: (try? FileIO.read(dir + "/" + name)) ?? [], as: UTF8.self) }
        return (read("client.out") + read("prog.err"), read("prog.out"), read("status").trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
