#if canImport(Glibc)
import Glibc
import CHostSystem
#endif

/// A guest `FILE*` backed by a host `FILE*`, so buffering (line-buffered terminals, fully
/// buffered pipes and files, unbuffered stderr) is exactly glibc's.
public final class HostStream {
    /// The host stream.
    public let file: UnsafeMutablePointer<FILE>
    /// Whether closing the guest stream closes the host one (not for the standard streams).
    let owned: Bool
    /// For `open_memstream`: the guest's view of the buffer, updated at `fflush` and `fclose`.
    var memory: MemoryStream?

    init(file: UnsafeMutablePointer<FILE>, owned: Bool) {
        self.file = file
        self.owned = owned
    }

    /// The host's own stdin/stdout/stderr.
    static func standard(_ fd: Int32) -> HostStream {
        switch fd {
        case 0: return HostStream(file: crossrun_host_stdio(0), owned: false)
        case 1: return HostStream(file: crossrun_host_stdio(1), owned: false)
        default: return HostStream(file: crossrun_host_stdio(2), owned: false)
        }
    }

    /// Opens a host file (`fopen` semantics); nil with errno set on failure.
    static func open(_ path: [CChar], mode: String) -> HostStream? {
        guard let f = fopen(path, mode) else { return nil }
        return HostStream(file: f, owned: true)
    }

    /// Writes bytes; returns how many were written.
    @discardableResult
    public func write(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return 0 }
        return fwrite(base, 1, bytes.count, file)
    }

    /// Writes bytes from an array.
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBytes { write($0) }
    }

    public func flush() { fflush(file) }

    /// Drops what the stream buffers and has not written: what a process loses when a signal
    /// kills it or `_Exit` ends it (glibc's `__fpurge`).
    public func discard() { Self.purge?(file) }

    /// glibc's `__fpurge` (in `<stdio_ext.h>`, which Swift's Glibc module does not import).
    static let purge: (@convention(c) (UnsafeMutablePointer<FILE>) -> Void)? = {
        guard let p = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "__fpurge") else { return nil }   // RTLD_DEFAULT
        return unsafeBitCast(p, to: (@convention(c) (UnsafeMutablePointer<FILE>) -> Void).self)
    }()

    /// Closes the stream; returns 0 or EOF.
    func close() -> Int32 {
        owned ? fclose(file) : fflush(file)
    }
}
