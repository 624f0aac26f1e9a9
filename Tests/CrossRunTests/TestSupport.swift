import CrossRunDriver
import CrossRunELF
import CrossRunLink
import CrossRunSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Helpers shared by the tests: the toolchain, the built `crossrun`, compiling snippets.
enum TestSupport {
    static let toolchain: Toolchain = {
        do { return try Toolchain.discover() } catch { fatalError("test setup: \(error)") }
    }()

    /// The repository root (where fixtures/ and include/ live).
    static var root: String { toolchain.home }

    /// The `crossrun` executable built next to the test bundle.
    static var crossrun: String {
        let exe = FileIO.realPath("/proc/self/exe") ?? CommandLine.arguments[0]
        var dir = FileIO.directory(of: exe)
        for _ in 0..<3 {
            if FileIO.exists(dir + "/crossrun") && !FileIO.isDirectory(dir + "/crossrun") { return dir + "/crossrun" }
            dir = FileIO.directory(of: dir)
        }
        return root + "/.build/debug/crossrun"
    }

    /// C source of `sys3(number, a, b, c)`: a raw three-argument system call on every target,
    /// for tests of the emulator's system-call shims (libc is bypassed).
    static let rawSyscall3 = """
        static long sys3(long n, long a, long b, long c) {
        #if defined(__x86_64__)
            long r;
            __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
            return r;
        #elif defined(__aarch64__)
            register long x8 __asm__("x8") = n, x0 __asm__("x0") = a, x1 __asm__("x1") = b, x2 __asm__("x2") = c;
            __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
            return x0;
        #else
            register long a7 __asm__("a7") = n, a0 __asm__("a0") = a, a1 __asm__("a1") = b, a2 __asm__("a2") = c;
            __asm__ volatile("ecall" : "+r"(a0) : "r"(a7), "r"(a1), "r"(a2) : "memory");
            return a0;
        #endif
        }
        """

    /// A scratch directory removed at process exit is not needed: each test cleans up.
    static func scratch() throws -> String { try FileIO.makeTemporaryDirectory() }

    /// Writes `text` to `path` with its access and modification times 10 s in the past (the
    /// compile cache refuses inputs newer than the compile, and trusts stamps only once settled).
    @discardableResult
    static func writeBackdated(_ text: String, to path: String) throws -> String {
        try FileIO.write(Array(text.utf8), to: path)
        var times = [timespec(tv_sec: time(nil) - 10, tv_nsec: 0), timespec(tv_sec: time(nil) - 10, tv_nsec: 0)]
        XCTAssertEqual(utimensat(AT_FDCWD, path, &times, 0), 0)
        return path
    }

    /// Compiles C `source` for `target` into an object (through CrossRun's compile policy).
    static func compile(_ source: String, target: Target = .x64, name: String = "test.c", flags: [String] = []) throws -> ObjectFile {
        let dir = try scratch()
        defer { FileIO.removeTree(dir) }
        let path = dir + "/" + name
        try FileIO.write(Array(source.utf8), to: path)
        var options = CompileOptions()
        options.clangFlags = flags
        return try Compiler(toolchain: toolchain).compile(path, displayName: name, target: target, options: options, scratch: dir)
    }

    /// Links objects with the runtime's import table.
    static func link(_ objects: [ObjectFile], archives: [Archive] = [], entry: String = "main") throws -> LinkImage {
        try Linker.link(objects: objects, archives: archives,
                        options: LinkOptions(machine: objects.first?.machine ?? .x86_64, requiredSymbols: [entry],
                                             runtimeSymbol: Pipeline.runtimeSymbol))
    }

    /// Result of running a process.
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `crossrun` with `arguments`, feeding `stdin`, in directory `cwd`, with `environment`
    /// added to this process's.
    static func runCrossrun(_ arguments: [String], stdin: [UInt8] = [], cwd: String? = nil,
                            environment: [String: String] = [:]) throws -> Outcome {
        try run(crossrun, arguments, stdin: stdin, cwd: cwd, environment: environment)
    }

    /// Runs a program, capturing stdout and stderr (through files, so large outputs cannot block).
    static func run(_ executable: String, _ arguments: [String], stdin: [UInt8] = [], cwd: String? = nil,
                    environment: [String: String] = [:]) throws -> Outcome {
        let dir = try scratch()
        defer { FileIO.removeTree(dir) }
        try FileIO.write(stdin, to: dir + "/in")
        var command = "exec"
        let assignments = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        if !assignments.isEmpty { command += " env" }
        for a in assignments + [executable] + arguments { command += " '" + a.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        command += " <'\(dir)/in' >'\(dir)/out' 2>'\(dir)/err'"
        if let cwd { command = "cd '\(cwd)' && " + command }
        let result = try Subprocess.run("/bin/sh", ["-c", command])
        return Outcome(status: result.status,
                       stdout: String(decoding: try FileIO.read(dir + "/out"), as: UTF8.self),
                       stderr: String(decoding: try FileIO.read(dir + "/err"), as: UTF8.self))
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
