#if canImport(Glibc)
import Glibc
#endif

/// Why the debugging server could not start.
public enum GDBServerError: Error, CustomStringConvertible {
    case socket(String, Int32)

    public var description: String {
        switch self {
        case .socket(let what, let code): return "--gdb: \(what): \(String(cString: strerror(code)))"
        }
    }
}

/// One gdb client on a localhost TCP port: reads packets, answers them through a
/// ``GDBDispatcher`` and reports stops and the program's end. Runs on the thread that runs the
/// program, while the program is stopped.
public final class GDBServer {
    public let dispatcher: GDBDispatcher
    private let listener: Int32
    private var client: Int32 = -1
    private var reader = GDBPacketReader()
    private var queued: [GDBInput] = []
    /// Packets kept unanswered at most (the rest of a flood is dropped).
    static let maximumQueued = 256
    /// The port it listens on (useful when asked for port 0).
    public let port: UInt16

    /// Whether a client is connected (false after it went away or detached).
    public var isConnected: Bool { client >= 0 }

    /// The client's socket (-1: none), for a watcher that only polls it.
    public var clientDescriptor: Int32 { client }

    /// Listens on 127.0.0.1:`port` (0: any free port).
    public init(port: UInt16, dispatcher: GDBDispatcher) throws {
        self.dispatcher = dispatcher
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw GDBServerError.socket("socket", errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 1) == 0 else {
            let e = errno
            close(fd)
            throw GDBServerError.socket("cannot listen on localhost:\(port)", e)
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.listener = fd
        self.port = UInt16(bigEndian: actual.sin_port)
    }

    deinit {
        if client >= 0 { close(client) }
        close(listener)
    }

    /// Waits for gdb to connect.
    public func waitForClient() throws {
        var c: Int32
        repeat { c = accept(listener, nil, nil) } while c < 0 && errno == EINTR
        guard c >= 0 else { throw GDBServerError.socket("accept", errno) }
        _ = fcntl(c, F_SETFD, FD_CLOEXEC)   // the program's exec'd children must not inherit it
        var one: Int32 = 1
        setsockopt(c, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        client = c
    }

    private func send(_ bytes: [UInt8]) {
        guard client >= 0 else { return }
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { disconnect(); return }
            sent += n
        }
    }

    private func disconnect() {
        if client >= 0 { close(client) }
        client = -1
    }

    /// Reads what is available (blocking when `wait`); false when the client went away.
    private func receive(wait: Bool) -> Bool {
        guard client >= 0 else { return false }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, wait ? 0 : Int32(MSG_DONTWAIT)) }
        if n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) { return true }
        guard n > 0 else { disconnect(); return false }
        queued += reader.feed(buffer[0..<n])
        // A client that floods packets while the program runs is not served without bound.
        if queued.count > Self.maximumQueued { queued.removeFirst(queued.count - Self.maximumQueued) }
        return true
    }

    /// Whether the client sent Ctrl-C (0x03) since the program was resumed (non-blocking).
    public func pollInterrupt() -> Bool {
        guard client >= 0 else { return false }
        var p = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, 0) > 0 else { return false }
        guard receive(wait: false) else { return false }
        if let i = queued.firstIndex(of: .interrupt) {
            queued.remove(at: i)
            return true
        }
        return false
    }

    /// Reports `stop` (nil: the client has not been told anything yet and will ask with `?`),
    /// then answers packets until the client resumes the program. A client that goes away
    /// detaches.
    public func serve(_ target: GDBTarget, stop: GDBStop?) -> GDBResume {
        if let stop {
            dispatcher.lastStop = stop
            send(GDBPacket.frame(stop.reply))
        }
        while true {
            while queued.isEmpty {
                guard receive(wait: true) else { return .detach }
            }
            let input = queued.removeFirst()
            switch input {
            case .interrupt:
                continue   // already stopped
            case .corrupt:
                send([UInt8(ascii: "-")])
            case .packet(let payload):
                send([UInt8(ascii: "+")])
                switch dispatcher.handle(payload, target: target) {
                case .reply(let r):
                    send(GDBPacket.frame(r))
                case .resume(let how, let reply):
                    if let reply { send(GDBPacket.frame(reply)) }
                    if how == .detach || how == .kill { disconnect() }
                    return how
                }
            }
        }
    }

    /// Forgets the client without telling it anything (a forked child's copy of the socket).
    public func abandon() {
        disconnect()
        queued.removeAll()
    }

    /// Tells the client the program ended: `W<status>`, or `X<signal>` when a signal ended it.
    public func finish(status: Int32, signal: Int32?) {
        guard client >= 0 else { return }
        if let signal {
            send(GDBPacket.frame("X" + format2(GDBStop.gdbSignal(signal))))
        } else {
            send(GDBPacket.frame("W" + format2(status)))
        }
        // Give the client a moment to read it before the socket closes.
        var p = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
        _ = poll(&p, 1, 500)
        disconnect()
    }
}
