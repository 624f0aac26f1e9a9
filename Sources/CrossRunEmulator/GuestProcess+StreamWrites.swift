import CNativeSupport
import CrossRunLibc
#if canImport(Glibc)
import Glibc
#endif

/// A blocking `write` or `writev` to a pipe, FIFO, socket or terminal, or a `send`, `sendto` or
/// `sendmsg` of plain data to a stream socket, while other guest threads live.
/// All guest threads share one engine, so a host call that blocked when the pipe filled midway
/// would stop every thread, the one that reads the pipe too: a deadlock that cannot happen
/// natively (libuv's `fs_partial_write`: a 700 KB `writev` to a pipe a second thread drains).
/// Instead the data goes out without waiting, as much as fits; for the rest only the calling
/// thread waits for room, in the scheduler, and then makes the call again, skipping what went
/// out before (``GuestThread/writeProgress``). The call returns when all of it went out, as
/// natively. An error after some data went out (EPIPE), or a signal without `SA_RESTART` that
/// ends the wait, returns the count written so far, as Linux's pipe and socket writes do.
extension GuestProcess {
    /// The calls that may go out in parts.
    static let streamWriteNames: Set<String> = ["write", "writev", "send", "sendto", "sendmsg"]

    /// One such call: its descriptor, its guest data, and for the socket calls the guest's
    /// `MSG_*` flags (Linux's numbers on every arch), passed on with each part.
    struct StreamWriteCall {
        var fd: Int32
        var data: [iovec]
        var sendFlags: Int32?
    }

    /// `name`'s call as a ``StreamWriteCall``, or nil when it is not one that waits for room
    /// in parts: a send with an address or control messages (they go with one call), one with
    /// `MSG_DONTWAIT`, one to a datagram or sequenced-packet socket (a message goes out whole
    /// or not at all), or arguments the host call must reject.
    static func streamWriteCall(_ name: String, _ rt: LibcRuntime, _ f: any CallFrame) throws -> StreamWriteCall? {
        let fd = try f.int32(0)
        switch name {
        case "write", "writev":
            guard let data = try writeData(rt, f, vector: name == "writev") else { return nil }
            return StreamWriteCall(fd: fd, data: data, sendFlags: nil)
        case "send", "sendto":
            let flags = try f.int32(3)
            if name == "sendto", try f.int(4) != 0 { return nil }
            guard flags & Int32(MSG_DONTWAIT) == 0, isStreamSocket(fd), let data = try writeData(rt, f, vector: false) else { return nil }
            return StreamWriteCall(fd: fd, data: data, sendFlags: flags)
        case "sendmsg":
            let flags = try f.int32(2)
            guard flags & Int32(MSG_DONTWAIT) == 0, isStreamSocket(fd),
                  let data = GuestSockets.plainMessageData(rt, at: try f.int(1)) else { return nil }
            return StreamWriteCall(fd: fd, data: data.filter { $0.iov_len > 0 }, sendFlags: flags)
        default:
            return nil
        }
    }

    /// Whether `fd` is a stream socket (TCP, a UNIX-domain stream).
    static func isStreamSocket(_ fd: Int32) -> Bool {
        var type: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) == 0 && type == Int32(SOCK_STREAM.rawValue)
    }

    /// Whether `fd` takes such writes: a pipe, FIFO, socket or terminal (a pty whose master
    /// another thread reads) in blocking mode.
    static func waitsForRoom(_ fd: Int32) -> Bool {
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, flags & O_NONBLOCK == 0 else { return false }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return false }
        let type = st.st_mode & S_IFMT
        return type == S_IFIFO || type == S_IFSOCK || (type == S_IFCHR && isatty(fd) == 1)
    }

    /// The guest data of a `write` (`vector` false) or `writev` call as host `iovec`s; nil when
    /// its arguments are for the host call to reject (a bad pointer, a bad count).
    static func writeData(_ rt: LibcRuntime, _ f: any CallFrame, vector: Bool) throws -> [iovec]? {
        if !vector {
            let n = try f.size(2)
            guard n > 0 else { return [] }
            guard let p = try? rt.memory.host(f.int(1), n, write: false) else { return nil }
            return [iovec(iov_base: p, iov_len: n)]
        }
        let base = try f.int(1), count = try f.int32(2)
        guard (0...1024).contains(count) else { return nil }
        var out: [iovec] = []
        var total = 0
        for k in 0..<UInt64(count) {
            let entry = base &+ 16 &* k
            guard let start = try? rt.memory.load(entry, as: UInt64.self),
                  let length = try? rt.memory.load(entry &+ 8, as: UInt64.self),
                  length <= UInt64(Int.max - total) else { return nil }
            total += Int(length)
            if length == 0 { continue }
            guard let p = try? rt.memory.host(start, Int(length), write: false) else { return nil }
            out.append(iovec(iov_base: p, iov_len: Int(length)))
        }
        return out
    }

    /// `data` without its first `skip` bytes.
    static func dropping(_ skip: Int, of data: [iovec]) -> [iovec] {
        var left = skip
        var out: [iovec] = []
        for v in data {
            if left >= v.iov_len { left -= v.iov_len; continue }
            out.append(iovec(iov_base: v.iov_base.map { $0 + left }, iov_len: v.iov_len - left))
            left = 0
        }
        return out
    }

    /// `data` sent on socket `fd` by one host `sendmsg` with `flags`.
    static func send(_ fd: Int32, _ data: [iovec], flags: Int32) -> Int {
        data.withUnsafeBufferPointer { buffer in
            var message = msghdr()
            message.msg_iov = UnsafeMutablePointer(mutating: buffer.baseAddress)
            message.msg_iovlen = buffer.count
            return sendmsg(fd, &message, flags)
        }
    }

    /// Writes `data` to `fd` without waiting: `MSG_DONTWAIT` on a socket (with the guest's
    /// `sendFlags`: `MSG_NOSIGNAL`, `MSG_MORE`…); on a pipe or terminal
    /// through a second, non-blocking open file description of it (`/proc/self/fd/N`), so the
    /// one other processes may share (a terminal, a shell's pipe) never changes, else with
    /// `O_NONBLOCK` set for the call's length. The host's result, errno set on failure.
    static func writeWithoutWaiting(_ fd: Int32, _ data: [iovec], sendFlags: Int32?) -> Int {
        var st = stat()
        if fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFSOCK {
            return send(fd, data, flags: Int32(MSG_DONTWAIT) | (sendFlags ?? 0))
        }
        let again = open("/proc/self/fd/\(fd)", O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        if again >= 0 {
            let r = data.withUnsafeBufferPointer { writev(again, $0.baseAddress, Int32($0.count)) }
            let e = errno
            close(again)
            errno = e
            return r
        }
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 else { return -1 }
        let r = data.withUnsafeBufferPointer { writev(fd, $0.baseAddress, Int32($0.count)) }
        let e = errno
        _ = fcntl(fd, F_SETFL, flags)
        errno = e
        return r
    }

    /// Makes (or continues) the write call `name` of the current thread; false when it is not
    /// such a write (the caller makes the plain call).
    func streamWrite(_ name: String, _ rt: LibcRuntime, _ f: any CallFrame, _ s: GuestScheduler) throws -> Bool {
        let i = s.currentIndex
        let progress = s.threads[i].writeProgress
        let fd = try f.int32(0)
        guard progress > 0 || Self.waitsForRoom(fd), let call = try Self.streamWriteCall(name, rt, f) else { return false }
        let data = call.data
        let rest = Self.dropping(progress, of: data)
        let total = data.reduce(0) { $0 + $1.iov_len }
        /// Ends the call with `result` (the thread's progress is over).
        func finish(_ result: Int) {
            s.threads[i].writeProgress = 0
            f.returnSigned(Int64(result))
        }
        guard !rest.isEmpty else { finish(total); return true }
        if s.liveCount <= 1 {
            // The other threads ended while it waited: the host call may wait now.
            let r = call.sendFlags.map { Self.send(fd, rest, flags: $0) } ?? rest.withUnsafeBufferPointer { writev(fd, $0.baseAddress, Int32($0.count)) }
            if r < 0 && progress == 0 { rt.setErrno(errno) }
            finish(r < 0 ? (progress > 0 ? progress : -1) : progress + r)
            return true
        }
        let r = Self.writeWithoutWaiting(fd, rest, sendFlags: call.sendFlags)
        if r < 0 && errno != EAGAIN && errno != EWOULDBLOCK {
            if progress == 0 { rt.setErrno(errno) }
            finish(progress > 0 ? progress : -1)
            return true
        }
        let done = progress + max(r, 0)
        if done >= total { finish(total); return true }
        s.threads[i].writeProgress = done
        s.blockCurrent(primitive: name, futex: nil, wakeAt: nil, timeoutResult: 0,
                       descriptors: [pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)], retryPC: trapSite)
        requestSwitch(.block)
        return true
    }
}
