import CrossRunLibc
#if canImport(Glibc)
import Glibc
#endif

/// How a guest's `<fenv.h>` encodes the floating-point environment. Every target's `FE_*`
/// values are its own register bits, so the state moves between registers and these numbers
/// unchanged; only `fenv_t`'s layout needs per-arch code.
struct FloatingPointABI {
    /// `FE_ALL_EXCEPT`.
    var allExceptions: UInt32
    /// The valid `FE_TONEAREST`… values.
    var roundingModes: Set<UInt32>
    /// Bytes of `fexcept_t`.
    var exceptFlagSize: Int
    /// Bytes of `fenv_t`.
    var environmentSize: Int
    /// A `fenv_t` holding a rounding mode and exception flags.
    var encode: (_ rounding: UInt32, _ flags: UInt32) -> [UInt8]
    /// The rounding mode and flags of a `fenv_t`.
    var decode: (_ bytes: [UInt8]) -> (rounding: UInt32, flags: UInt32)
    /// The host's (x86-64) `FE_*` rounding value for each guest one.
    var hostRounding: [UInt32: Int32]
    /// The guest's flag for each host (x86-64) exception flag.
    var hostExceptions: [(host: Int32, guest: UInt32)]
}

extension GuestProcess {
    /// Names served by ``floatingPointFunction(_:)``.
    static let floatingPointFunctionNames = ["fegetround", "fesetround", "fetestexcept", "feclearexcept", "feraiseexcept",
                                             "fegetexceptflag", "fesetexceptflag", "fegetenv", "fesetenv", "feholdexcept",
                                             "feupdateenv"]

    /// `<fenv.h>`, acting on the guest CPU's control and status registers (guest code does
    /// the arithmetic). Host library calls run under the guest's rounding mode (see
    /// ``onTrap()``), and the exceptions libm functions raise on the host are added to the
    /// guest's flags (``raiseHostExceptions()``: glibc's `math_errhandling` has
    /// `MATH_ERREXCEPT`). On x86-64 guests the guest's own arithmetic sets no flags:
    /// libunicorn 2.0.1 (QEMU 5) does not accumulate SSE exception flags into MXCSR.
    func floatingPointFunction(_ name: String) -> HostFunction? {
        switch name {
        case "fegetround": return { [unowned self] _, f in f.returnInt32(Int32(bitPattern: fpState().rounding)) }
        case "fesetround":
            return { [unowned self] _, f in
                let mode = UInt32(truncatingIfNeeded: try f.int(0))
                guard arch.floatingPointABI.roundingModes.contains(mode) else { f.returnInt32(1); return }
                setFPState(mode, fpState().flags)
                f.returnInt32(0)
            }
        case "fetestexcept": return { [unowned self] _, f in f.returnInt32(Int32(bitPattern: fpState().flags & (try fpMask(f, 0)))) }
        case "feclearexcept":
            return { [unowned self] _, f in let s = fpState(); setFPState(s.rounding, s.flags & ~(try fpMask(f, 0))); f.returnInt32(0) }
        case "feraiseexcept":
            return { [unowned self] _, f in let s = fpState(); setFPState(s.rounding, s.flags | (try fpMask(f, 0))); f.returnInt32(0) }
        case "fegetexceptflag":
            return { [unowned self] _, f in try storeFlags(fpState().flags & (try fpMask(f, 1)), at: f.int(0)); f.returnInt32(0) }
        case "fesetexceptflag":
            return { [unowned self] _, f in
                let m = try fpMask(f, 1), s = fpState()
                setFPState(s.rounding, (s.flags & ~m) | (try loadFlags(f.int(0)) & m))
                f.returnInt32(0)
            }
        case "fegetenv", "feholdexcept":
            return { [unowned self] _, f in
                let s = fpState()
                try memory.write(arch.floatingPointABI.encode(s.rounding, s.flags), at: f.int(0))
                if name == "feholdexcept" { setFPState(s.rounding, 0) }   // exceptions never trap here anyway
                f.returnInt32(0)
            }
        case "fesetenv":
            return { [unowned self] _, f in let e = try loadEnvironment(f.int(0)); setFPState(e.rounding, e.flags); f.returnInt32(0) }
        case "feupdateenv":
            return { [unowned self] _, f in
                let raised = fpState().flags
                let e = try loadEnvironment(f.int(0))
                setFPState(e.rounding, e.flags | raised)
                f.returnInt32(0)
            }
        default: return nil
        }
    }

    private func fpState() -> (rounding: UInt32, flags: UInt32) { arch.floatingPointState(uc) }

    /// The host's `FE_ALL_EXCEPT` (a macro Swift does not import).
    static let hostAllExceptions: Int32 = FE_INVALID | FE_DIVBYZERO | FE_OVERFLOW | FE_UNDERFLOW | FE_INEXACT

    /// Adds the exception flags the host raised since they were cleared (around a libm call)
    /// to the guest CPU's.
    func raiseHostExceptions() {
        let raised = fetestexcept(Self.hostAllExceptions)
        // Flags stay set until <fenv.h> clears them (which resets floatingPoint.flagsKnownSet): most calls
        // raise only what earlier ones did, and need not touch the guest's registers.
        guard raised & ~floatingPoint.flagsKnownSet != 0 else { return }
        var guest: UInt32 = 0
        for (host, bit) in floatingPoint.exceptionBits where raised & host != 0 { guest |= bit }
        let s = fpState()
        if s.flags | guest != s.flags { arch.setFloatingPointState(uc, rounding: s.rounding, flags: s.flags | guest) }
        floatingPoint.flagsKnownSet |= raised
    }

    /// Sets the guest CPU's state, and the rounding mode host library code (printf's decimal
    /// conversion, libm) runs under while it serves this guest.
    private func setFPState(_ rounding: UInt32, _ flags: UInt32) {
        arch.setFloatingPointState(uc, rounding: rounding, flags: flags & arch.floatingPointABI.allExceptions)
        floatingPoint.rounding = arch.floatingPointABI.hostRounding[rounding] ?? FE_TONEAREST
        floatingPoint.flagsKnownSet = 0
    }

    private func fpMask(_ f: any CallFrame, _ i: Int) throws -> UInt32 {
        UInt32(truncatingIfNeeded: try f.int(i)) & arch.floatingPointABI.allExceptions
    }

    private func storeFlags(_ value: UInt32, at address: UInt64) throws {
        if arch.floatingPointABI.exceptFlagSize == 2 {
            try memory.store(UInt16(truncatingIfNeeded: value), at: address)
        } else {
            try memory.store(value, at: address)
        }
    }

    private func loadFlags(_ address: UInt64) throws -> UInt32 {
        arch.floatingPointABI.exceptFlagSize == 2 ? UInt32(try memory.load(address, as: UInt16.self)) : try memory.load(address, as: UInt32.self)
    }

    private func loadEnvironment(_ address: UInt64) throws -> (rounding: UInt32, flags: UInt32) {
        if address == UInt64.max { return (0, 0) }                    // FE_DFL_ENV
        let abi = arch.floatingPointABI
        return abi.decode(Array(try memory.bytes(address, abi.environmentSize)))
    }
}
