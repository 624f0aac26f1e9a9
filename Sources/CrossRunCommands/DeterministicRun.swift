import CNativeSupport
import CrossRunDriver
import CrossRunSupport
#if canImport(Glibc)
import Glibc
#endif

/// What `crossrun run --deterministic` changes besides the clocks, process ids and random
/// sources (those are `deterministic.c`, shared by both backends): the program's environment
/// and `argv[0]`, and, natively, address-space randomization (doc/CLI.md, "Deterministic runs").
enum DeterministicRun {
    /// The whole environment of a deterministic program.
    static let environment: [String: String] = [
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": "/",
        "TZ": "UTC",
        "LANG": "C",
    ]

    /// Set in the environment of the process re-executed without address-space randomization,
    /// so it does not re-execute itself again.
    static let reexecMarker = "CROSSRUN_DETERMINISTIC_EXEC"

    /// `argv[0]` of a deterministic program: the last component of the first input's name, so
    /// it does not depend on the directory CrossRun was started from.
    static func programArgument(_ programName: String) -> String {
        programName.split(separator: "/").last.map(String.init) ?? programName
    }

    /// The variables CrossRun itself reads (toolchain, compile cache, scratch files): the only
    /// ones the re-executed CrossRun keeps, so other variables of the caller's environment do
    /// not move its stack or its allocations.
    static let crossrunVariables = ["PATH", "HOME", "TMPDIR", "CC", "CROSSRUN_CLANG", "CROSSRUN_HOME", "CROSSRUN_CACHE_DIR",
                                    "CROSSRUN_CACHE_MAX_MB", "CROSSRUN_NO_CACHE", "XDG_CACHE_HOME", "LD_LIBRARY_PATH"]

    /// Re-executes this CrossRun once with address-space randomization off, Swift's hashing
    /// seeded deterministically and only ``crossrunVariables`` in its environment, so the
    /// native program's heap, stack and image addresses, and CrossRun's own allocations before
    /// it starts, are the same run after run. Returns only in the re-executed process, or when
    /// randomization cannot be turned off or the exec fails (with a warning).
    static func reexecWithoutRandomization() {
        if getenv(reexecMarker) != nil { return }
        guard crossrun_det_disable_aslr() == 0 else {
            fputs("crossrun: warning: --deterministic: cannot turn address-space randomization off (personality: \(String(cString: strerror(errno)))); addresses may differ between runs\n", StandardStreams.error)
            return
        }
        var variables = crossrunVariables.compactMap { name in getenv(name).map { name + "=" + String(cString: $0) } }
        variables += [reexecMarker + "=1", "SWIFT_DETERMINISTIC_HASHING=1"]
        func cArray(_ strings: [String]) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> {
            let array = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: strings.count + 1)
            for (i, s) in strings.enumerated() { array[i] = strdup(s) }
            array[strings.count] = nil
            return array
        }
        fflush(nil)
        execve("/proc/self/exe", cArray(CommandLine.arguments), cArray(variables))
        fputs("crossrun: warning: --deterministic: cannot re-execute crossrun (\(String(cString: strerror(errno)))); addresses may differ between runs\n", StandardStreams.error)
    }

    /// The native import bindings of a deterministic run (`deterministic.c`).
    static var nativeBindings: [String: UInt64] {
        let capacity = crossrun_det_bindings(nil, nil, 0)
        var names = [UnsafePointer<CChar>?](repeating: nil, count: capacity)
        var addresses = [UnsafeMutableRawPointer?](repeating: nil, count: capacity)
        _ = crossrun_det_bindings(&names, &addresses, capacity)
        var table: [String: UInt64] = [:]
        for (name, address) in zip(names, addresses) {
            if let name { table[String(cString: name)] = UInt64(UInt(bitPattern: address)) }
        }
        return table
    }

    /// Replaces this process's environment with ``environment`` (a native program reads the
    /// process's own: `getenv`, `localtime`'s `TZ`, what `system` passes on).
    static func replaceProcessEnvironment() {
        clearenv()
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) { setenv(name, value, 1) }
    }
}
