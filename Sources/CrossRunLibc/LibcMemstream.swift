import CPosixLib
#if canImport(Glibc)
import Glibc
#endif

/// `open_memstream`/`open_wmemstream`: a host memory stream whose buffer is copied to a guest
/// heap block after each `fflush(stream)` and at `fclose`, where the guest's `*ptr` and
/// `*sizeloc` are updated as glibc updates them (not at open, not by `fflush(NULL)`; glibc also
/// updates them at `fseek`, which CrossRun does not) (the block is the guest's to `free` after `fclose`; between
/// flushes it may move, as natively).
final class MemoryStream {
    /// Where the host stream keeps its buffer and length (host memory that outlives the stream).
    let buffer = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: 1)
    let length = UnsafeMutablePointer<Int>.allocate(capacity: 1)
    /// The guest's `char **ptr` / `wchar_t **ptr` and `size_t *sizeloc`.
    let guestPointer: UInt64, guestLength: UInt64
    /// Bytes per character (1, or 4 for the wide stream).
    let unit: Int
    var guestBlock: UInt64 = 0

    init(guestPointer: UInt64, guestLength: UInt64, unit: Int) {
        self.guestPointer = guestPointer
        self.guestLength = guestLength
        self.unit = unit
        buffer.initialize(to: nil)
        length.initialize(to: 0)
    }

    deinit {
        free(buffer.pointee)
        buffer.deallocate()
        length.deallocate()
    }

    /// Copies the host buffer (length as the host reports it, plus the terminator) to the guest.
    func synchronize(_ rt: LibcRuntime) throws {
        let count = length.pointee
        let (bytes, overflow) = (count + 1).multipliedReportingOverflow(by: unit)
        guard !overflow, let host = buffer.pointee else { return }
        let block = guestBlock == 0 ? try LibcMemory.allocate(rt, bytes, zero: false) : try LibcStdlibExt.reallocate(rt, guestBlock, bytes)
        guard block != 0 else { rt.setErrno(ENOMEM); return }
        guestBlock = block
        let dst = try rt.memory.host(block, bytes, write: true)
        memcpy(dst, host, count * unit)
        memset(dst + count * unit, 0, unit)
        try rt.memory.store(block, at: guestPointer)
        try rt.memory.store(UInt64(count), at: guestLength)
    }
}

enum LibcMemstream {
    static func open(_ rt: LibcRuntime, _ f: any CallFrame, wide: Bool) throws {
        let pointer = try f.int(0), size = try f.int(1)
        // EFAULT-like checks first: both cells must be writable guest memory.
        _ = try rt.memory.mutableBytes(pointer, 8)
        _ = try rt.memory.mutableBytes(size, 8)
        let m = MemoryStream(guestPointer: pointer, guestLength: size, unit: wide ? 4 : 1)
        let file: UnsafeMutablePointer<FILE>? = wide
            ? m.buffer.withMemoryRebound(to: UnsafeMutablePointer<wchar_t>?.self, capacity: 1) { crossrun_open_wmemstream($0, m.length) }
            : m.buffer.withMemoryRebound(to: UnsafeMutablePointer<CChar>?.self, capacity: 1) { open_memstream($0, m.length) }
        guard let file else { rt.setErrno(errno); f.returnInt(0); return }
        let stream = HostStream(file: file, owned: true)
        stream.memory = m   // *ptr and *sizeloc are first set by fflush or fclose, as in glibc
        f.returnInt(try rt.register(stream))
    }

    static let functions: [String: HostFunction] = [
        "open_memstream": { rt, f in try open(rt, f, wide: false) },
        "open_wmemstream": { rt, f in try open(rt, f, wide: true) },
    ]
}
