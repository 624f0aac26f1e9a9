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
/// - a `UC_HOOK_CODE` over all code (the *trace hook*) while single-stepping, for the stop at
///   the entry, and while a watchpoint exists (memory hooks see an imprecise PC on aarch64
///   and riscv64: the trace hook tells which instruction accesses the watched range);
/// - per watchpoint a memory hook bounded to the watched range;
/// - a `UC_HOOK_BLOCK` in C that reads one flag per block: a watcher thread raises it when
///   the client sends bytes while the program runs (Ctrl-C), and only then Swift runs;
/// - a memory-fault hook that stops at the fault before the run ends.
/// Translated blocks are dropped (`UC_CTL_TB_REMOVE_CACHE`) when hooks change, and after a stop
/// in a code hook the PC is rewritten, which makes Unicorn leave the current block and
/// translate again from the stop address with the new hooks (a code hook's PC write takes
/// effect at once; a memory hook's would not, so watchpoint stops never rewrite it).
final class DebugSession: GDBTarget {
    unowned let process: GuestProcess
    let server: GDBServer
    let architecture: DebugArchitecture
    var targetDescription: TargetDescription { architecture.description }
    /// Breakpoint hooks by address.
    private var breakpoints: [UInt64: uc_hook] = [:]
    /// The hook on every instruction (see the type's notes).
    private var traceHook: uc_hook?
    /// The client asked for one instruction.
    private var stepping = true
    /// The instruction the trace hook saw last (the one executing, in a memory hook).
    private var lastInstruction: UInt64?
    /// The PC the client sees while stopped in a memory hook (the engine's is imprecise there).
    private var stoppedPC: UInt64?
    /// Hooks at this address belong to the instruction the program stopped at: they fire again
    /// when the engine re-translates from it after a resume, and are ignored until another
    /// address is reached.
    private var skipAddress: UInt64?
    /// The Ctrl-C watcher shared with the C block hook and its thread.
    private let watch: UnsafeMutablePointer<crossrun_debug_watch>
    /// False after the client detached or went away: hooks stay but do nothing.
    private var active = true
    /// The stop at the entry has not happened yet (the client then asks with `?`).
    private var atEntry = true
    static let maximumBreakpoints = 4096
    /// Watchpoint hooks (`Z2`–`Z4`): memory hooks bounded to the watched range, so no
    /// memory hook exists while none is set.
    struct Watchpoint: Hashable {
        var kind: GDBWatchKind
        var address: UInt64
        var length: UInt64
    }
    private var watchpoints: [Watchpoint: uc_hook] = [:]
    /// Serving a stop from inside a memory hook (a watchpoint): translations are not dropped
    /// then but at the next instruction (see ``dropCache(_:_:)``).
    private var inMemoryStop = false
    private var deferredDrops: [(UInt64, UInt64)] = []
    private var deferredDeletes: [uc_hook] = []
    /// Watchpoints the client removed during the current memory stop, with their hooks.
    private var removedInStop: [Watchpoint: uc_hook] = [:]
    static let maximumWatchpoints = 64
    /// The index of the PC among the described registers.
    private let pcIndex: Int?

    init(process: GuestProcess, server: GDBServer) {
        self.process = process
        self.server = server
        let architecture = debugArchitecture(for: process.image.machine)
        self.architecture = architecture
        self.pcIndex = architecture.registers.firstIndex { $0.id == architecture.pc }
        watch = .allocate(capacity: 1)
        watch.initialize(to: crossrun_debug_watch())
        watch.pointee.fd = -1
    }

    deinit {
        crossrun_debug_watch_stop(watch)
        watch.deallocate()
    }

    /// Serves the client while the program is stopped; the watcher thread rests meanwhile.
    private func serve(_ stop: GDBStop?) -> GDBResume {
        crossrun_debug_watch_set(watch, -1, 0)
        let resume = server.serve(self, stop: stop)
        if active && server.isConnected && resume != .detach && resume != .kill {
            crossrun_debug_watch_set(watch, server.clientDescriptor, 1)
        }
        return resume
    }

    var uc: OpaquePointer { process.uc }

    /// Installs the session's hooks: the entry stop (through the trace hook), Ctrl-C polling and
    /// the fault stop.
    func attach() throws {
        let context = Unmanaged.passUnretained(self).toOpaque()
        try addTraceHook()
        var hook: uc_hook = 0
        watch.pointee.callback = { address, user in
            guard let user else { return }
            Unmanaged<DebugSession>.fromOpaque(user).takeUnretainedValue().onClientBytes(address)
        }
        watch.pointee.context = context
        var err = crossrun_uc_hook_add(uc, &hook, Int32(UC_HOOK_BLOCK.rawValue), crossrun_debug_block_hook_pointer(), UnsafeMutableRawPointer(watch), 1, 0)
        guard err == UC_ERR_OK else { throw EmulatorError.engine("installing the debugger's interrupt hook", err) }
        guard crossrun_debug_watch_start(watch) == 0 else { throw EmulatorError.resources("cannot start the debugger's watcher thread") }
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

    private func addTraceHook() throws {
        guard traceHook == nil else { return }
        var hook: uc_hook = 0
        let err = crossrun_uc_hook_add(uc, &hook, Int32(UC_HOOK_CODE.rawValue), unsafeBitCast(Self.codeHook, to: UnsafeMutableRawPointer.self),
                                       Unmanaged.passUnretained(self).toOpaque(), 1, 0)
        guard err == UC_ERR_OK else { throw EmulatorError.engine("installing the debugger's step hook", err) }
        traceHook = hook
        dropTranslatedCode()
    }

    /// Adds or removes the trace hook as stepping and watchpoints need it. Only called where
    /// a PC write follows (a code-hook stop), so the current block is left at once.
    private func reconcileTraceHook() {
        if stepping || !watchpoints.isEmpty {
            try? addTraceHook()
        } else if let hook = traceHook {
            uc_hook_del(uc, hook)
            traceHook = nil
            lastInstruction = nil
            dropTranslatedCode()
        }
    }

    /// Drops the translations of the program's code and the trampolines, so they are
    /// translated again with (or without) the trace hook's calls.
    private func dropTranslatedCode() {
        let base = process.imageBase
        for segment in process.image.segments where segment.permissions == .readExecute {
            let start = base + UInt64(segment.offset)
            dropCache(start, start + UInt64(segment.memorySize))
        }
        dropCache(process.layout.trampolineBase, process.trampolineEnd + 16)
    }

    /// Drops the translations of [start, end), or, while stopped in a memory hook, notes them
    /// for the next instruction's code hook: dropping the block that is executing restarts it
    /// at the accessing instruction, whose hook would then stop the program again (lldb removes
    /// and re-inserts a watchpoint at every watchpoint stop).
    /// Deletes a hook, or notes it for the next instruction while stopped in a memory hook
    /// (`uc_hook_del` drops the blocks that consulted the hook, the executing one included).
    private func deleteHook(_ hook: uc_hook) {
        if inMemoryStop {
            deferredDeletes.append(hook)
        } else {
            uc_hook_del(uc, hook)
        }
    }

    /// At the first instruction after a watchpoint stop: the hook deletions and translation
    /// drops the client's changes asked for during it.
    private func applyDeferredChanges() {
        let watchRemoved = !removedInStop.isEmpty
        for hook in deferredDeletes + removedInStop.values { uc_hook_del(uc, hook) }
        deferredDeletes.removeAll()
        removedInStop.removeAll()
        for (start, end) in deferredDrops { _ = crossrun_uc_remove_cache(uc, start, end) }
        deferredDrops.removeAll()
        if watchRemoved { dropTranslatedCode() }   // without the removed memory hooks
    }

    private func dropCache(_ start: UInt64, _ end: UInt64) {
        if inMemoryStop {
            deferredDrops.append((start, end))
        } else {
            _ = crossrun_uc_remove_cache(uc, start, end)
        }
    }

    // MARK: Stops

    private func onInstruction(_ address: UInt64) {
        guard active else { return }
        if !deferredDrops.isEmpty || !deferredDeletes.isEmpty || !removedInStop.isEmpty {
            applyDeferredChanges()
            // Leave the block (a PC write from a code hook): this hook fires again for
            // `address` in the new translation.
            var value = address
            uc_reg_write(uc, architecture.pc, &value)
            return
        }
        if let skip = skipAddress {
            if skip == address { return }
            skipAddress = nil
        }
        lastInstruction = address
        let isBreakpoint = breakpoints[address] != nil
        guard stepping || isBreakpoint else { return }
        if atEntry {
            atEntry = false
            stopAndServe(at: address, stop: nil)
        } else {
            stopAndServe(at: address, stop: GDBStop(signal: SIGTRAP, breakpoint: isBreakpoint && !stepping))
        }
    }

    /// The watcher thread saw bytes from the client while the program ran (called from the
    /// block hook at the start of block `address`).
    private func onClientBytes(_ address: UInt64) {
        guard active else { return }
        if server.pollInterrupt() {
            stopAndServe(at: address, stop: GDBStop(signal: SIGINT))
        } else if !server.isConnected {
            detach()   // the client went away while the program ran
        }
    }

    private func onFault(_ address: UInt64) {
        guard active else { return }
        // The run ends with the fault whatever the client answers; it may look around first.
        stoppedPC = lastInstruction
        let resume = serve(GDBStop(signal: SIGSEGV))
        stoppedPC = nil
        if resume == .detach || !server.isConnected { active = false }
    }

    /// The program is about to die of `signal` (a CPU exception, `abort`, a bad pointer
    /// passed to the C library): the client sees the signal and may look around first.
    func signalled(_ signal: Int32) {
        guard active else { return }
        stoppedPC = lastInstruction
        let resume = serve(GDBStop(signal: signal))
        stoppedPC = nil
        if resume == .detach || !server.isConnected { active = false }
    }

    /// How the client's answer changes the session; false when the run must end.
    private func apply(_ resume: GDBResume) -> Bool {
        switch resume {
        case .continue: stepping = false
        case .step: stepping = true
        case .detach: detach()
        case .kill:
            detach()
            process.stop(.signal(SIGKILL, "killed by the debugger"))
            return false
        }
        return true
    }

    /// Reports `stop` at `pc` (a code or block hook), serves the client, then resumes as it asked.
    private func stopAndServe(at pc: UInt64, stop: GDBStop?) {
        guard apply(serve(stop)) else { return }
        reconcileTraceHook()
        // Leave the current translation block: execution restarts at the PC with the new hooks
        // (a PC write from a code hook makes Unicorn fetch again, without ending the run). A
        // PC the client changed (`jump`, `return`) is where it goes on, hooks there included.
        var value: UInt64 = 0
        uc_reg_read(uc, architecture.pc, &value)
        skipAddress = value == pc ? pc : nil
        uc_reg_write(uc, architecture.pc, &value)
    }

    /// A watched range is about to be accessed (Unicorn's memory hooks run before the access).
    /// gdb must see the new value at a write stop (it compares old and new values), so the
    /// store is done here for the client and undone before the instruction stores it itself.
    /// The stop's PC is the accessing instruction (from the trace hook). The instruction then
    /// completes; the trace hook, present while watchpoints exist, stops at the next one when
    /// the client stepped (aarch64) or planted a breakpoint there (riscv64).
    private func onWatch(write: Bool, address: UInt64, size: Int32, value: Int64) {
        guard active else { return }
        let end = address &+ UInt64(max(size, 1))
        guard let hit = watchpoints.keys.first(where: { w in
            (w.kind == .access || (w.kind == .write) == write) && address < w.address &+ w.length && w.address < end
        }) else { return }
        var restore: [UInt8]?
        if write, size > 0, size <= 8, let old = readMemory(address, Int(size)) {
            let bytes = (0..<Int(size)).map { UInt8(truncatingIfNeeded: UInt64(bitPattern: value) >> (8 * UInt64($0))) }
            if writeMemory(address, bytes) { restore = old }
        }
        var stop = GDBStop(signal: SIGTRAP)
        stop.watch = (hit.kind, max(address, hit.address))
        stoppedPC = lastInstruction
        inMemoryStop = true
        let resume = serve(stop)
        inMemoryStop = false
        stoppedPC = nil
        if let restore { _ = writeMemory(address, restore) }
        _ = apply(resume)
        // The trace hook stays until the next code-hook stop (see reconcileTraceHook).
    }

    private func detach() {
        active = false
        crossrun_debug_watch_set(watch, -1, 0)
        for (_, hook) in breakpoints { uc_hook_del(uc, hook) }
        breakpoints.removeAll()
        for (_, hook) in watchpoints { uc_hook_del(uc, hook) }
        watchpoints.removeAll()
        if let hook = traceHook { uc_hook_del(uc, hook) }
        traceHook = nil
        dropTranslatedCode()
    }

    /// In a forked child: removes every hook and lets go of the connection without a word.
    func leaveForkedChild() {
        watch.pointee.started = 0   // the watcher thread stayed in the parent
        detach()
        server.abandon()
    }

    /// Tells the client how the run ended.
    func finish(_ outcome: GuestProcess.Outcome) {
        server.finish(status: outcome.status, signal: outcome.signal)
    }

    // MARK: GDBTarget

    func readRegister(_ index: Int) -> [UInt8]? {
        guard index >= 0, index < architecture.registers.count else { return nil }
        let count = architecture.description.registers[index].byteCount
        if index == pcIndex, let pc = stoppedPC { return (0..<count).map { UInt8(truncatingIfNeeded: pc >> (8 * UInt64($0))) } }
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
        dropCache(address, end)   // the client may have changed code
        return true
    }

    func setBreakpoint(at address: UInt64, insert: Bool) -> Bool {
        if !insert {
            guard let hook = breakpoints.removeValue(forKey: address) else { return true }
            deleteHook(hook)
            dropCache(address, address + 1)
            return true
        }
        if breakpoints[address] != nil { return true }
        guard breakpoints.count < Self.maximumBreakpoints, address < UInt64.max, readMemory(address, 1) != nil else { return false }
        var hook: uc_hook = 0
        let err = crossrun_uc_hook_add(uc, &hook, Int32(UC_HOOK_CODE.rawValue), unsafeBitCast(Self.codeHook, to: UnsafeMutableRawPointer.self),
                                       Unmanaged.passUnretained(self).toOpaque(), address, address)
        guard err == UC_ERR_OK else { return false }
        breakpoints[address] = hook
        dropCache(address, address + 1)
        return true
    }

    func setWatchpoint(_ kind: GDBWatchKind, at address: UInt64, length: UInt64, insert: Bool) -> Bool? {
        let key = Watchpoint(kind: kind, address: address, length: length)
        if !insert {
            guard let hook = watchpoints.removeValue(forKey: key) else { return true }
            if inMemoryStop {
                removedInStop[key] = hook   // deleted at the next instruction unless re-inserted
            } else {
                uc_hook_del(uc, hook)
                dropTranslatedCode()
            }
            return true
        }
        if watchpoints[key] != nil { return true }
        if let hook = removedInStop.removeValue(forKey: key) {
            watchpoints[key] = hook   // removed and inserted again within one stop: kept
            return true
        }
        let (last, overflow) = address.addingReportingOverflow(length &- 1)
        guard length > 0, !overflow, watchpoints.count < Self.maximumWatchpoints else { return false }
        let type: UInt32 = kind == .write ? UC_HOOK_MEM_WRITE.rawValue : kind == .read ? UC_HOOK_MEM_READ.rawValue
            : UC_HOOK_MEM_READ.rawValue | UC_HOOK_MEM_WRITE.rawValue
        let callback: @convention(c) (OpaquePointer?, uc_mem_type, UInt64, Int32, Int64, UnsafeMutableRawPointer?) -> Void = { _, type, address, size, value, user in
            guard let user else { return }
            Unmanaged<DebugSession>.fromOpaque(user).takeUnretainedValue().onWatch(write: type == UC_MEM_WRITE, address: address, size: size, value: value)
        }
        var hook: uc_hook = 0
        let err = crossrun_uc_hook_add(uc, &hook, Int32(type), unsafeBitCast(callback, to: UnsafeMutableRawPointer.self),
                                       Unmanaged.passUnretained(self).toOpaque(), address, last)
        guard err == UC_ERR_OK else { return false }
        watchpoints[key] = hook
        try? addTraceHook()
        dropTranslatedCode()
        return true
    }
}

extension GuestProcess {
    /// Attaches `server`'s client: the run will stop at its first instruction.
    func attachDebugger(_ server: GDBServer) throws {
        let session = DebugSession(process: self, server: server)
        // The file gdb reads: the image, and the trampolines named by their library functions.
        let name = String(options.programName.split(separator: "/").last ?? "program")
        let stubs = trapTable.names.indices.dropFirst().map {
            (name: trapTable.names[$0], address: layout.trampolineBase + UInt64($0) * 16, size: UInt64(16))
        }
        let extra = LinkImage.ExtraCode(name: ".crossrun.trampolines", address: layout.trampolineBase,
                                        size: trampolineEnd - layout.trampolineBase, symbols: stubs)
        server.dispatcher.execFile = .init(path: "/crossrun/\(name).elf", bytes: image.executableELF(base: imageBase, extra: extra))
        try session.attach()
        debugSession = session
        // A child of the program's fork runs on undebugged: the client stays with the parent.
        let previous = runtime.afterForkInChild
        runtime.afterForkInChild = { [unowned session] in
            previous?()
            session.leaveForkedChild()
        }
    }

    /// Tells an attached debugger how the run ended (`W`/`X`).
    func reportEndToDebugger(_ outcome: Outcome) {
        debugSession?.finish(outcome)
    }
}
