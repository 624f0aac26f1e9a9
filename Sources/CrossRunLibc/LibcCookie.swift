import CPosixLib
#if canImport(Glibc)
import Glibc
#endif

/// One `fopencookie` stream's guest side: the guest's cookie and functions, and a guest
/// block the host's buffers are copied through (the guest functions can only see guest memory).
final class GuestCookie {
    weak var rt: LibcRuntime?
    let cookie: UInt64
    let read: UInt64, write: UInt64, seek: UInt64, close: UInt64
    /// The guest's `FILE*` for this stream (set once registered).
    var handle: UInt64 = 0
    /// The bounce block on the guest heap (grown to the largest transfer asked, up to `maximumTransfer`).
    var block: UInt64 = 0, blockSize = 0

    /// The most one guest read or write callback is handed at once; glibc asks for its buffer
    /// size (a few KiB), so natively and emulated the guest sees the same calls below this.
    static let maximumTransfer = 1 << 20

    init(rt: LibcRuntime, cookie: UInt64, functions: [UInt64]) {
        self.rt = rt
        self.cookie = cookie
        read = functions[0]; write = functions[1]; seek = functions[2]; close = functions[3]
    }

    /// A guest block of at least `size` bytes (8 at least: the seek offset cell).
    func buffer(_ rt: LibcRuntime, _ size: Int) throws -> UInt64 {
        let wanted = max(size, 8)
        if wanted <= blockSize { return block }
        let grown = try LibcMemory.allocate(rt, wanted, zero: false)
        guard grown != 0 else { throw GuestFileSystem.Failure(code: ENOMEM) }
        if block != 0 { _ = rt.heap.free(block) }
        block = grown
        blockSize = wanted
        return grown
    }

    /// Calls guest `function`; a failure of the call itself (the guest exited or jumped out of
    /// it, or faulted) is kept for the trap to rethrow once the host's stdio call has returned,
    /// and the host sees -1. The guest's errno becomes the host's, so the stdio call's caller
    /// sees what the guest function set.
    func call(_ rt: LibcRuntime, _ function: UInt64, _ args: [UInt64]) -> Int64 {
        guard let call = rt.callGuest, rt.pendingCallbackError == nil, !rt.guestCallbacksSuspended else { return -1 }
        // The host's stdio is inside this stream: while the guest function runs, the guest's
        // FILE* is unknown (EBADF), so it cannot close or re-enter the host stream under it.
        let stream = rt.streams.removeValue(forKey: handle)
        defer { if let stream { rt.streams[handle] = stream } }
        do {
            let r = Int64(bitPattern: try call(function, args))
            if let e = try? rt.memory.load(rt.errnoAddress, as: Int32.self) { errno = e }
            return r
        } catch {
            rt.pendingCallbackError = error
            return -1
        }
    }

    func release() {
        if let rt, block != 0 { _ = rt.heap.free(block) }
        block = 0
    }
}

/// `fopencookie`: a host cookie stream whose callbacks call the guest's functions as nested
/// guest calls, so buffering, `ungetc`, `fseek` and the error and end-of-file flags are the
/// host glibc's, exactly as natively. Data passes through a guest bounce block; a guest
/// read or write function returning a short count is seen as natively (writes longer than
/// `GuestCookie.maximumTransfer` are handed over in pieces of that size).
enum LibcCookie {
    static func cookie(_ p: UnsafeMutableRawPointer?) -> GuestCookie? {
        p.map { Unmanaged<GuestCookie>.fromOpaque($0).takeUnretainedValue() }
    }

    static let hostRead: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<CChar>?, Int) -> Int = { p, buf, size in
        guard let c = cookie(p), let rt = c.rt, let buf else { return -1 }
        do {
            let n = min(size, GuestCookie.maximumTransfer)
            let block = try c.buffer(rt, n)
            let r = c.call(rt, c.read, [c.cookie, block, UInt64(n)])
            guard r > 0 else { return Int(r) }
            let got = Int(min(r, Int64(n)))
            memcpy(buf, try rt.memory.host(block, got, write: false), got)
            return got
        } catch {
            rt.pendingCallbackError = rt.pendingCallbackError ?? error
            return -1
        }
    }

    static let hostWrite: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, Int) -> Int = { p, buf, size in
        guard let c = cookie(p), let rt = c.rt, let buf else { return -1 }
        var done = 0
        do {
            while done < size {
                let n = min(size - done, GuestCookie.maximumTransfer)
                let block = try c.buffer(rt, n)
                memcpy(try rt.memory.host(block, n, write: true), buf + done, n)
                let r = c.call(rt, c.write, [c.cookie, block, UInt64(n)])
                guard r >= 0 else { return done > 0 ? done : Int(r) }
                done += Int(min(r, Int64(n)))
                if r < n { break }
            }
            return done
        } catch {
            rt.pendingCallbackError = rt.pendingCallbackError ?? error
            return -1
        }
    }

    static let hostSeek: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<Int>?, Int32) -> Int32 = { p, offset, whence in
        guard let c = cookie(p), let rt = c.rt, let offset else { return -1 }
        do {
            let cell = try c.buffer(rt, 8)
            try rt.memory.store(Int64(offset.pointee), at: cell)
            let r = Int32(truncatingIfNeeded: c.call(rt, c.seek, [c.cookie, cell, UInt64(bitPattern: Int64(whence))]))
            offset.pointee = Int(try rt.memory.load(cell, as: Int64.self))
            return r
        } catch {
            rt.pendingCallbackError = rt.pendingCallbackError ?? error
            return -1
        }
    }

    static let hostClose: @convention(c) (UnsafeMutableRawPointer?) -> Int32 = { p in
        guard let p else { return 0 }
        let owner = Unmanaged<GuestCookie>.fromOpaque(p)
        let c = owner.takeUnretainedValue()
        defer { c.release(); owner.release() }
        guard c.close != 0, let rt = c.rt else { return 0 }
        return Int32(truncatingIfNeeded: c.call(rt, c.close, [c.cookie]))
    }

    static func open(_ rt: LibcRuntime, _ f: any CallFrame) throws {
        let cookieValue = try f.int(0), mode = try rt.memory.string(f.int(1))
        let functions = try rt.abi.structArgument(f, firstRegister: 2, words: 4, memory: rt.memory)
        let c = GuestCookie(rt: rt, cookie: cookieValue, functions: functions)
        let owner = Unmanaged.passRetained(c)
        // Null functions stay null, so the host's stdio treats them as glibc does natively;
        // close is always set: it releases the guest side.
        let file = crossrun_fopencookie(owner.toOpaque(), mode, c.read != 0 ? hostRead : nil, c.write != 0 ? hostWrite : nil,
                                        c.seek != 0 ? hostSeek : nil, hostClose)
        guard let file else {
            owner.release()
            rt.setErrno(errno)
            f.returnInt(0)
            return
        }
        c.handle = try rt.register(HostStream(file: file, owned: true))
        f.returnInt(c.handle)
    }

    static let functions: [String: HostFunction] = [
        "fopencookie": { rt, f in try open(rt, f) },
    ]
}
