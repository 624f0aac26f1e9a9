import CPosixLib
#if canImport(Glibc)
import Glibc
#endif

/// `swscanf`/`vswscanf`: the wide input and format are encoded as UTF-8 and run through the
/// narrow scanf engine (glibc's own parsing, see ``LibcScanf``). For ASCII text this is exactly
/// the wide function: `%s`/`%c` store the multibyte form, `%ls`/`%lc` wide characters, numbers
/// and `%n` count the same characters. With characters beyond ASCII, widths and `%n` count
/// bytes of UTF-8 instead of wide characters, and `%ls` needs a UTF-8 locale to decode them
/// (doc/LIBC.md). The stream forms (`wscanf`, `fwscanf`) run the same engine on a
/// ``WideBridge`` over the guest's stream.
enum LibcWideScanf {
    /// UTF-8 bytes of the guest's wide string at `address`, NUL-terminated (invalid code points
    /// become U+FFFD, which matches no directive).
    static func utf8(_ rt: LibcRuntime, _ address: UInt64) throws -> [UInt8] {
        let count = try rt.memory.wideLength(address)
        let wide = try rt.memory.wideBuffer(address, count, write: false)
        var out: [UInt8] = []
        out.reserveCapacity(count + 1)
        for i in 0..<count {
            let scalar = Unicode.Scalar(UInt32(bitPattern: wide[i])) ?? "\u{FFFD}"
            out.append(contentsOf: String(Character(scalar)).utf8)
        }
        out.append(0)
        return out
    }

    static func scan(_ rt: LibcRuntime, _ f: any CallFrame, _ args: any VariadicArguments) throws {
        let input = try utf8(rt, f.int(0)).map { CChar(bitPattern: $0) }
        let format = try utf8(rt, f.int(1))
        // The engine reads its format from guest memory: a temporary copy on the guest heap.
        let copy = try LibcMemory.allocate(rt, format.count, zero: false)
        guard copy != 0 else { rt.setErrno(ENOMEM); f.returnInt32(EOF); return }
        defer { try? LibcMemory.release(rt, copy) }
        try rt.memory.write(format, at: copy)
        let r = try input.withUnsafeBufferPointer { p -> Int32 in
            guard let base = p.baseAddress else { return EOF }
            do { return try LibcScanf.scan(rt, .string(base), format: copy, args: args) } catch is LibcScanf.GuestHeapExhausted { rt.setErrno(ENOMEM); return EOF }
        }
        f.returnInt32(r)
    }

    /// `fwscanf(stream, format, ...)`: the narrow engine on a bridge that reads the guest's
    /// stream one wide character at a time (so it takes no more than the scan looks at).
    static func scanStream(_ rt: LibcRuntime, _ f: any CallFrame, _ handle: UInt64, _ formatAddress: UInt64,
                           _ args: any VariadicArguments) throws {
        guard let s = rt.stream(handle) else { rt.setErrno(EBADF); f.returnInt32(EOF); return }
        let format = try utf8(rt, formatAddress)
        let copy = try LibcMemory.allocate(rt, format.count, zero: false)
        guard copy != 0 else { rt.setErrno(ENOMEM); f.returnInt32(EOF); return }
        defer { try? LibcMemory.release(rt, copy) }
        try rt.memory.write(format, at: copy)
        let bridge = WideBridge(source: s.file)
        guard let file = bridge.open() else { rt.setErrno(errno); f.returnInt32(EOF); return }
        defer { bridge.close(file) }
        do {
            f.returnInt32(try LibcScanf.scan(rt, .stream(file), format: copy, args: args))
        } catch is LibcScanf.GuestHeapExhausted {
            rt.setErrno(ENOMEM)
            f.returnInt32(EOF)
        }
    }

    static let functions: [String: HostFunction] = [
        "swscanf": { rt, f in try scan(rt, f, f.variadic(afterInts: 2, floats: 0)) },
        "vswscanf": { rt, f in try scan(rt, f, f.vaList(at: f.int(2))) },
        "fwscanf": { rt, f in try scanStream(rt, f, f.int(0), f.int(1), f.variadic(afterInts: 2, floats: 0)) },
        "vfwscanf": { rt, f in try scanStream(rt, f, f.int(0), f.int(1), f.vaList(at: f.int(2))) },
        "wscanf": { rt, f in try scanStream(rt, f, rt.dataHandle("stdin"), f.int(0), f.variadic(afterInts: 1, floats: 0)) },
        "vwscanf": { rt, f in try scanStream(rt, f, rt.dataHandle("stdin"), f.int(0), f.vaList(at: f.int(1))) },
    ]
}

/// A narrow, unbuffered host stream (a host cookie stream) over a wide host stream: each read
/// takes one wide character from the source with `fgetwc` and hands on its UTF-8 bytes. At
/// `close`, a character the scan pushed back, or did not read to its end, goes back to the
/// source with `ungetwc`, so the guest's stream stands where the wide scan stopped.
final class WideBridge {
    let source: UnsafeMutablePointer<FILE>
    /// Bytes of the current character not handed on yet.
    var pending: [UInt8] = []
    var last: wint_t?
    var finished = false

    init(source: UnsafeMutablePointer<FILE>) { self.source = source }

    static let read: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<CChar>?, Int) -> Int = { p, buffer, size in
        guard let p, let buffer, size > 0 else { return 0 }
        let b = Unmanaged<WideBridge>.fromOpaque(p).takeUnretainedValue()
        if b.finished { return 0 }
        if b.pending.isEmpty {
            let c = fgetwc(b.source)
            guard c != WEOF else { return 0 }
            b.last = c
            let scalar = Unicode.Scalar(UInt32(c)) ?? "\u{FFFD}"
            b.pending = Array(String(Character(scalar)).utf8)
        }
        let n = min(size, b.pending.count)
        for i in 0..<n { buffer[i] = CChar(bitPattern: b.pending[i]) }
        b.pending.removeFirst(n)
        return n
    }

    /// The bridge's host stream (unbuffered: it never reads ahead of the scan).
    func open() -> UnsafeMutablePointer<FILE>? {
        guard let file = crossrun_fopencookie(Unmanaged.passUnretained(self).toOpaque(), "r", Self.read, nil, nil, nil) else { return nil }
        setvbuf(file, nil, _IONBF, 0)
        return file
    }

    /// Gives back what the scan did not consume and closes the bridge.
    func close(_ file: UnsafeMutablePointer<FILE>) {
        finished = true
        var pushedBack = 0
        while getc(file) != EOF && pushedBack < 16 { pushedBack += 1 }
        if let last, pushedBack > 0 || !pending.isEmpty { ungetwc(last, source) }
        fclose(file)
    }
}
