/// A library function that needs nothing but its integer arguments: up to three of them in,
/// one integer out, no guest memory, no `errno`, no floating-point state, no runtime state,
/// and the host's "C" locale (or the guest's, which the caller installs). The `<ctype.h>`
/// classifications and case conversions are such functions.
///
/// A C function pointer, not a closure: the emulator's block hook calls it with the argument
/// registers read straight from the engine's register file and writes its result back, when
/// nothing else a library call does is needed (no locale, no pending signal, no deadline
/// passed, one guest thread: `GuestProcess.onLibraryCallBlock`). Everywhere else — trapping
/// stubs, natively traced runs, the checks that call for it — the same function runs as a
/// ``HostFunction`` made by ``HostLibc/frameFunction(_:arguments:)``, so both paths share one
/// body.
public typealias RegisterFunction = @convention(c) (UInt64, UInt64, UInt64) -> UInt64

extension HostLibc {
    /// The register form of function `name` (``RegisterFunction``), for the functions that have
    /// one; ``function(named:)`` returns the same function as a ``HostFunction``.
    public static func registerFunction(named name: String) -> RegisterFunction? {
        LibcCtype.registerFunctions[name]
    }

    /// `body` as a ``HostFunction``: its first `arguments` integer arguments (the others are
    /// passed as 0) in, its result out as an integer.
    static func frameFunction(_ body: RegisterFunction, arguments: Int) -> HostFunction {
        { _, f in
            let a0 = try f.int(0)
            let a1 = arguments > 1 ? try f.int(1) : 0
            let a2 = arguments > 2 ? try f.int(2) : 0
            f.returnInt(body(a0, a1, a2))
        }
    }
}
