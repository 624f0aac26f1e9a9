#if canImport(Glibc)
import Glibc
#endif
import CProcessSupport

/// The host process's standard C streams. Glibc's `stdout`/`stderr` are mutable C globals,
/// which Swift 6 refuses to read from arbitrary contexts; these read them through C.
public enum StandardStreams {
    /// The host's `stdout`.
    public static var output: UnsafeMutablePointer<FILE> { crossrun_standard_stream(1) }
    /// The host's `stderr`.
    public static var error: UnsafeMutablePointer<FILE> { crossrun_standard_stream(2) }

    /// For a process whose forked children run programs on the standard streams (a run
    /// worker): `stdout`/`stderr` become streams of its own over the same descriptors, so what it
    /// prints never orients or buffers C's own stream objects, which a child gets back as a
    /// fresh process has them with ``restoreInForkedChild()``. False if that failed.
    public static func divert() -> Bool { crossrun_divert_standard_streams() == 0 }

    /// In a forked child of a process that called ``divert()``: C's own `stdout`/`stderr` again.
    public static func restoreInForkedChild() { crossrun_restore_standard_streams() }
}

extension String {
    /// The text in a C character buffer up to its first NUL (all of it without one); invalid
    /// UTF-8 is repaired as `String(cString:)` repairs it.
    public init(nulTerminated buffer: [CChar]) {
        self.init(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
