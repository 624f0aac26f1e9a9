import CUnicorn
import CrossRunGDB
import CrossRunLibc
import CrossRunLink
#if canImport(Glibc)
import Glibc
#endif

/// A gdb client attached to an emulated run (`crossrun --gdb PORT`). The program stops inside
/// Unicorn hooks: while a hook serves the client the engine is paused, registers and memory
/// are the program's, and returning from the hook resumes it. Nothing is installed unless a
/// debugger is attached, and then only:
/// - one `UC_HOOK_CODE` per breakpoint, bounded to the breakpoint's address (Unicorn emits the
///   hook call only into instructions inside a hook's range), so guest code is never patched;
/// - a `UC_HOOK_CODE` over all code while single-stepping (and for the stop at the entry);
/// - a `UC_HOOK_BLOCK` that checks for Ctrl-C every 1,024 blocks;
/// - a memory-fault hook that stops at the faulting instruction before the run ends.
/// Translated blocks covering a changed hook range are dropped (`UC_CTL_TB_REMOVE_CACHE`),
/// and the PC is rewritten on resume so the engine leaves the current block and
/// re-translates from the stop address with the new hooks.
final class DebugSession: GDBTarget {
    unowned let process: GuestProcess
    let server: GDBServer
    let architecture: DebugArchitecture
    var targetDescription: TargetDescription { architecture.description }
    /// Breakpoint hooks by address.
    private var breakpoints: [UInt64: uc_hook] = [:]
    /// The hook on every instruction, while stepping.
    private var stepHook: uc_hook?
    /// Hooks at this address belong to the instruction the program stopped at: they fire again
    /// when the engine re-translates from it after a resume, and are ignored until another
    /// address is reached.
    private var skipAddress: UInt64?
    private var blocksSincePoll = 0
    /// False after the client detached or went away: hooks stay but do nothing.
    private var active = true
    /// The stop at the entry has not happened yet (the client then asks with `?`).
    private var atEntry = true
    static let maximumBreakpoints = 4096

    init(process: GuestProcess, server: GDBServer) {
        self.process = process
        self.server = server
        self.architecture = debugArchitecture(for: process.image.machine)
    }

    var uc: OpaquePointer { process.uc }

    /// Installs the session's hooks: the entry stop (through the step hook), Ctrl-C polling and
    /// the fault stop.
    func attach() throws {
        let context = Unmanaged.passUnretained(self).toOpaque()
        try addStepHook()
        var hook: uc_hook = 0
        let block: @convention(c) (OpaquePointer?, UInt64, UInt32, UnsafeMutableRawPointer?) -> Void = { _, address, _, user in
            guard let user else { return }
            Unmanaged<DebugSession>.fromOpaque(user).takeUnretainedValue().onBlock(address)
        }
        var err = crossrun_uc_hook_add(uc, &hook, Int32(UC_HOOK_BLOCK.rawValue), unsafeBitCast(block, to: UnsafeMutableRawPointer.self), context, 1, 0)
        guard err == UC_ERR_OK else { throw EmulatorError.engine("installing the debugger's interrupt hook", err) }
        let fault: @convention(c) (OpaquePointer?, uc_mem_type, UInt64, Int32, Int64, UnsafeMutableRawPointer?) -> Bool = { _, _, address, _, _, user in
            guard let user else { return false }
            Unmanaged<DebugSession>.fromOpaque(user).takeUnretainedValue().onFault(address)
            return false
        }
        err = crossrun_uc_hook_add(uc, &hook, CROSSRUN_UC_HOOK_MEM_INVALID, unsafeBitCast(fault, to: UnsafeMutableRawPointer.self), context, 1, 0)
        guard err == UC_ERR_OK else { throw EmulatorError.engine("installing the debugger's fault hook", err) }
    }

    private static let codeHook: @convention(c) (OpaquePointer?, UInt64, UInt32, UnsafeMutableRawPointer?) -> Void = { _, address, _, user in
        guard let user else { return }
        Unmanaged<DebugSession>.fromOpaque(user).takeUnretainedValue().onInstruction(address)
    }

    private func addStepHook() throws {
        guard stepHook == nil else { return }
        var hook: uc_hook = 0
        let err = crossrun_uc_hook_add(uc, &hook, Int32(UC_HOOK_CODE.rawValue), unsafeBitCast(Self.codeHook, to: UnsafeMutableRawPointer.self),
                                       Unmanaged.passUnretained(self).toOpaque(), 1, 0)
        guard err == UC_ERR_OK else { throw EmulatorError.engine("installing the debugger's step hook", err) }
        stepHook = hook
        dropTranslatedCode()
    }

    private func removeStepHook() {
        guard let hook = stepHook else { return }
        uc_hook_del(uc, hook)
        stepHook = nil
        dropTranslatedCode()
    }

    /// Drops the translations of the program's code and the trampolines, so they are
    /// translated again with (or without) the step hook's calls.
    private func dropTranslatedCode() {
        let base = process.imageBase
        for segment in process.image.segments where segment.permissions == .readExecute {
            let start = base + UInt64(segment.offset)
            _ = crossrun_uc_remove_cache(uc, start, start + UInt64(segment.memorySize))
        }
        _ = crossrun_uc_remove_cache(uc, process.layout.trampolineBase, process.trampolineEnd + 16)
    }

    // MARK: Stops

    private func onInstruction(_ address: UInt64) {
        guard active else { return }
        if let skip = skipAddress {
            if skip == address { return }
            skipAddress = nil
        }
        let isBreakpoint = breakpoints[address] != nil
        guard stepHook != nil || isBreakpoint else { return }   // a hook being deleted
        let stop = GDBStop(signal: SIGTRAP, breakpoint: isBreakpoint && stepHook == nil)
        if atEntry {
            atEntry = false
            stopAndServe(at: address, stop: nil)
        } else {
            stopAndServe(at: address, stop: stop)
        }
    }

    private func onBlock(_ address: UInt64) {
        guard active else { return }
        blocksSincePoll += 1
        guard blocksSincePoll >= 1024 else { return }
        blocksSincePoll = 0
        if server.pollInterrupt() { stopAndServe(at: address, stop: GDBStop(signal: SIGINT)) }
    }

    private func onFault(_ address: UInt64) {
        guard active else { return }
        // The run ends with the fault whatever the client answers; it may look around first.
        let resume = server.serve(self, stop: GDBStop(signal: SIGSEGV))
        if resume == .detach || !server.isConnected { active = false }
    }

    /// Reports `stop` at `pc`, serves the client, then resumes as it asked.
    private func stopAndServe(at pc: UInt64, stop: GDBStop?) {
        let resume = server.serve(self, stop: stop)
        switch resume {
        case .continue:
            removeStepHook()
        case .step:
            try? addStepHook()
        case .detach:
            detach()
        case .kill:
            detach()
            process.stop(.signal(SIGKILL, "killed by the debugger"))
            return
        }
        skipAddress = pc
        // Leave the current translation block: execution restarts at `pc` with the new hooks
        // (a PC write from a hook makes Unicorn fetch again, without ending the run).
        var value = pc
        uc_reg_write(uc, architecture.pc, &value)
    }

    private func detach() {
        active = false
        for (_, hook) in breakpoints { uc_hook_del(uc, hook) }
        breakpoints.removeAll()
        if let hook = stepHook { uc_hook_del(uc, hook) }
        stepHook = nil
        dropTranslatedCode()
    }

    /// Tells the client how the run ended.
    func finish(_ outcome: GuestProcess.Outcome) {
        server.finish(status: outcome.status, signal: outcome.signal)
    }

    // MARK: GDBTarget

    func readRegister(_ index: Int) -> [UInt8]? {
        guard index >= 0, index < architecture.registers.count else { return nil }
        let count = architecture.description.registers[index].byteCount
        var buffer = [UInt8](repeating: 0, count: 64)
        let err = buffer.withUnsafeMutableBytes { uc_reg_read(uc, architecture.registers[index].id, $0.baseAddress) }
        guard err == UC_ERR_OK else { return nil }
        return Array(buffer[0..<count])
    }

    func writeRegister(_ index: Int, _ bytes: [UInt8]) -> Bool {
        guard index >= 0, index < architecture.registers.count,
              bytes.count == architecture.description.registers[index].byteCount else { return false }
        let reg = architecture.registers[index]
        guard reg.writable else { return readRegister(index) == bytes }
        var buffer = [UInt8](repeating: 0, count: 64)
        buffer.replaceSubrange(0..<bytes.count, with: bytes)
        let err = buffer.withUnsafeBytes { uc_reg_write(uc, reg.writeID ?? reg.id, $0.baseAddress) }
        return err == UC_ERR_OK
    }

    func readMemory(_ address: UInt64, _ count: Int) -> [UInt8]? {
        guard count >= 0, address.addingReportingOverflow(UInt64(count)).overflow == false else { return nil }
        var buffer = [UInt8](repeating: 0, count: count)
        guard count > 0 else { return [] }
        let err = buffer.withUnsafeMutableBytes { uc_mem_read(uc, address, $0.baseAddress, $0.count) }
        return err == UC_ERR_OK ? buffer : nil
    }

    func writeMemory(_ address: UInt64, _ bytes: [UInt8]) -> Bool {
        let (end, overflow) = address.addingReportingOverflow(UInt64(bytes.count))
        guard !overflow else { return false }
        let err = bytes.withUnsafeBytes { uc_mem_write(uc, address, $0.baseAddress, $0.count) }
        guard err == UC_ERR_OK else { return false }
        _ = crossrun_uc_remove_cache(uc, address, end)   // the client may have changed code
        return true
    }

    func setBreakpoint(at address: UInt64, insert: Bool) -> Bool {
        if !insert {
            guard let hook = breakpoints.removeValue(forKey: address) else { return true }
            uc_hook_del(uc, hook)
            _ = crossrun_uc_remove_cache(uc, address, address + 1)
            return true
        }
        if breakpoints[address] != nil { return true }
        guard breakpoints.count < Self.maximumBreakpoints, address < UInt64.max, readMemory(address, 1) != nil else { return false }
        var hook: uc_hook = 0
        let err = crossrun_uc_hook_add(uc, &hook, Int32(UC_HOOK_CODE.rawValue), unsafeBitCast(Self.codeHook, to: UnsafeMutableRawPointer.self),
                                       Unmanaged.passUnretained(self).toOpaque(), address, address)
        guard err == UC_ERR_OK else { return false }
        breakpoints[address] = hook
        _ = crossrun_uc_remove_cache(uc, address, address + 1)
        return true
    }

    func setWatchpoint(_ kind: GDBWatchKind, at address: UInt64, length: UInt64, insert: Bool) -> Bool? { nil }
}

extension GuestProcess {
    /// Attaches `server`'s client: the run will stop at its first instruction.
    func attachDebugger(_ server: GDBServer) throws {
        let session = DebugSession(process: self, server: server)
        try session.attach()
        debugSession = session
    }

    /// Tells an attached debugger how the run ended (`W`/`X`).
    func reportEndToDebugger(_ outcome: Outcome) {
        debugSession?.finish(outcome)
    }
}
