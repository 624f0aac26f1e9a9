import CrossRunLink

/// libFuzzer's entry: one input for the ELF reader and the linker (``LinkProbe``).
///
/// Errors are the expected outcome for most inputs. A finding is a trap or sanitizer report
/// inside the reader or linker, or an image that breaks ``LinkImage/invariantViolation``
/// (the native loader writes fixups without checking them again), reported here as a trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLinkerTestOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    if case .linked(let image) = LinkProbe.link(bytes, name: "fuzz.o") {
        if let problem = image.invariantViolation {
            fatalError("linked image breaks a loader invariant: \(problem)")
        }
        // Symbolization walks symbol offsets and sizes.
        for s in image.symbols.prefix(64) { _ = image.symbolize(offset: s.offset &+ s.size / 2) }
    }
    return 0
}
