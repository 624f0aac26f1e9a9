import CrossRunLibc
#if canImport(Glibc)
import Glibc
#endif

extension GuestProcess {
    /// The trampolines' side of the library: by trampoline index (index 0 is the
    /// return-to-host address), each import's host function with whether it is a libm
    /// function whose floating-point exceptions reach the guest's flags
    /// (``GuestProcess/raiseHostExceptions()``), and its name (kept apart so the trap path
    /// copies no string). The functions are held in objects, not in an array of closures: a
    /// closure stored in an array is kept in the generic representation, so each trip through
    /// one wraps it in two more reabstraction thunks, each an extra indirect call per call.
    struct TrapTable {
        var functions: [HostFunctionEntry] = [HostFunctionEntry(body: { _, _ in }, raisesExceptions: false)]
        var names: [String] = ["<return>"]
    }

    /// Guest code called from inside library calls (qsort comparators, signal handlers, host
    /// callbacks), each a nested `uc_emu_start` (``GuestProcess/callNested``).
    struct NestedCallState {
        /// Nested calls made so far (a library call compares it before and after to know
        /// whether guest code ran meanwhile).
        var calls = 0
        /// Stack tops of the nested calls in progress, innermost last.
        var stackTops: [UInt64] = []
        /// For a nested call on an alternate signal stack (`sigaltstack`), keyed by its depth
        /// (``stackTops``' count with it): the stack's bottom. A jump below it leaves the call too.
        var alternateStackBottoms: [Int: UInt64] = [:]
        /// A `longjmp` out of a nested call, travelling outwards (see ``NestedJump``).
        var pendingJump: PendingJump?
    }

    /// The floating-point environment library calls run under: the guest's rounding mode and
    /// how the host's exception flags reach the guest's (``GuestProcess/raiseHostExceptions()``).
    /// Saved and restored per guest thread by the scheduler.
    struct FloatingPointState {
        /// The host rounding mode library calls run under (the guest's, set through `<fenv.h>`).
        var rounding: Int32 = FE_TONEAREST
        /// The guest's exception flag for each host one (the arch's ``FloatingPointABI``).
        var exceptionBits: [(host: Int32, guest: UInt32)] = []
        /// Host exception flags already passed to the guest's flags since `<fenv.h>` last set them.
        var flagsKnownSet: Int32 = 0
    }
}
