import CrossRunLibc

extension GuestProcess {
    /// Return addresses of the guest frames at the current stop, innermost first, found by
    /// walking frame records (`-fno-omit-frame-pointer`); stops at the first record outside
    /// the stack or not above the previous one.
    /// `stack` is the running thread's stack (default: the main thread's).
    func backtrace(limit: Int = 32, stack: Range<UInt64>? = nil) -> [UInt64] {
        let record = arch.frameRecord
        var frame = arch.read(uc, record.register)
        var out: [UInt64] = []
        if let caller = arch.callerAddress(uc, memory: memory), isTrapStop { out.append(caller) }
        let range = stack ?? layout.stackTop - layout.stackSize..<layout.stackTop
        while out.count < limit, frame > range.lowerBound, frame < range.upperBound {
            guard let ret = try? memory.load(frame &+ UInt64(bitPattern: record.returnAddress), as: UInt64.self),
                  let next = try? memory.load(frame &+ UInt64(bitPattern: record.previousFrame), as: UInt64.self) else { break }
            if ret == stopAddress || ret == 0 { break }
            out.append(ret)
            guard next > frame else { break }
            frame = next
        }
        return out
    }

    /// Whether the run stopped inside a trap stub (a library function's report).
    var isTrapStop: Bool {
        let pc = arch.pc(uc)
        return pc >= layout.trampolineBase && pc < trampolineEnd + 16
    }
}
