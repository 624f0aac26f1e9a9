#if canImport(Glibc)
import Glibc
#endif

/// Where `printf` output goes. Bytes gather in a small host buffer that is handed on whenever
/// it fills, so output of any length (a `%2000000000d`) streams through bounded host memory,
/// the way glibc writes into the `FILE`'s buffer as it formats.
struct PrintfOutput {
    enum Destination {
        /// A guest stream (`printf`, `fprintf`); nil when the guest's `FILE*` is unknown.
        case stream(HostStream?)
        /// A host descriptor (`dprintf`).
        case descriptor(Int32)
        /// A guest buffer that takes at most `limit` bytes (`sprintf`: unlimited; `snprintf`:
        /// its size − 1); the rest is only counted.
        case guest(any GuestMemory, address: UInt64, limit: Int)
        /// Everything kept in ``pending`` (for callers that need the bytes).
        case collect
    }

    /// Bytes gathered before they are handed on.
    static let chunk = 1 << 16

    let destination: Destination
    /// Bytes not yet handed on (all of them for `.collect`).
    private(set) var pending: [UInt8] = []
    /// Bytes produced so far: what `printf` returns and `%n` stores.
    private(set) var count = 0
    /// Bytes stored into a guest buffer so far.
    private(set) var stored = 0
    /// Whether the stream or descriptor refused bytes (glibc then returns −1).
    private(set) var writeFailed = false
    /// The largest block ever held in ``pending`` (tests check that output streams).
    private(set) var largestPending = 0

    /// Bytes a guest buffer takes (`Int.max` for the other destinations).
    private let limit: Int

    init(_ destination: Destination) {
        self.destination = destination
        if case .guest(_, _, let limit) = destination { self.limit = limit } else { limit = Int.max }
        pending.reserveCapacity(256)
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) throws {
        count += bytes.count
        if stored + pending.count >= limit { return }
        pending.append(contentsOf: bytes)
        if pending.count >= Self.chunk { try handOn() }
    }

    mutating func append(_ byte: UInt8) throws {
        count += 1
        if stored + pending.count >= limit { return }
        pending.append(byte)
        if pending.count >= Self.chunk { try handOn() }
    }

    mutating func append(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try append($0) }
    }

    /// `count` copies of `byte`, handed on in bounded pieces.
    mutating func pad(_ byte: UInt8, count n: Int) throws {
        if n < 256 {
            try withUnsafeTemporaryAllocation(byteCount: max(n, 1), alignment: 1) { block in
                memset(block.baseAddress!, Int32(byte), n)
                try append(UnsafeRawBufferPointer(rebasing: block[0..<n]))
            }
            return
        }
        try handOn()
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.chunk, alignment: 16)
        defer { block.deallocate() }
        memset(block.baseAddress!, Int32(byte), Self.chunk)
        var left = n
        while left > 0 {
            if stored >= limit {
                count += left   // past a snprintf buffer's end: only counted
                return
            }
            let piece = min(left, Self.chunk)
            count += piece
            left -= piece
            try deliver(UnsafeRawBufferPointer(rebasing: block[0..<piece]))
        }
    }

    /// Hands on what is pending (a stream's own buffering still applies).
    mutating func flush() throws { try handOn() }

    private mutating func handOn() throws {
        largestPending = max(largestPending, pending.count)
        guard !pending.isEmpty, !isCollecting else { return }
        let bytes = pending
        try bytes.withUnsafeBytes { try deliver($0) }
        pending.removeAll(keepingCapacity: true)
    }

    private var isCollecting: Bool {
        if case .collect = destination { return true }
        return false
    }

    /// Hands `bytes` to the destination (in order after everything handed on before).
    private mutating func deliver(_ bytes: UnsafeRawBufferPointer) throws {
        switch destination {
        case .collect:
            pending.append(contentsOf: bytes)
        case .stream(let stream):
            if stream.map({ $0.write(bytes) }) != bytes.count { writeFailed = true }
        case .descriptor(let fd):
            if Glibc.write(fd, bytes.baseAddress, bytes.count) != bytes.count { writeFailed = true }
        case .guest(let memory, let address, let limit):
            let n = min(bytes.count, limit - stored)
            if n > 0 {
                try memory.host(address &+ UInt64(stored), n, write: true).copyMemory(from: bytes.baseAddress!, byteCount: n)
                stored += n
            }
        }
    }
}
/// Conversions too wide for one host call. glibc pads any width up to `INT_MAX`; the host
/// formats the conversion with a small width (and precision), and the padding — one run of
/// one byte, which the host's own output for width `n + 1` locates — is streamed.
enum PrintfExpansion {
    /// Widths up to this are formatted in one host call.
    static let directWidth = 4096
    /// Precisions up to this are formatted in one host call. Past it a number's digits are all
    /// zeros (the longest exact decimal expansion, of the smallest x87 or binary128
    /// subnormal, has ~16,500 digits), so the extra precision is one run of zeros.
    static let exactDigits = 20000

    /// Formats the conversion `flags` (from `%` through the flags) `width` `precision` via
    /// `render`, which appends its length and conversion letters to the spec it is given.
    /// `numeric`: precision means digits (not a string's length).
    static func write(_ out: inout PrintfOutput, flags: [UInt8], width: Int?, precision: Int?, numeric: Bool,
                      render: ([UInt8]) throws -> [UInt8]) throws {
        let longPrecision = numeric && (precision ?? 0) > exactDigits
        let shownPrecision = longPrecision ? exactDigits : precision
        let text = try render(spec(flags, nil, shownPrecision))
        var runs: [(at: Int, byte: UInt8, count: Int, rank: Int)] = []
        let leftAlign = flags.contains(UInt8(ascii: "-"))
        if longPrecision, let precision {
            let longer = try render(spec(flags, nil, exactDigits + 1))
            if let (at, byte) = insertion(text, longer) {
                runs.append((at, byte, precision - exactDigits, leftAlign ? 0 : 1))
            }
        }
        let length = text.count + runs.reduce(0) { $0 + $1.count }
        if let width, width > length {
            let padded = try render(spec(flags, text.count + 1, shownPrecision))
            if let (at, byte) = insertion(text, padded) {
                runs.append((at, byte, width - length, leftAlign ? 1 : 0))
            }
        }
        try emit(&out, text, runs.sorted { ($0.at, $0.rank) < ($1.at, $1.rank) })
    }

    /// A string conversion whose bytes (`body`, already cut to the precision) are the guest's:
    /// streamed from guest memory with the padding the host puts around one character.
    static func writeString(_ out: inout PrintfOutput, flags: [UInt8], width: Int?, body: UnsafeRawBufferPointer,
                            render: ([UInt8], UnsafeRawPointer) -> [UInt8]) throws {
        let padding = max((width ?? 0) - body.count, 0)
        var padByte = UInt8(ascii: " "), after = flags.contains(UInt8(ascii: "-"))
        if padding > 0 {
            let sample = "x".withCString { render(spec(flags, 2, nil), UnsafeRawPointer($0)) }
            if let (at, byte) = insertion([UInt8(ascii: "x")], sample) { padByte = byte; after = at == 1 }
        }
        if !after { try out.pad(padByte, count: padding) }
        var offset = 0
        while offset < body.count {
            let n = min(PrintfOutput.chunk, body.count - offset)
            try out.append(UnsafeRawBufferPointer(rebasing: body[offset..<offset + n]))
            offset += n
        }
        if after { try out.pad(padByte, count: padding) }
    }

    /// `%` + flags, then width and precision in decimal.
    static func spec(_ flags: [UInt8], _ width: Int?, _ precision: Int?) -> [UInt8] {
        var s = flags
        if let width { s.append(contentsOf: String(width).utf8) }
        if let precision { s.append(UInt8(ascii: ".")); s.append(contentsOf: String(precision).utf8) }
        return s
    }

    /// Where `longer` is `shorter` with one byte inserted: the index and the byte.
    static func insertion(_ shorter: [UInt8], _ longer: [UInt8]) -> (Int, UInt8)? {
        guard longer.count == shorter.count + 1 else { return nil }
        var i = 0
        while i < shorter.count && shorter[i] == longer[i] { i += 1 }
        guard longer[(i + 1)...].elementsEqual(shorter[i...]) else { return nil }
        return (i, longer[i])
    }

    private static func emit(_ out: inout PrintfOutput, _ text: [UInt8], _ runs: [(at: Int, byte: UInt8, count: Int, rank: Int)]) throws {
        var from = 0
        for run in runs {
            try text.withUnsafeBytes { try out.append(UnsafeRawBufferPointer(rebasing: $0[from..<run.at])) }
            try out.pad(run.byte, count: run.count)
            from = run.at
        }
        try text.withUnsafeBytes { try out.append(UnsafeRawBufferPointer(rebasing: $0[from...])) }
    }
}
