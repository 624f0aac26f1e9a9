import CrossRunDriver
import CrossRunGDB
import CrossRunSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A raw protocol client against `crossrun --gdb 0` (no gdb needed): junk and corrupt packets
/// before a session, Ctrl-C stopping a spinning program with SIGINT, memory written through `M`
/// releasing it, and the `W` packet with its exit code; `k` ending a run.
///
/// A raw protocol client against `crossrun --gdb 0` on every target: junk, a bad checksum and a
/// 20,000-byte packet before the session are survived, Ctrl-C stops a spinning program with SIGINT,
/// an `M` write to its global releases it and `W07` reports the exit; `k` ends a run (137, "killed
/// by the debugger"); a client that goes away lets the program finish; a forked child runs on
/// undebugged and the client gets the parent's `W05`; a busy port, `--backend native` and
/// `--timeout` with `--gdb` are clear errors.
final class GDBServerTests: XCTestCase {
    static let spin = """
        #include <stdio.h>
        volatile int spin = 1;
        int main(void) { while (spin) {} puts("released"); return 7; }
        """

    /// A started `crossrun --gdb 0` and a socket connected to it.
    struct Session {
        var process: Process
        var socket: Int32
        var directory: String
        var buffer: [UInt8] = []

        func send(_ bytes: [UInt8]) {
            _ = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }

        /// Reads until a whole packet arrived; returns its payload (acks are skipped).
        mutating func packet() -> String? {
            while true {
                if let start = buffer.firstIndex(of: UInt8(ascii: "$")),
                   let hash = buffer[start...].firstIndex(of: UInt8(ascii: "#")), hash + 2 < buffer.count {
                    let payload = String(decoding: buffer[(start + 1)..<hash], as: UTF8.self)
                    buffer.removeSubrange(0...(hash + 2))
                    return payload
                }
                var chunk = [UInt8](repeating: 0, count: 4096)
                let n = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
                guard n > 0 else { return nil }
                buffer += chunk[0..<n]
            }
        }

        mutating func request(_ text: String) -> String? {
            send(GDBPacket.frame(text))
            return packet()
        }
    }

    func start(_ source: String, target: String) throws -> Session {
        let dir = try TestSupport.scratch()
        try FileIO.write(Array(source.utf8), to: dir + "/prog.c")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestSupport.crossrun)
        process.arguments = ["--gdb", "0", "--target", target, dir + "/prog.c"]
        process.currentDirectoryURL = URL(fileURLWithPath: dir)
        _ = FileManager.default.createFile(atPath: dir + "/err", contents: nil)
        _ = FileManager.default.createFile(atPath: dir + "/out", contents: nil)
        process.standardError = FileHandle(forWritingAtPath: dir + "/err")
        process.standardOutput = FileHandle(forWritingAtPath: dir + "/out")
        try process.run()
        var port: UInt16?
        while port == nil && process.isRunning {
            let text = String(decoding: (try? FileIO.read(dir + "/err")) ?? [], as: UTF8.self)
            if let r = text.range(of: #"localhost:[0-9]+"#, options: .regularExpression) {
                port = UInt16(text[r].dropFirst("localhost:".count))
            } else {
                usleep(50_000)
            }
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = (port ?? 0).bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        XCTAssertEqual(connected, 0, "connect to crossrun --gdb")
        // A server that never answers fails the test instead of hanging it.
        var limit = timeval(tv_sec: 120, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        return Session(process: process, socket: fd, directory: dir)
    }

    func finish(_ s: Session) -> (status: Int32, stdout: String, stderr: String) {
        close(s.socket)
        s.process.waitUntilExit()
        defer { FileIO.removeTree(s.directory) }
        func read(_ name: String) -> String { String(decoding: (try? FileIO.read(s.directory + "/" + name)) ?? [], as: UTF8.self) }
        return (s.process.terminationStatus, read("out"), read("err"))
    }

    func testInterruptWriteMemoryAndExitOnEveryTarget() throws {
        for target in ["x64", "aarch64", "rv64"] {
            var s = try start(Self.spin, target: target)
            // Junk between packets, a bad checksum (answered '-'), an overlong packet: ignored.
            s.send(Array("+++junk\u{01}\u{ff}".utf8) + Array("$g#00".utf8))
            s.send([UInt8(ascii: "$")] + [UInt8](repeating: 0x41, count: 20000) + Array("#00".utf8))
            XCTAssertEqual(s.request("?"), "T05thread:1;", target)
            XCTAssertEqual(s.request("qXfer:exec-file:read::0,100"), "l/crossrun/prog.c.elf", target)
            // Continue, then Ctrl-C: the spinning program stops with SIGINT.
            s.send(GDBPacket.frame("c"))
            usleep(200_000)
            s.send([0x03])
            XCTAssertEqual(s.packet(), "T02thread:1;", target)
            // spin (at 0x402000 on every target: see the inspect output) = 0 releases it.
            XCTAssertEqual(s.request("m402000,4"), "01000000", target)
            XCTAssertEqual(s.request("M402000,4:00000000"), "OK", target)
            XCTAssertEqual(s.request("m0,4"), "E01", target)
            s.send(GDBPacket.frame("c"))
            XCTAssertEqual(s.packet(), "W07", target)
            let r = finish(s)
            XCTAssertEqual(r.status, 7, "\(target): \(r.stderr)")
            XCTAssertEqual(r.stdout, "released\n", target)
        }
    }

    func testBusyPortAndNativeBackendAreClearErrors() throws {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        try FileIO.write(Array("int main(void) { return 0; }\n".utf8), to: dir + "/p.c")
        // Hold a port, then ask crossrun to serve on it.
        let holder = try GDBServer(port: 0, dispatcher: GDBDispatcher())
        let busy = try TestSupport.runCrossrun(["--gdb", String(holder.port), "--target", "rv64", dir + "/p.c"])
        XCTAssertEqual(busy.status, 1)
        XCTAssertTrue(busy.stderr.contains("crossrun: error: --gdb: cannot listen on localhost:\(holder.port): Address already in use"), busy.stderr)
        let native = try TestSupport.runCrossrun(["--gdb", "0", "--backend", "native", dir + "/p.c"])
        XCTAssertEqual(native.status, 1)
        XCTAssertTrue(native.stderr.contains("--gdb debugs emulated runs only"), native.stderr)
        let timed = try TestSupport.runCrossrun(["--gdb", "0", "--timeout", "5", "--target", "rv64", dir + "/p.c"])
        XCTAssertEqual(timed.status, 1)
        XCTAssertTrue(timed.stderr.contains("--timeout cannot be combined with --gdb"), timed.stderr)
    }

    /// The program forks: the child runs on undebugged (no stop, nothing sent), the client
    /// gets the parent's exit.
    func testForkedChildLeavesTheSessionToTheParent() throws {
        let source = """
            #include <stdio.h>
            #include <unistd.h>
            #include <sys/wait.h>
            int work(int x) { return x + 1; }
            int main(void) {
                fflush(stdout);
                pid_t pid = fork();
                if (pid == 0) { printf("child %d\\n", work(1)); return 9; }
                int status = 0;
                waitpid(pid, &status, 0);
                printf("parent %d child exit %d\\n", work(2), WEXITSTATUS(status));
                return 5;
            }
            """
        for target in ["x64", "rv64"] {
            var s = try start(source, target: target)
            XCTAssertEqual(s.request("?"), "T05thread:1;", target)
            s.send(GDBPacket.frame("c"))
            XCTAssertEqual(s.packet(), "W05", target)
            let r = finish(s)
            XCTAssertEqual(r.status, 5, "\(target): \(r.stderr)")
            XCTAssertEqual(r.stdout, "child 2\nparent 3 child exit 9\n", target)
        }
    }

    func testKillEndsTheRun() throws {
        var s = try start(Self.spin, target: "rv64")
        XCTAssertEqual(s.request("?"), "T05thread:1;")
        s.send(GDBPacket.frame("k"))
        let r = finish(s)
        XCTAssertEqual(r.status, 137, r.stderr)
        XCTAssertTrue(r.stderr.contains("killed by the debugger"), r.stderr)
    }

    func testClientGoingAwayLetsTheProgramFinish() throws {
        var s = try start("#include <stdio.h>\nint main(void) { puts(\"alone\"); return 4; }\n", target: "aarch64")
        XCTAssertEqual(s.request("?"), "T05thread:1;")
        let r = finish(s)   // closes the socket: the run goes on as after a detach
        XCTAssertEqual(r.status, 4, r.stderr)
        XCTAssertEqual(r.stdout, "alone\n")
    }
}
