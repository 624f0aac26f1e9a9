/// The command side of the protocol: turns one packet into a reply or a resumption, against a
/// ``GDBTarget``. Holds no socket, so it is tested packet by packet. Every malformed packet
/// gets an error reply (`E01`) or the empty "unsupported" reply; nothing traps.
public final class GDBDispatcher {
    /// The answer to one packet.
    public enum Action: Equatable, Sendable {
        /// Send this payload (already escaped where binary).
        case reply([UInt8])
        /// Send `reply` (if any), then let the program go on.
        case resume(GDBResume, reply: [UInt8]?)
    }

    /// The file served by `qXfer:exec-file:read` and `vFile:open` (the linked image as ELF).
    public struct ExecFile {
        public var path: String
        public var bytes: [UInt8]
        public init(path: String, bytes: [UInt8]) {
            self.path = path
            self.bytes = bytes
        }
    }

    /// The stop reported by `?` (the last one).
    public var lastStop = GDBStop(signal: 5)
    public var execFile: ExecFile?
    /// Open `vFile` handles (only the exec file can be opened).
    private var openFiles: Set<Int> = []
    private var nextFile = 3

    public init(execFile: ExecFile? = nil) {
        self.execFile = execFile
    }

    static func text(_ s: String) -> Action { .reply(GDBPacket.escape(Array(s.utf8))) }
    static let ok = text("OK")
    static let error = text("E01")
    static let empty = text("")

    /// Handles one packet (as ``GDBPacketReader`` delivered it, still escaped).
    public func handle(_ packet: [UInt8], target: GDBTarget) -> Action {
        guard let first = packet.first else { return Self.empty }
        // Binary packets: unescape only their data, after the ':'.
        if first == UInt8(ascii: "X") { return writeBinary(packet, target: target) }
        let command = String(decoding: packet, as: UTF8.self)   // bad UTF-8 becomes U+FFFD: no command
        return handle(command, target: target)
    }

    private func handle(_ command: String, target: GDBTarget) -> Action {
        let body = command.dropFirst()
        switch command.first {
        case "?": return Self.text(lastStop.reply)
        case "g": return readAllRegisters(target)
        case "G": return writeAllRegisters(String(body), target)
        case "p":
            guard let n = Hex.number(body), n < UInt64(target.targetDescription.registers.count),
                  let v = target.readRegister(Int(n)) else { return Self.error }
            return Self.text(Hex.encode(v))
        case "P":
            let parts = body.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let n = Hex.number(parts[0]), n < UInt64(target.targetDescription.registers.count),
                  let v = Hex.decode(parts[1]), v.count == target.targetDescription.registers[Int(n)].byteCount,
                  target.writeRegister(Int(n), v) else { return Self.error }
            return Self.ok
        case "m":
            guard let (address, count) = Self.addressLength(body), count <= UInt64(GDBPacket.maximumPayload / 2),
                  let bytes = target.readMemory(address, Int(count)) else { return Self.error }
            return Self.text(Hex.encode(bytes))
        case "M":
            let parts = body.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, let (address, count) = Self.addressLength(parts[0]),
                  let bytes = Hex.decode(parts[1]), UInt64(bytes.count) == count else { return Self.error }
            return bytes.isEmpty || target.writeMemory(address, bytes) ? Self.ok : Self.error
        case "Z", "z": return breakpoint(command, target: target)
        case "c", "C": return .resume(.continue, reply: nil)
        case "s", "S": return .resume(.step, reply: nil)
        case "D": return .resume(.detach, reply: Array("OK".utf8))
        case "k": return .resume(.kill, reply: nil)
        case "H", "T": return Self.ok
        case "v": return verbose(command, target: target)
        case "q", "Q": return query(command, target: target)
        default: return Self.empty
        }
    }

    /// `addr,length` in hex.
    static func addressLength<S: StringProtocol>(_ text: S) -> (UInt64, UInt64)? {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 2, let a = Hex.number(parts[0]), let n = Hex.number(parts[1]) else { return nil }
        return (a, n)
    }

    private func readAllRegisters(_ target: GDBTarget) -> Action {
        var out = ""
        for (i, r) in target.targetDescription.registers.enumerated() {
            // A register the engine cannot read shows as unavailable ("xx"), as gdbserver does.
            if let v = target.readRegister(i), v.count == r.byteCount {
                out += Hex.encode(v)
            } else {
                out += String(repeating: "xx", count: r.byteCount)
            }
        }
        return Self.text(out)
    }

    private func writeAllRegisters(_ hex: String, _ target: GDBTarget) -> Action {
        guard let bytes = Hex.decode(hex) else { return Self.error }
        var offset = 0
        for (i, r) in target.targetDescription.registers.enumerated() {
            guard offset + r.byteCount <= bytes.count else { break }
            _ = target.writeRegister(i, Array(bytes[offset..<offset + r.byteCount]))
            offset += r.byteCount
        }
        return Self.ok
    }

    private func writeBinary(_ packet: [UInt8], target: GDBTarget) -> Action {
        guard let colon = packet.firstIndex(of: UInt8(ascii: ":")),
              case let header = String(decoding: packet[1..<colon], as: UTF8.self),
              let (address, count) = Self.addressLength(header),
              let data = GDBPacket.unescape(Array(packet[(colon + 1)...])), UInt64(data.count) == count else { return Self.error }
        return data.isEmpty || target.writeMemory(address, data) ? Self.ok : Self.error
    }

    private func breakpoint(_ command: String, target: GDBTarget) -> Action {
        let insert = command.first == "Z"
        // Z<type>,<addr>,<kind>[;cond…]: conditions are not offered and ignored.
        let fields = (command.dropFirst().split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            .split(separator: ",", omittingEmptySubsequences: false)
        guard fields.count == 3, let type = Int(fields[0]), let address = Hex.number(fields[1]), let kind = Hex.number(fields[2]) else {
            return Self.error
        }
        switch type {
        case 0, 1:
            return target.setBreakpoint(at: address, insert: insert) ? Self.ok : Self.error
        case 2, 3, 4:
            guard let w = GDBWatchKind(rawValue: type) else { return Self.empty }
            guard kind > 0, kind <= 0x1000 else { return Self.error }
            guard let done = target.setWatchpoint(w, at: address, length: kind, insert: insert) else { return Self.empty }
            return done ? Self.ok : Self.error
        default:
            return Self.empty
        }
    }

    private func verbose(_ command: String, target: GDBTarget) -> Action {
        if command == "vCont?" { return Self.text("vCont;c;C;s;S") }
        if command.hasPrefix("vCont;") {
            // The first action decides: a step for our only thread, else continue.
            let actions = command.dropFirst(6).split(separator: ";")
            guard let first = actions.first, let letter = first.first else { return Self.error }
            switch letter {
            case "s", "S": return .resume(.step, reply: nil)
            case "c", "C": return .resume(.continue, reply: nil)
            default: return Self.error
            }
        }
        if command.hasPrefix("vFile:") { return file(String(command.dropFirst(6))) }
        if command.hasPrefix("vKill") { return .resume(.kill, reply: Array("OK".utf8)) }
        return Self.empty   // vMustReplyEmpty and anything unknown
    }

    private func query(_ command: String, target: GDBTarget) -> Action {
        if command.hasPrefix("qSupported") {
            return Self.text("PacketSize=\(Hex.string(UInt64(GDBPacket.maximumPayload)));qXfer:features:read+;"
                             + (execFile != nil ? "qXfer:exec-file:read+;" : "") + "swbreak+;hwbreak+;vContSupported+")
        }
        switch command {
        case "qC": return Self.text("QC1")
        case "qfThreadInfo": return Self.text("m1")
        case "qsThreadInfo": return Self.text("l")
        case "qAttached": return Self.text("1")
        case "qSymbol::": return Self.ok
        default: break
        }
        let features = "qXfer:features:read:target.xml:", exec = "qXfer:exec-file:read:"
        if command.hasPrefix(features) {
            return transfer(Array(target.targetDescription.xml.utf8), range: command.dropFirst(features.count))
        }
        if command.hasPrefix(exec), let execFile {
            // qXfer:exec-file:read:<annex>:<offset>,<length>
            let rest = command.dropFirst(exec.count)
            guard let colon = rest.firstIndex(of: ":") else { return Self.error }
            return transfer(Array(execFile.path.utf8), range: rest[rest.index(after: colon)...])
        }
        return Self.empty
    }

    /// One piece of a `qXfer` object: `m` + data when more follows, `l` + data at the end.
    private func transfer(_ object: [UInt8], range: Substring) -> Action {
        guard let (offset, length) = Self.addressLength(range) else { return Self.error }
        guard offset < UInt64(object.count) else { return .reply([UInt8(ascii: "l")]) }
        let start = Int(offset)
        let end = start + Int(min(length, UInt64(object.count - start), UInt64(GDBPacket.maximumPayload / 2)))
        let piece = GDBPacket.escape(object[start..<end])
        return .reply([UInt8(ascii: end < object.count ? "m" : "l")] + piece)
    }

    /// Host I/O (`vFile:`), enough for gdb to read the exec file as gdbserver serves it.
    private func file(_ request: String) -> Action {
        let notFound = Self.text("F-1,2")
        let colon = request.firstIndex(of: ":") ?? request.endIndex
        let name = request[..<colon]
        let args = colon < request.endIndex ? request[request.index(after: colon)...].split(separator: ",", omittingEmptySubsequences: false) : []
        switch name {
        case "setfs": return Self.text("F0")
        case "open":
            guard let exec = execFile, args.count >= 1, let pathBytes = Hex.decode(args[0]),
                  String(decoding: pathBytes, as: UTF8.self) == exec.path else { return notFound }
            guard openFiles.count < 64 else { return Self.text("F-1,18") }   // EMFILE... keep it bounded
            let fd = nextFile
            nextFile += 1
            openFiles.insert(fd)
            return Self.text("F" + Hex.string(UInt64(fd)))
        case "pread":
            guard args.count == 3, let fd = Hex.number(args[0]).flatMap({ Int(exactly: $0) }), openFiles.contains(fd),
                  let length = Hex.number(args[1]), let offset = Hex.number(args[2]), let exec = execFile else { return Self.text("F-1,9") }
            let start = Int(min(offset, UInt64(exec.bytes.count)))
            let end = start + Int(min(length, UInt64(exec.bytes.count - start), UInt64(GDBPacket.maximumPayload / 2)))
            return .reply(Array("F\(Hex.string(UInt64(end - start)));".utf8) + GDBPacket.escape(exec.bytes[start..<end]))
        case "fstat":
            guard args.count == 1, let fd = Hex.number(args[0]).flatMap({ Int(exactly: $0) }), openFiles.contains(fd), let exec = execFile else { return Self.text("F-1,9") }
            // gdb's fio_stat: big-endian dev, ino, mode, nlink, uid, gid, rdev (4 bytes each),
            // size, blksize, blocks (8 each), atime, mtime, ctime (4 each): 64 bytes.
            var st: [UInt8] = []
            func be(_ v: UInt64, _ n: Int) { for i in (0..<n).reversed() { st.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }
            be(0, 4); be(1, 4); be(0o100555, 4); be(1, 4); be(0, 4); be(0, 4); be(0, 4)
            be(UInt64(exec.bytes.count), 8); be(4096, 8); be(UInt64((exec.bytes.count + 511) / 512), 8)
            be(0, 4); be(0, 4); be(0, 4)
            return .reply(Array("F\(Hex.string(UInt64(st.count)));".utf8) + GDBPacket.escape(st))
        case "close":
            guard args.count == 1, let fd = Hex.number(args[0]).flatMap({ Int(exactly: $0) }), openFiles.remove(fd) != nil else { return Self.text("F-1,9") }
            return Self.text("F0")
        default:
            return Self.empty
        }
    }
}
