import CNativeSupport
import CUnicorn
import CrossRunLibc

/// How guest code reaches the host C library: each function import is a 16-byte stub in the
/// trampoline page, and the stub's first instruction hands the call to ``callLibrary(_:)``.
///
/// Normally the stubs are `nop; ret` (``GuestArch/callStub``) and a `UC_HOOK_BLOCK` bounded to
/// the trampoline page serves them: Unicorn emits the hook's call only into blocks that start
/// inside its range (it is checked at translation time), so no other code pays anything, and
/// with no other block hook the translated stub calls the C callback directly. The library
/// function runs inside the stub's block, its results go to the argument registers, and the
/// stub's `ret` returns to the caller — no CPU exception, no exit from the engine's loop and
/// no program-counter write: ~9 ns of engine time per call against ~35 ns for a `svc`/`ecall`/
/// `syscall` trap (measured on Unicorn 2.1.1, a raw aarch64 call loop).
///
/// The engine does not keep the PC current inside a block hook, so whatever needs the PC of a
/// call in progress uses ``trapSite`` (the stub's address), and a call that stops the engine
/// (``stopEngine()``: a thread switch, the run's end) or that ran guest code in between (a
/// nested `uc_emu_start`, which rewrites the PC) moves the PC to the stub's `ret`
/// (``hookResumePC``), where a trap would have left it; the block is then left at once and the
/// stub resumes at its `ret`, never running the call twice.
///
/// With a debugger attached the stubs trap instead (``GuestArch/trapStub``, served by the
/// interrupt or `syscall` hook, ``onTrap()``): the debugger restarts blocks by writing the PC,
/// which would run a block hook's call again. There is never more than one block hook (with
/// two, Unicorn walks its hook list at every block): a threaded program's time slice and the
/// stubs share one C hook (``installDispatchHook(flag:)``), and fuzzing's edge map makes the
/// stubs trap (``useTrappingStubs()``).
extension GuestProcess {
    /// Installs the trampolines' block hook (not with a debugger: their stubs trap).
    func installLibraryCallHook(_ context: UnsafeMutableRawPointer) throws {
        guard !libraryCallsTrap, trapTable.functions.count > 1 else { return }
        let callback: @convention(c) (OpaquePointer?, UInt64, UInt32, UnsafeMutableRawPointer?) -> Void = { _, address, _, user in
            guard let user else { return }
            // Borrowed, not retained: the process outlives its engine's hooks.
            Unmanaged<GuestProcess>.fromOpaque(user)._withUnsafeGuaranteedRef { $0.onLibraryCallBlock(address) }
        }
        var hook: uc_hook = 0
        // Stub 0 is the return-to-host address, never a call.
        let err = crossrun_uc_hook_add(uc, &hook, Int32(UC_HOOK_BLOCK.rawValue), unsafeBitCast(callback, to: UnsafeMutableRawPointer.self),
                                       context, trampolineBase &+ 16, trampolineEnd &- 1)
        guard err == UC_ERR_OK else { throw EmulatorError.engine("installing the library call hook", err) }
        libraryCallHook = hook
    }

    /// Makes the stubs trap from now on, before another block hook is installed (fuzzing's edge
    /// map; the time slice when ``installDispatchHook(flag:)`` cannot serve): with two block
    /// hooks Unicorn no longer calls one directly but walks its hook list at every block, which
    /// made a tight threaded loop 2–2.5× slower; a trap per library call costs less than that.
    /// Called between runs, never inside a library call. A stub stopped at its `ret` (a blocked
    /// thread) resumes there unchanged: both stubs have the same `ret` at the same place.
    func useTrappingStubs() {
        guard !libraryCallsTrap else { return }
        libraryCallsTrap = true
        if let hook = libraryCallHook {
            uc_hook_del(uc, hook)
            libraryCallHook = nil
        }
        let stub = arch.trapStub
        if let host = memory.loaderHost(trampolineBase) {
            stub.withUnsafeBytes { bytes in
                guard let source = bytes.baseAddress else { return }
                for i in 1..<max(trapTable.functions.count, 1) {
                    host.advanced(by: i * 16).copyMemory(from: source, byteCount: min(bytes.count, 16))
                }
            }
        }
        _ = crossrun_uc_remove_cache(uc, trampolineBase, trampolineEnd &+ 16)
    }

    /// Once a second thread exists: replaces the stubs' hook by one C hook that serves the
    /// stubs and the scheduler's time slice (`crossrun_block_dispatch_hook`), so library calls
    /// stay cheap and blocks still call one hook directly. Nil when the stubs trap or the hook
    /// cannot be added (the caller then makes them trap and adds the plain slice hook).
    func installDispatchHook(flag: UnsafeMutablePointer<Int32>) -> uc_hook? {
        guard !libraryCallsTrap, let stubsHook = libraryCallHook else { return nil }
        let dispatch = blockDispatch ?? .allocate(capacity: 1)
        blockDispatch = dispatch
        let call: @convention(c) (UInt64, UnsafeMutableRawPointer?) -> Void = { address, context in
            guard let context else { return }
            Unmanaged<GuestProcess>.fromOpaque(context)._withUnsafeGuaranteedRef { $0.onLibraryCallBlock(address) }
        }
        dispatch.initialize(to: crossrun_block_dispatch(flag: flag, stubs_begin: trampolineBase &+ 16, stubs_size: trampolineEnd &- (trampolineBase &+ 16),
                                                        library_call: call, context: Unmanaged.passUnretained(self).toOpaque()))
        let block: @convention(c) (OpaquePointer?, UInt64, UInt32, UnsafeMutableRawPointer?) -> Void = crossrun_block_dispatch_hook
        var hook: uc_hook = 0
        guard crossrun_uc_hook_add(uc, &hook, Int32(UC_HOOK_BLOCK.rawValue), unsafeBitCast(block, to: UnsafeMutableRawPointer.self),
                                   UnsafeMutableRawPointer(dispatch), 1, 0) == UC_ERR_OK else { return nil }
        uc_hook_del(uc, stubsHook)   // drops the stubs' blocks: translated again with the new hook
        libraryCallHook = nil
        return hook
    }

    /// After the dispatch hook was removed (one thread left, a fork child): the stubs' own hook
    /// again, or trapping stubs if it cannot be added.
    func restoreLibraryCallHook() {
        guard !libraryCallsTrap, libraryCallHook == nil else { return }
        do {
            try installLibraryCallHook(Unmanaged.passUnretained(self).toOpaque())
        } catch {
            useTrappingStubs()
        }
        _ = crossrun_uc_remove_cache(uc, trampolineBase, trampolineEnd &+ 16)
    }

    /// A block starts in the trampoline page: at a stub's first instruction it is a library
    /// call (a block starting at a stub's `ret`, where a stopped call resumes, is not).
    ///
    /// A function with a register form (``RegisterFunction``: `<ctype.h>`) runs straight on the
    /// engine's register file when nothing else ``callLibrary(_:)`` does is needed
    /// (``registerCallsOpen``): it cannot fault, stop the engine, run guest code or touch
    /// `errno`, floating-point state or the locale, so the PC bookkeeping is not needed either.
    @inline(__always)
    func onLibraryCallBlock(_ address: UInt64) {
        let offset = address &- trampolineBase
        guard offset & 15 == 0 else { return }
        let index = Int(truncatingIfNeeded: offset >> 4)
        guard index > 0 && index < libraryCount else { return }
        if let registers = callRegisters, let bodies = registerBodies, let body = bodies[index], registerCallsOpen {
            let slots = callSlots
            registers[slots.result] = body(registers[slots.first], registers[slots.second], registers[slots.third])
            return
        }
        let outerSite = trapSite, outerResume = hookResumePC, outerStop = engineStopRequested
        trapSite = address
        hookResumePC = address &+ stubReturnOffset
        engineStopRequested = false
        callLibrary(index)
        if engineStopRequested {
            var pc = hookResumePC
            uc_reg_write(uc, programCounterRegister, &pc)
        }
        trapSite = outerSite
        hookResumePC = outerResume
        engineStopRequested = outerStop
    }

    /// Whether a register-only library call may skip ``callLibrary(_:)``: one guest thread (no
    /// preemption count), no host signal to deliver before the call, none delivered at the
    /// last one (``signalsDeliveredAtEntry``, which the next call resets), the deadline not
    /// passed, and the "C" locale (no `uselocale` around the call). Rounding mode and
    /// floating-point flags do not matter to integer functions. Plain loads, in this order.
    @inline(__always)
    var registerCallsOpen: Bool {
        guard threads == nil, signalsDeliveredAtEntry == 0, crossrun_host_signals_pending() == 0,
              deadline == nil || crossrun_deadline_expired(deadline) == 0,
              let posix = trapPosix else { return false }
        return posix._withUnsafeGuaranteedRef { $0.hostLocaleIsC }
    }

    /// The register form of import `name` (``RegisterFunction``) when the C library's own
    /// function serves it: not fuzzing's, `--deterministic`'s or the process's own version,
    /// nor a traced one (``hostFunction(_:lookup:)``'s precedence; those are other functions).
    func registerFunction(_ name: String) -> RegisterFunction? {
        if let trace = options.libcTrace, trace.only?.contains(name) ?? true { return nil }
        guard options.extraFunctions[name] == nil,
              !(options.deterministic && Self.deterministicFunctions[name] != nil),
              processFunction(name) == nil else { return nil }
        return HostLibc.registerFunction(named: name)
    }

    /// Ends the current `uc_emu_start` (``termination`` or the scheduler's request says why).
    @inline(__always)
    func stopEngine() {
        engineStopRequested = true
        uc_emu_stop(uc)
    }
}

/// One trampoline's host function, and whether the host's floating-point exception flags it
/// raises reach the guest's (libm; read on every call, so kept beside the function). A class:
/// the trap path borrows it through an unmanaged reference (``HostFunctionTable``) and calls
/// its `let` closure without copying it.
final class HostFunctionEntry {
    let body: HostFunction
    let raisesExceptions: Bool
    /// The same function's register form, when it has one and the library's own function
    /// serves the import (``GuestProcess/registerFunction(_:)``).
    let registerBody: RegisterFunction?

    init(body: @escaping HostFunction, raisesExceptions: Bool, registerBody: RegisterFunction? = nil) {
        self.body = body
        self.raisesExceptions = raisesExceptions
        self.registerBody = registerBody
    }
}

/// Where a register-only library call's arguments and result are in the engine's integer
/// register file (indices into ``crossrun_uc_integer_registers``' words), per architecture
/// (``GuestArch/registerFileCallSlots``).
struct RegisterFileCallSlots {
    var first: Int, second: Int, third: Int, result: Int
}

/// The host functions by trampoline index, as the trap path calls them (see
/// ``GuestProcess/hostFunctions``): unretained references to ``TrapTable``'s entries, which
/// it keeps alive. Loading an `Unmanaged` is a plain load, and a `let` closure of an object
/// borrowed with `_withUnsafeGuaranteedRef` is called without a copy; a closure loaded from an
/// array (even inside a struct) was copied for the call, a retain and a release of its context
/// on every library call.
final class HostFunctionTable {
    /// Keeps the entries alive for the table's life.
    private let owned: [HostFunctionEntry]
    /// The same entries, unretained: what the trap path reads.
    let entries: ContiguousArray<Unmanaged<HostFunctionEntry>>
    /// Each entry's ``HostFunctionEntry/registerBody`` by index, in a buffer the block hook
    /// reads without a bounds check (it has compared the index with the count itself).
    let registerBodies: UnsafeMutablePointer<RegisterFunction?>

    init(_ functions: [HostFunctionEntry]) {
        owned = functions
        entries = ContiguousArray(functions.map { Unmanaged.passUnretained($0) })
        registerBodies = .allocate(capacity: max(functions.count, 1))
        registerBodies.initialize(repeating: nil, count: max(functions.count, 1))
        for (i, entry) in functions.enumerated() { registerBodies[i] = entry.registerBody }
    }

    deinit { registerBodies.deallocate() }
}
