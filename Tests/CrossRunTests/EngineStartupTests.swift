import CUnicorn
import CrossRunDriver
@testable import CrossRunEmulator
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The engine's start-up (doc/ARCHITECTURE.md "Start-up"): the engine maps a 1 GiB translation
/// buffer and asks for transparent huge pages on it, so its first write (the prologue) would
/// fault in a whole 2 MiB page that the kernel zeroes. A guest process initialises its engine
/// with THP suspended: the buffer starts in small pages, the process's THP setting is back as it
/// was afterwards (also when it was off to begin with), and programs still run.
final class EngineStartupTests: XCTestCase {
    /// `AnonHugePages` (KiB) of each large read-write-execute private mapping (the engines'
    /// translation buffers) in this process, by start address.
    static func translationBuffers() throws -> [UInt64: Int] {
        let text = try Self.read("/proc/self/smaps")
        var result: [UInt64: Int] = [:]
        var current: UInt64?
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if let range = fields.first, range.contains("-"), fields.count > 1, !range.hasSuffix(":") {
                current = nil
                let bounds = range.split(separator: "-")
                guard bounds.count == 2, let start = UInt64(bounds[0], radix: 16), let end = UInt64(bounds[1], radix: 16),
                      fields[1] == "rwxp", end - start >= 64 << 20 else { continue }
                current = start
                result[start] = 0
            } else if let start = current, fields.first == "AnonHugePages:", fields.count > 1, let kb = Int(fields[1]) {
                result[start] = kb
            }
        }
        return result
    }

    /// The whole of a /proc file (its size reads as 0, and one read returns a page at most).
    static func read(_ path: String) throws -> String {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw XCTSkip("cannot open \(path)") }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { break }
            bytes += chunk[..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Huge-page KiB in the translation buffers that appeared while `body` ran.
    static func newBufferHugePages(_ body: () throws -> Void) throws -> (buffers: Int, hugeKiB: Int) {
        let before = try translationBuffers()
        try body()
        let new = try translationBuffers().filter { before[$0.key] == nil }
        return (new.count, new.values.reduce(0, +))
    }

    static let program = """
        #include <stdio.h>
        int main(void) { printf("ok\\n"); return 7; }
        """

    private func process(_ target: Target) throws -> GuestProcess {
        let image = try TestSupport.link([TestSupport.compile(Self.program, target: target, flags: ["-O1"])])
        return try GuestProcess(image: image, options: .init(arguments: ["t"], environment: [:], programName: "t"))
    }

    func testTranslationBufferStartsInSmallPages() throws {
        // Control: the same engine set-up without the suspension gets a huge page on this
        // machine; where it does not (THP off), the check below could not fail.
        let policy = UnsafeMutablePointer<crossrun_tlb_policy>.allocate(capacity: 1)
        policy.initialize(to: crossrun_tlb_policy())
        defer { policy.deallocate() }
        var engine: OpaquePointer?
        let control = try Self.newBufferHugePages {
            XCTAssertEqual(uc_open(UC_ARCH_X86, UC_MODE_64, &engine), UC_ERR_OK)
            XCTAssertEqual(crossrun_uc_adaptive_tlb(try XCTUnwrap(engine), policy), UC_ERR_OK)
        }
        if let engine { uc_close(engine) }
        XCTAssertEqual(control.buffers, 1, "the control engine's translation buffer")
        guard control.hugeKiB > 0 else {
            throw XCTSkip("the engine's translation buffer gets no transparent huge page on this machine")
        }
        for target in Target.allCases {
            var guest: GuestProcess?
            let started = try Self.newBufferHugePages { guest = try process(target) }
            XCTAssertEqual(started.buffers, 1, "\(target): the guest engine's translation buffer")
            XCTAssertEqual(started.hugeKiB, 0, "\(target): a huge page was faulted in at engine start")
            XCTAssertEqual(crossrun_thp_off(), 0, "\(target): THP left off for the process")
            let outcome = try XCTUnwrap(guest).run()
            XCTAssertEqual(outcome.status, 7, "\(target): \(outcome.report?.text ?? "")")
        }
    }

    func testProcessWithTHPOffKeepsItOff() throws {
        let suspended = crossrun_thp_suspend()
        guard suspended != 0 else { throw XCTSkip("THP is already off for this process, or prctl refused") }
        defer { crossrun_thp_resume(suspended) }
        XCTAssertEqual(crossrun_thp_off(), 1)
        let guest = try process(.x64)
        XCTAssertEqual(crossrun_thp_off(), 1, "creating a guest process turned THP back on")
        XCTAssertEqual(guest.run().status, 7)
    }
}
