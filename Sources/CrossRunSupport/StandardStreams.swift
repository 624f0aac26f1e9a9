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
}

extension String {
    /// The text in a C character buffer up to its first NUL (all of it without one); invalid
    /// UTF-8 is repaired as `String(cString:)` repairs it.
    public init(nulTerminated buffer: [CChar]) {
        self.init(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
