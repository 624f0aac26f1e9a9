import CUnicorn
import CrossRunELF
import CrossRunLink

/// Entry point of the emulator backend: runs a ``LinkImage`` under Unicorn.
public enum Emulator {
    /// Whether the emulator can run images for `machine` yet.
    public static func supports(_ machine: CrossRunELF.Machine) -> Bool { (try? guestArch(for: machine)) != nil }

    /// Loads and runs `image`; returns the outcome (never crashes on guest behaviour).
    public static func run(_ image: LinkImage, options: GuestProcess.Options) throws -> GuestProcess.Outcome {
        let process = try GuestProcess(image: image, options: options)
        let outcome = process.run()
        process.reportEndToDebugger(outcome)
        return outcome
    }

    /// Loads and runs `image`, then hands the outcome to `finish`, which ends the host process
    /// (the CLI's emulated run). The engine is not torn down first: `uc_close` and the address
    /// space's unmapping free only what the process's exit frees anyway (~0.3 ms of a warm
    /// hello.c). The run's helper threads (scheduler ticker, deadline watchdog) are stopped
    /// before `finish`; with a debugger attached the full teardown runs as in ``run(_:options:)``.
    public static func runToExit(_ image: LinkImage, options: GuestProcess.Options,
                                 finish: (GuestProcess.Outcome) -> Never) throws -> Never {
        if options.gdb != nil { finish(try run(image, options: options)) }
        let process = try GuestProcess(image: image, options: options)
        let outcome = process.run()
        process.stopTicker()
        process.cancelDeadline()
        // Kept alive (never released): its deinit is the teardown being skipped.
        _ = Unmanaged.passRetained(process)
        finish(outcome)
    }

    /// The version of the Unicorn engine linked into this binary (major, minor, patch), as the
    /// library itself reports it (`uc_version`), not as its headers said at build time.
    public static var engineVersion: (major: Int, minor: Int, patch: Int) {
        var major: UInt32 = 0
        var minor: UInt32 = 0
        let combined = uc_version(&major, &minor)
        return (Int(major), Int(minor), Int((combined >> 8) & 0xff))
    }

    /// "2.1.1", the linked engine's version.
    public static var engineVersionString: String {
        let v = engineVersion
        return "\(v.major).\(v.minor).\(v.patch)"
    }

    /// Whether the linked engine is a release known to run guest stores on a slow path:
    /// 2.0.x (~60 ns per store, every store through `notdirty_write`) and 2.1.2–2.1.4 (~22 ns).
    /// 2.1.0 and 2.1.1 store in ~0.5 ns (doc/ARCHITECTURE.md, "Engine").
    public static var engineIsKnownSlow: Bool {
        let v = engineVersion
        return isKnownSlow(major: v.major, minor: v.minor, patch: v.patch)
    }

    /// Whether Unicorn `major.minor.patch` is a release known to store slowly (see above).
    public static func isKnownSlow(major: Int, minor: Int, patch: Int) -> Bool {
        if major == 2 && minor == 0 { return true }
        if major == 2 && minor == 1 && (2...4).contains(patch) { return true }
        return false
    }
}
