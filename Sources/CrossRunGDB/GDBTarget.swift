/// What the protocol needs from a stopped program. Every argument comes from the client and
/// is untrusted: implementations check addresses and sizes and answer nil/false on failure.
public protocol GDBTarget: AnyObject {
    /// The registers and their `target.xml`.
    var targetDescription: TargetDescription { get }
    /// Register `index` (in ``TargetDescription/registers`` order), little-endian, or nil.
    func readRegister(_ index: Int) -> [UInt8]?
    /// Writes register `index`; false if it cannot be written.
    func writeRegister(_ index: Int, _ bytes: [UInt8]) -> Bool
    /// `count` bytes at `address`, or nil if any of them is not mapped.
    func readMemory(_ address: UInt64, _ count: Int) -> [UInt8]?
    /// Writes guest memory (also read-only code, as a debugger may); false if unmapped.
    func writeMemory(_ address: UInt64, _ bytes: [UInt8]) -> Bool
    /// Inserts or removes a software breakpoint (`Z0`/`Z1`) without changing guest memory.
    func setBreakpoint(at address: UInt64, insert: Bool) -> Bool
    /// Inserts or removes a watchpoint (`Z2` write, `Z3` read, `Z4` access) on
    /// `[address, address + length)`; nil when watchpoints are not offered.
    func setWatchpoint(_ kind: GDBWatchKind, at address: UInt64, length: UInt64, insert: Bool) -> Bool?
}

/// The access a watchpoint catches.
public enum GDBWatchKind: Int, Sendable {
    case write = 2, read = 3, access = 4
}

/// How the client lets the program go on.
public enum GDBResume: Equatable, Sendable {
    /// Run until a breakpoint, a watchpoint, a fault, an interrupt or the end.
    case `continue`
    /// Execute one instruction.
    case step
    /// Forget the client: remove breakpoints and run to the end.
    case detach
    /// End the program now.
    case kill
}

/// Why the program stopped, for the stop reply (`T` packet).
public struct GDBStop: Equatable, Sendable {
    /// The signal, as a Linux number (converted to gdb's numbering in the reply).
    public var signal: Int32
    /// A software breakpoint was hit (`swbreak:`).
    public var breakpoint = false
    /// A watchpoint triggered: its kind and the watched address.
    public var watch: (kind: GDBWatchKind, address: UInt64)?

    public init(signal: Int32, breakpoint: Bool = false) {
        self.signal = signal
        self.breakpoint = breakpoint
    }

    public static func == (a: GDBStop, b: GDBStop) -> Bool {
        a.signal == b.signal && a.breakpoint == b.breakpoint && a.watch?.kind == b.watch?.kind && a.watch?.address == b.watch?.address
    }

    /// gdb's number for Linux signal `signal` (they differ from SIGBUS on).
    public static func gdbSignal(_ signal: Int32) -> Int32 {
        switch signal {
        case 7: return 10        // SIGBUS
        case 10: return 30       // SIGUSR1
        case 12: return 31       // SIGUSR2
        case 17: return 20       // SIGCHLD
        default: return signal >= 1 && signal <= 15 ? signal : 143   // GDB_SIGNAL_UNKNOWN
        }
    }

    /// The `T` stop reply.
    public var reply: String {
        var text = "T" + String(format2(GDBStop.gdbSignal(signal)))
        if let w = watch {
            let name = w.kind == .write ? "watch" : w.kind == .read ? "rwatch" : "awatch"
            text += "\(name):\(Hex.string(w.address));"
        } else if breakpoint {
            text += "swbreak:;"
        }
        return text + "thread:1;"
    }
}

/// Two lower-case hex digits.
func format2(_ v: Int32) -> String {
    String(decoding: Hex.byte(UInt8(truncatingIfNeeded: v)), as: UTF8.self)
}
