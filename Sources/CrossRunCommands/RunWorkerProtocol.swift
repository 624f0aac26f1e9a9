import CrossRunSupport
#if canImport(Glibc)
import Glibc
#endif

/// The messages between `test`/`matrix` and their run workers (``RunWorker``), as frames on a
/// stream socket: a 4-byte little-endian length, then that many bytes of fields (integers
/// little-endian, byte strings and lists length-prefixed).
///
/// A request is a `crossrun` command line exactly as a child process would get it (`run …` or
/// `inspect --build-only …`) and the ``Subprocess/Options`` it would be started with; the worker
/// answers with a ``Reply/started(_:)`` frame for a run it forks into a process group of its
/// own, then the ``Subprocess/Result`` the child would have given. Both sides check every length and count
/// against what is left of the frame, so a truncated or corrupt frame is an error, never a trap.
enum RunWorkerProtocol {
    /// Largest frame either side accepts: a reply carries a run's stdout (up to the capture
    /// limit) and stderr.
    static let frameLimit = 3 * Subprocess.Options.defaultCaptureLimit

    /// One worker request.
    struct Request: Sendable {
        var arguments: [String]
        var options: Subprocess.Options
    }

    /// A frame the worker sends back.
    enum Reply: Sendable {
        /// First frame of a worker that started (its pid): the executable is a run worker.
        case ready(pid_t)
        /// The worker forked the run's process into a process group of its own (`pid`): what
        /// the caller kills if the worker dies before answering.
        case started(pid_t)
        case finished(Subprocess.Result)
    }

    /// A frame that does not decode.
    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    static func encode(_ request: Request) -> [UInt8] {
        var w = Writer()
        w.strings(request.arguments)
        let o = request.options
        w.optionalString(o.standardInput)
        w.optionalString(o.workingDirectory)
        w.bool(o.captureOutput)
        w.bool(o.captureError)
        w.bool(o.timeout != nil)
        w.u64((o.timeout ?? 0).bitPattern)
        w.u64(UInt64(max(0, o.captureLimit)))
        w.bool(o.processGroup)
        return w.bytes
    }

    static func decodeRequest(_ bytes: [UInt8]) throws(Malformed) -> Request {
        var r = Reader(bytes: bytes)
        let arguments = try r.strings()
        var o = Subprocess.Options()
        o.standardInput = try r.optionalString()
        o.workingDirectory = try r.optionalString()
        o.captureOutput = try r.bool()
        o.captureError = try r.bool()
        let hasTimeout = try r.bool()
        let timeout = Double(bitPattern: try r.u64())
        o.timeout = hasTimeout ? timeout : nil
        if hasTimeout && !(timeout.isFinite && timeout >= 0) { throw Malformed(description: "bad timeout \(timeout)") }
        let limit = try r.u64()
        guard limit <= UInt64(frameLimit) else { throw Malformed(description: "capture limit \(limit) over \(frameLimit)") }
        o.captureLimit = Int(limit)
        o.processGroup = try r.bool()
        try r.end()
        return Request(arguments: arguments, options: o)
    }

    static func encode(_ reply: Reply) -> [UInt8] {
        var w = Writer()
        switch reply {
        case .ready(let pid):
            w.u8(0)
            w.u64(UInt64(UInt32(bitPattern: pid)))
        case .started(let pid):
            w.u8(1)
            w.u64(UInt64(UInt32(bitPattern: pid)))
        case .finished(let result):
            w.u8(2)
            w.u64(UInt64(UInt32(bitPattern: result.status)))
            w.bool(result.signal != nil)
            w.u64(UInt64(UInt32(bitPattern: result.signal ?? 0)))
            w.bool(result.timedOut)
            w.bool(result.outputTruncated)
            w.data(result.output)
            w.data(result.error)
        }
        return w.bytes
    }

    static func decodeReply(_ bytes: [UInt8]) throws(Malformed) -> Reply {
        var r = Reader(bytes: bytes)
        switch try r.u8() {
        case 0:
            let pid = try r.int32()
            try r.end()
            guard pid > 0 else { throw Malformed(description: "ready pid \(pid)") }
            return .ready(pid)
        case 1:
            let pid = try r.int32()
            try r.end()
            guard pid > 0 else { throw Malformed(description: "started pid \(pid)") }
            return .started(pid)
        case 2:
            let status = try r.int32()
            let signaled = try r.bool()
            let signal = try r.int32()
            let timedOut = try r.bool()
            let truncated = try r.bool()
            let output = try r.data()
            let error = try r.data()
            try r.end()
            return .finished(Subprocess.Result(status: status, output: output, error: error, timedOut: timedOut,
                                               signal: signaled ? signal : nil, outputTruncated: truncated))
        case let kind:
            throw Malformed(description: "unknown reply kind \(kind)")
        }
    }

    // MARK: Frames on a socket

    /// Sends one frame; false when the peer is gone (never `SIGPIPE`).
    static func send(_ payload: [UInt8], on fd: Int32) -> Bool {
        guard payload.count <= frameLimit else { return false }
        var frame = [UInt8]()
        frame.reserveCapacity(payload.count + 4)
        let n = UInt32(payload.count)
        frame += [UInt8(n & 0xff), UInt8(n >> 8 & 0xff), UInt8(n >> 16 & 0xff), UInt8(n >> 24)]
        frame += payload
        var sent = 0
        while sent < frame.count {
            let got = frame.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return -1 }
                return Glibc.send(fd, base + sent, buffer.count - sent, Int32(MSG_NOSIGNAL))
            }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { return false }
            sent += got
        }
        return true
    }

    /// Receives one frame: `nil` at the end of the stream or on an error (the peer is gone);
    /// a frame over ``frameLimit`` is an error too.
    static func receive(on fd: Int32) -> [UInt8]? {
        guard let header = read(fd, count: 4) else { return nil }
        let n = Int(header[0]) | Int(header[1]) << 8 | Int(header[2]) << 16 | Int(header[3]) << 24
        guard n <= frameLimit else { return nil }
        return read(fd, count: n)
    }

    private static func read(_ fd: Int32, count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = bytes.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return -1 }
                return Glibc.recv(fd, base + got, count - got, 0)
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return nil }
            got += n
        }
        return bytes
    }

    // MARK: Fields

    struct Writer {
        var bytes: [UInt8] = []
        mutating func u8(_ v: UInt8) { bytes.append(v) }
        mutating func bool(_ v: Bool) { bytes.append(v ? 1 : 0) }
        mutating func u64(_ v: UInt64) { for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }
        mutating func data(_ v: [UInt8]) { u64(UInt64(v.count)); bytes += v }
        mutating func string(_ v: String) { data(Array(v.utf8)) }
        mutating func optionalString(_ v: String?) { bool(v != nil); string(v ?? "") }
        mutating func strings(_ v: [String]) { u64(UInt64(v.count)); v.forEach { string($0) } }
    }

    struct Reader {
        let bytes: [UInt8]
        var offset = 0

        var left: Int { bytes.count - offset }

        mutating func u8() throws(Malformed) -> UInt8 {
            guard left >= 1 else { throw Malformed(description: "frame ends early") }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func bool() throws(Malformed) -> Bool {
            switch try u8() {
            case 0: return false
            case 1: return true
            case let v: throw Malformed(description: "bad flag \(v)")
            }
        }

        mutating func u64() throws(Malformed) -> UInt64 {
            guard left >= 8 else { throw Malformed(description: "frame ends early") }
            var v: UInt64 = 0
            for i in 0..<8 { v |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
            offset += 8
            return v
        }

        /// A 32-bit signed value sent as its bit pattern in 64 bits.
        mutating func int32() throws(Malformed) -> Int32 {
            let v = try u64()
            guard let bits = UInt32(exactly: v) else { throw Malformed(description: "value \(v) out of range") }
            return Int32(bitPattern: bits)
        }

        /// A count of items of at least `size` bytes each, checked against what is left.
        mutating func count(size: Int) throws(Malformed) -> Int {
            let v = try u64()
            guard v <= UInt64(left / max(size, 1)) else { throw Malformed(description: "count \(v) past the frame's end") }
            return Int(v)
        }

        mutating func data() throws(Malformed) -> [UInt8] {
            let n = try count(size: 1)
            defer { offset += n }
            return Array(bytes[offset..<offset + n])
        }

        mutating func string() throws(Malformed) -> String { String(decoding: try data(), as: UTF8.self) }

        mutating func optionalString() throws(Malformed) -> String? {
            let present = try bool()
            let v = try string()
            return present ? v : nil
        }

        mutating func strings() throws(Malformed) -> [String] {
            let n = try count(size: 8)
            var out: [String] = []
            out.reserveCapacity(n)
            for _ in 0..<n { out.append(try string()) }
            return out
        }

        func end() throws(Malformed) {
            guard left == 0 else { throw Malformed(description: "\(left) bytes after the last field") }
        }
    }
}
