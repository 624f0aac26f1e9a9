import CrossRunGDB
import XCTest
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A register file and 4 KiB of memory at 0x1000 behind the protocol, recording breakpoints.
final class FakeGDBTarget: GDBTarget {
    let targetDescription: TargetDescription
    var registers: [[UInt8]]
    var memory = [UInt8](repeating: 0, count: 4096)
    var breakpoints: Set<UInt64> = []

    init(_ description: TargetDescription) {
        targetDescription = description
        registers = description.registers.map { [UInt8](repeating: 0, count: $0.byteCount) }
    }

    func readRegister(_ index: Int) -> [UInt8]? { registers.indices.contains(index) ? registers[index] : nil }
    func writeRegister(_ index: Int, _ bytes: [UInt8]) -> Bool {
        guard registers.indices.contains(index), bytes.count == registers[index].count else { return false }
        registers[index] = bytes
        return true
    }
    func readMemory(_ address: UInt64, _ count: Int) -> [UInt8]? {
        guard address >= 0x1000, address - 0x1000 <= 4096, UInt64(count) <= 4096 - (address - 0x1000) else { return nil }
        return Array(memory[Int(address - 0x1000)..<Int(address - 0x1000) + count])
    }
    func writeMemory(_ address: UInt64, _ bytes: [UInt8]) -> Bool {
        guard readMemory(address, bytes.count) != nil else { return false }
        memory.replaceSubrange(Int(address - 0x1000)..<Int(address - 0x1000) + bytes.count, with: bytes)
        return true
    }
    func setBreakpoint(at address: UInt64, insert: Bool) -> Bool {
        if insert { breakpoints.insert(address) } else { breakpoints.remove(address) }
        return true
    }
    func setWatchpoint(_ kind: GDBWatchKind, at address: UInt64, length: UInt64, insert: Bool) -> Bool? { nil }
}

/// The remote protocol without an engine: framing and checksums, escaping round-trips, a
/// byte-at-a-time stream with acks, interrupts, bad checksums and an overlong packet, `target.xml`
/// read in pieces and parsed for each arch, `g`/`p`/`P`/`m`/`M`/`X`/`Z`/`vCont`, host I/O serving
/// only the exec file, and 5,000 hostile packets (never a trap).
final class GDBProtocolTests: XCTestCase {
    func text(_ action: GDBDispatcher.Action) -> String? {
        if case .reply(let bytes) = action { return String(decoding: bytes, as: UTF8.self) }
        return nil
    }

    func send(_ d: GDBDispatcher, _ t: GDBTarget, _ packet: String) -> String? {
        text(d.handle(Array(packet.utf8), target: t))
    }

    func testFramingAndChecksums() {
        XCTAssertEqual(String(decoding: GDBPacket.frame("OK"), as: UTF8.self), "$OK#9a")
        XCTAssertEqual(String(decoding: GDBPacket.frame(""), as: UTF8.self), "$#00")
        XCTAssertEqual(GDBPacket.checksum(Array("qSupported".utf8)), 0x37)
        // Escaping: $ # } * become } then the byte xor 0x20, and round-trip.
        XCTAssertEqual(GDBPacket.escape([0x24, 0x23, 0x7d, 0x2a, 0x41]), [0x7d, 0x04, 0x7d, 0x03, 0x7d, 0x5d, 0x7d, 0x0a, 0x41])
        var seed: UInt64 = 0x9E3779B97F4A7C15
        for _ in 0..<200 {
            var bytes: [UInt8] = []
            for _ in 0..<Int(seed % 64) {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                bytes.append(UInt8(truncatingIfNeeded: seed >> 33))
            }
            XCTAssertEqual(GDBPacket.unescape(GDBPacket.escape(bytes)), bytes)
            var reader = GDBPacketReader()
            XCTAssertEqual(reader.feed(GDBPacket.frame(GDBPacket.escape(bytes))), [.packet(GDBPacket.escape(bytes))])
        }
        XCTAssertNil(GDBPacket.unescape([0x41, 0x7d]), "an escape at the end is malformed")
    }

    func testReaderSplitsStreamsAndRejectsBadPackets() {
        var reader = GDBPacketReader()
        var inputs: [GDBInput] = []
        // One byte at a time, with acks, an interrupt, a bad checksum and a bad hex digit between.
        for b in Array("+$g#67-\u{03}$m0,4#00$?#zz$?#3f".utf8) { inputs += reader.feed([b]) }
        XCTAssertEqual(inputs, [.packet(Array("g".utf8)), .interrupt, .corrupt, .corrupt, .packet(Array("?".utf8))])
        // A packet longer than the limit is dropped, and the reader recovers.
        var long = [UInt8(ascii: "$")] + [UInt8](repeating: 0x61, count: GDBPacket.maximumPayload + 10) + Array("#00".utf8)
        long += GDBPacket.frame("OK")
        XCTAssertEqual(reader.feed(long), [.corrupt, .packet(Array("OK".utf8))])
    }

    func testQueriesAndTargetDescriptions() throws {
        for description in [TargetDescription.x86_64, .aarch64, .riscv64] {
            let target = FakeGDBTarget(description)
            let d = GDBDispatcher(execFile: .init(path: "/crossrun/p.elf", bytes: Array(0..<255)))
            let supported = try XCTUnwrap(send(d, target, "qSupported:multiprocess+;swbreak+;xmlRegisters=i386"))
            for feature in ["PacketSize=4000", "qXfer:features:read+", "qXfer:exec-file:read+", "swbreak+", "vContSupported+"] {
                XCTAssertTrue(supported.contains(feature), supported)
            }
            XCTAssertEqual(send(d, target, "vMustReplyEmpty"), "")
            // target.xml read in small pieces reassembles to the whole document.
            var xml = ""
            var offset = 0
            while true {
                let piece = try XCTUnwrap(send(d, target, "qXfer:features:read:target.xml:\(String(offset, radix: 16)),40"))
                xml += piece.dropFirst()
                offset += piece.count - 1
                if piece.first == "l" { break }
                XCTAssertEqual(piece.first, "m")
            }
            XCTAssertEqual(xml, description.xml)
            XCTAssertTrue(xml.contains("<architecture>\(description.architecture)</architecture>"))
            let parser = XMLParser(data: Data(xml.utf8))
            XCTAssertTrue(parser.parse(), "target.xml is well-formed")
            // g: every register, in order, at its size.
            let size = description.registers.reduce(0) { $0 + $1.byteCount }
            XCTAssertEqual(send(d, target, "g")?.count, size * 2)
            // P then p on the last register.
            let last = description.registers.count - 1
            let value = String(repeating: "ab", count: description.registers[last].byteCount)
            XCTAssertEqual(send(d, target, "P\(String(last, radix: 16))=\(value)"), "OK")
            XCTAssertEqual(send(d, target, "p\(String(last, radix: 16))"), value)
            XCTAssertEqual(send(d, target, "P\(String(last, radix: 16))=ab"), "E01", "wrong size")
            XCTAssertEqual(send(d, target, "p\(String(description.registers.count, radix: 16))"), "E01")
            XCTAssertEqual(send(d, target, "qXfer:exec-file:read::0,1000"), "l/crossrun/p.elf")
        }
        let names = TargetDescription.x86_64.xml
        for feature in ["org.gnu.gdb.i386.core", "org.gnu.gdb.i386.sse"] { XCTAssertTrue(names.contains(feature)) }
        XCTAssertTrue(TargetDescription.aarch64.xml.contains("org.gnu.gdb.aarch64.fpu"))
        XCTAssertTrue(TargetDescription.riscv64.xml.contains("org.gnu.gdb.riscv.fpu"))
    }

    func testMemoryBreakpointsAndResumption() throws {
        let target = FakeGDBTarget(.riscv64)
        let d = GDBDispatcher()
        XCTAssertEqual(send(d, target, "M1000,4:01020304"), "OK")
        XCTAssertEqual(send(d, target, "m1000,6"), "010203040000")
        XCTAssertEqual(send(d, target, "m0,4"), "E01", "unmapped")
        XCTAssertEqual(send(d, target, "m1000,ffffffffffffffff"), "E01", "huge length")
        XCTAssertEqual(send(d, target, "M1000,4:0102"), "E01", "length mismatch")
        // X carries escaped binary data: 0x7d 0x5d is '}'.
        XCTAssertEqual(text(d.handle(Array("X1004,2:".utf8) + [0x7d, 0x5d, 0x24 ^ 0x20 ^ 0x20], target: target)), "OK")
        XCTAssertEqual(send(d, target, "m1004,2"), "7d24")
        XCTAssertEqual(send(d, target, "X1000,0:"), "OK", "gdb's probe")
        XCTAssertEqual(send(d, target, "Z0,1008,4"), "OK")
        XCTAssertEqual(target.breakpoints, [0x1008])
        XCTAssertEqual(send(d, target, "z0,1008,4"), "OK")
        XCTAssertEqual(target.breakpoints, [])
        XCTAssertEqual(send(d, target, "Z2,1008,4"), "", "watchpoints unsupported by this target")
        XCTAssertEqual(d.handle(Array("vCont;s:1;c".utf8), target: target), .resume(.step, reply: nil))
        XCTAssertEqual(d.handle(Array("vCont;c".utf8), target: target), .resume(.continue, reply: nil))
        XCTAssertEqual(d.handle(Array("c".utf8), target: target), .resume(.continue, reply: nil))
        XCTAssertEqual(d.handle(Array("s".utf8), target: target), .resume(.step, reply: nil))
        XCTAssertEqual(d.handle(Array("D".utf8), target: target), .resume(.detach, reply: Array("OK".utf8)))
        XCTAssertEqual(send(d, target, "?"), "T05thread:1;")
        d.lastStop = GDBStop(signal: 11)
        XCTAssertEqual(send(d, target, "?"), "T0bthread:1;")
        var bus = GDBStop(signal: 7)
        XCTAssertEqual(bus.reply, "T0athread:1;", "SIGBUS is gdb's 10")
        bus.watch = (.write, 0x4a72d4)
        XCTAssertEqual(bus.reply, "T0awatch:4a72d4;thread:1;")
    }

    func testHostIOServesOnlyTheExecFile() throws {
        let target = FakeGDBTarget(.aarch64)
        let bytes = (0..<3000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let d = GDBDispatcher(execFile: .init(path: "/crossrun/p.elf", bytes: bytes))
        func hex(_ s: String) -> String { s.utf8.map { String(format: "%02x", $0) }.joined() }
        XCTAssertEqual(send(d, target, "vFile:setfs:0"), "F0")
        XCTAssertEqual(send(d, target, "vFile:open:\(hex("just probing")),0,1c0"), "F-1,2")
        XCTAssertEqual(send(d, target, "vFile:open:\(hex("/etc/passwd")),0,0"), "F-1,2")
        let fd = try XCTUnwrap(send(d, target, "vFile:open:\(hex("/crossrun/p.elf")),0,0"))
        XCTAssertEqual(fd, "F3")
        // pread: F<count>;<escaped bytes>, until the end of the file.
        var read: [UInt8] = []
        while true {
            guard case .reply(let reply) = d.handle(Array("vFile:pread:3,400,\(String(read.count, radix: 16))".utf8), target: target),
                  let semicolon = reply.firstIndex(of: UInt8(ascii: ";")) else { return XCTFail("no pread reply") }
            let data = try XCTUnwrap(GDBPacket.unescape(Array(reply[(semicolon + 1)...])))
            XCTAssertEqual(String(decoding: reply[1..<semicolon], as: UTF8.self), String(data.count, radix: 16))
            if data.isEmpty { break }
            read += data
        }
        XCTAssertEqual(read, bytes)
        XCTAssertEqual(send(d, target, "vFile:fstat:3")?.prefix(4), "F40;")
        XCTAssertEqual(send(d, target, "vFile:pread:9,10,0"), "F-1,9", "not open")
        XCTAssertEqual(send(d, target, "vFile:pread:ffffffffffffffff,10,0"), "F-1,9")
        XCTAssertEqual(send(d, target, "vFile:fstat:ffffffffffffffff"), "F-1,9")
        XCTAssertEqual(send(d, target, "vFile:close:ffffffffffffffff"), "F-1,9")
        XCTAssertEqual(send(d, target, "vFile:pread:3,ffffffffffffffff,ffffffffffffffff"), "F0;", "past the end")
        XCTAssertEqual(send(d, target, "vFile:close:3"), "F0")
        XCTAssertEqual(send(d, target, "vFile:close:3"), "F-1,9")
    }

    /// A hostile client is input too: random and truncated packets get replies, never a trap.
    func testHostilePacketsNeverTrap() {
        let target = FakeGDBTarget(.x86_64)
        let d = GDBDispatcher(execFile: .init(path: "/p", bytes: [1, 2, 3]))
        let seeds = ["g", "G", "p", "P", "m", "M", "X", "Z", "z", "q", "Q", "v", "c", "s", "H", "?",
                     "qXfer:features:read:target.xml:", "qXfer:exec-file:read:", "vFile:pread:", "vFile:open:", "vCont;", "Z2,", "P0=", "M1000,"]
        let alphabet = Array("0123456789abcdefABCDEFxyz,:;=-}#$*\u{0}\u{ff}".utf8)
        var seed: UInt64 = 12345
        func next() -> UInt64 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return seed >> 33
        }
        for i in 0..<5000 {
            var packet = Array(seeds[i % seeds.count].utf8)
            for _ in 0..<Int(next() % 40) { packet.append(alphabet[Int(next() % UInt64(alphabet.count))]) }
            if next() % 4 == 0 { packet += Array("ffffffffffffffff,ffffffffffffffff".utf8) }
            _ = d.handle(packet, target: target)
        }
        var reader = GDBPacketReader()
        var bytes: [UInt8] = []
        for _ in 0..<20000 { bytes.append(UInt8(truncatingIfNeeded: next())) }
        for input in reader.feed(bytes) {
            if case .packet(let p) = input { _ = d.handle(p, target: target) }
        }
    }
}
