/// The GDB remote serial protocol's framing: `$payload#cs` packets, `+`/`-` acknowledgements,
/// the `0x03` interrupt byte, `}` escaping and two-digit hex checksums.
public enum GDBPacket {
    /// The largest payload accepted from a client (and advertised as `PacketSize`).
    public static let maximumPayload = 0x4000

    /// The modulo-256 sum of `bytes`.
    public static func checksum<C: Collection>(_ bytes: C) -> UInt8 where C.Element == UInt8 {
        bytes.reduce(0) { $0 &+ $1 }
    }

    /// `payload` escaped (`$`, `#`, `}` and `*` become `}` then the byte xor 0x20).
    public static func escape<C: Collection>(_ payload: C) -> [UInt8] where C.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(payload.count)
        for b in payload {
            if b == 0x24 || b == 0x23 || b == 0x7d || b == 0x2a {
                out.append(0x7d)
                out.append(b ^ 0x20)
            } else {
                out.append(b)
            }
        }
        return out
    }

    /// Undoes ``escape(_:)``; nil when the payload ends inside an escape.
    public static func unescape(_ payload: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(payload.count)
        var i = 0
        while i < payload.count {
            if payload[i] == 0x7d {
                guard i + 1 < payload.count else { return nil }
                out.append(payload[i + 1] ^ 0x20)
                i += 2
            } else {
                out.append(payload[i])
                i += 1
            }
        }
        return out
    }

    /// A whole packet for `payload`, which must already be escaped where it holds binary data.
    public static func frame(_ payload: [UInt8]) -> [UInt8] {
        let sum = checksum(payload)
        return [0x24] + payload + [0x23] + Hex.byte(sum)
    }

    /// A whole packet for a text payload (no bytes that need escaping: hex, names, numbers).
    public static func frame(_ text: String) -> [UInt8] { frame(escape(Array(text.utf8))) }
}

/// What one chunk of the client's byte stream held, in order.
public enum GDBInput: Equatable {
    /// A packet with a good checksum, still escaped (binary packets `X` and `vFile:pwrite`
    /// unescape their data part; the rest never contain escapes).
    case packet([UInt8])
    /// A packet whose checksum did not match (answer `-`), or one longer than
    /// ``GDBPacket/maximumPayload``.
    case corrupt
    /// `0x03`: stop the program.
    case interrupt
}

/// Turns the client's byte stream into ``GDBInput``s. Bounded: a packet that never ends is
/// dropped once it passes ``GDBPacket/maximumPayload``.
public struct GDBPacketReader {
    private enum State { case idle, payload, checksum1, checksum2 }
    private var state = State.idle
    private var payload: [UInt8] = []
    private var overflow = false
    private var sum: UInt8 = 0

    public init() {}

    /// Feeds received bytes; returns what they completed.
    public mutating func feed<C: Collection>(_ bytes: C) -> [GDBInput] where C.Element == UInt8 {
        var out: [GDBInput] = []
        for b in bytes {
            switch state {
            case .idle:
                if b == 0x24 {
                    state = .payload
                    payload.removeAll(keepingCapacity: true)
                    overflow = false
                } else if b == 0x03 {
                    out.append(.interrupt)
                }   // '+', '-' and noise between packets are ignored
            case .payload:
                if b == 0x23 {
                    state = .checksum1
                } else if payload.count < GDBPacket.maximumPayload {
                    payload.append(b)
                } else {
                    overflow = true
                }
            case .checksum1:
                guard let v = Hex.digit(b) else { state = .idle; out.append(.corrupt); continue }
                sum = v << 4
                state = .checksum2
            case .checksum2:
                state = .idle
                guard let v = Hex.digit(b), !overflow, sum | v == GDBPacket.checksum(payload) else {
                    out.append(.corrupt)
                    continue
                }
                out.append(.packet(payload))
            }
        }
        return out
    }
}

/// Hex encoding as the protocol uses it (lower case, big-endian numbers, byte strings in order).
public enum Hex {
    static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// The value of one hex digit.
    public static func digit(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
    }

    /// Two hex digits.
    public static func byte(_ b: UInt8) -> [UInt8] { [digits[Int(b >> 4)], digits[Int(b & 15)]] }

    /// Bytes as hex text.
    public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes { out += byte(b) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Hex text as bytes; nil for an odd length or a non-hex character.
    public static func decode<S: StringProtocol>(_ text: S) -> [UInt8]? {
        let u = Array(text.utf8)
        guard u.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(u.count / 2)
        var i = 0
        while i < u.count {
            guard let h = digit(u[i]), let l = digit(u[i + 1]) else { return nil }
            out.append(h << 4 | l)
            i += 2
        }
        return out
    }

    /// A hex number (at most 16 digits, so it fits 64 bits); nil otherwise.
    public static func number<S: StringProtocol>(_ text: S) -> UInt64? {
        guard !text.isEmpty, text.utf8.count <= 16 else { return nil }
        var v: UInt64 = 0
        for c in text.utf8 {
            guard let d = digit(c) else { return nil }
            v = v << 4 | UInt64(d)
        }
        return v
    }

    /// A number as minimal hex digits.
    public static func string(_ v: UInt64) -> String { String(v, radix: 16) }
}
