import CrossRunLibc
#if canImport(Glibc)
import Glibc
#endif

extension GuestProcess {
    /// Names served by ``execinfoFunction(_:)``.
    static let execinfoFunctionNames = ["backtrace", "backtrace_symbols", "backtrace_symbols_fd"]

    /// At most this many frames are walked, whatever `size` the guest passes.
    static let maxBacktraceFrames = 4096

    /// `<execinfo.h>`: the return addresses of the calling thread's frame records (walked as the
    /// crash and deadlock reports do, bounded by that thread's stack), symbolized from the
    /// image's symbol table in glibc's `prog(func+0x1c) [0x…]` format.
    func execinfoFunction(_ name: String) -> HostFunction? {
        switch name {
        case "backtrace":
            return { [unowned self] rt, f in
                let buffer = try f.int(0), size = try f.int32(1)
                guard size > 0 else { f.returnInt32(0); return }
                let stack = threads.map { $0.threads[$0.currentIndex].stack }
                let frames = backtrace(limit: min(Int(size), Self.maxBacktraceFrames), stack: stack)
                for (i, address) in frames.enumerated() {
                    let (slot, overflow) = buffer.addingReportingOverflow(UInt64(i) * 8)
                    guard !overflow else { throw GuestFault(address: buffer, size: frames.count * 8, access: .write) }
                    try rt.memory.store(address, at: slot)
                }
                f.returnInt32(Int32(frames.count))
            }
        case "backtrace_symbols":
            // One malloc'd block: the pointer array, then the strings (the guest frees it once).
            return { [unowned self] rt, f in
                let lines = try symbolLines(rt, f)
                let strings = lines.map { Array($0.utf8) + [0] }
                let table = lines.count * 8
                let total = strings.reduce(table) { $0 + $1.count }
                let block = try rt.guestMalloc(max(total, 1))
                guard block != 0 else { f.returnInt(0); return }
                var at = block + UInt64(table)
                for (i, bytes) in strings.enumerated() {
                    try rt.memory.store(at, at: block + UInt64(i * 8))
                    try rt.memory.write(bytes, at: at)
                    at += UInt64(bytes.count)
                }
                f.returnInt(block)
            }
        case "backtrace_symbols_fd":
            return { [unowned self] rt, f in
                let fd = try f.int32(2)
                for line in try symbolLines(rt, f) {
                    let bytes = Array((line + "\n").utf8)
                    guard bytes.withUnsafeBytes({ Glibc.write(fd, $0.baseAddress, $0.count) }) == bytes.count else { return }
                }
            }
        default:
            return nil
        }
    }

    /// The lines for `backtrace_symbols(buffer, size)`'s arguments 0 and 1.
    private func symbolLines(_ rt: LibcRuntime, _ f: any CallFrame) throws -> [String] {
        let buffer = try f.int(0), size = try f.int32(1)
        guard size > 0 else { return [] }
        let count = min(Int(size), Self.maxBacktraceFrames)
        return try (0..<count).map { i in
            let (slot, overflow) = buffer.addingReportingOverflow(UInt64(i) * 8)
            guard !overflow else { throw GuestFault(address: buffer, size: count * 8, access: .read) }
            return backtraceLine(try rt.memory.load(slot, as: UInt64.self))
        }
    }

    /// glibc's `prog(func+0x1c) [0x…]`; `prog(+0x…) [0x…]` for an image address no symbol
    /// covers; `[0x…]` outside the image (library trampolines).
    func backtraceLine(_ address: UInt64) -> String {
        let hex = "[0x" + String(address, radix: 16) + "]"
        guard address >= imageBase && address < imageBase + UInt64(image.size) else { return hex }
        let inside = symbol(at: address).map { $0.contains("+0x") ? $0 : $0 + "+0x0" }
            ?? "+0x" + String(address - imageBase, radix: 16)
        return "\(options.programName)(\(inside)) \(hex)"
    }
}
