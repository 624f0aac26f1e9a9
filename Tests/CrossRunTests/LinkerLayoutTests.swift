import CrossRunDriver
import CrossRunELF
import CrossRunLink
import XCTest

/// The linked image's layout: page-aligned disjoint segments, no W+X, bss takes no bytes,
/// `_Alignas` honoured, init/fini priority order, TLS template, unwind/debug sections dropped.
final class LinkerLayoutTests: XCTestCase {
    static let program = """
    int puts(const char*);
    static const char *names[] = {"a", "b"};
    int counter = 3;
    char big[1 << 20];
    _Thread_local int tl = 4;
    __attribute__((constructor(101))) static void early(void) { counter++; }
    __attribute__((constructor)) static void late(void) { counter++; }
    __attribute__((destructor)) static void bye(void) { puts("bye"); }
    int main(void) { big[5] = 1; puts(names[1]); return counter + tl + big[5]; }
    """

    func testSegmentsArePageAlignedDisjointAndNeverWritableAndExecutable() throws {
        let image = try TestSupport.link([try TestSupport.compile(Self.program, flags: ["-O2"])])
        XCTAssertEqual(image.size % image.pageSize, 0)
        var end = 0
        for s in image.segments {
            XCTAssertEqual(s.offset % image.pageSize, 0, s.name)
            XCTAssertEqual(s.memorySize % image.pageSize, 0, s.name)
            XCTAssertGreaterThanOrEqual(s.offset, end, "segments overlap at \(s.name)")
            end = s.offset + s.memorySize
        }
        XCTAssertEqual(end, image.size)
        XCTAssertEqual(image.segments.map(\.permissions), [.readExecute, .read, .readWrite])
        XCTAssertLessThanOrEqual(image.bytes.count, image.size)
        // The 1 MiB bss costs no bytes in the image.
        XCTAssertLessThan(image.bytes.count, 1 << 20)
        XCTAssertGreaterThan(image.size, 1 << 20)
    }

    func testSymbolsRespectAlignmentAndSegments() throws {
        let image = try TestSupport.link([try TestSupport.compile("""
            _Alignas(64) int aligned64[3] = {1};
            _Alignas(4096) char pagealigned[10];
            int main(void){ return aligned64[0] + pagealigned[0]; }
            """)])
        XCTAssertEqual(try XCTUnwrap(image.symbol(named: "aligned64")).offset % 64, 0)
        XCTAssertEqual(try XCTUnwrap(image.symbol(named: "pagealigned")).offset % 4096, 0)
        let main = try XCTUnwrap(image.symbol(named: "main"))
        let text = try XCTUnwrap(image.segments.first { $0.permissions == .readExecute })
        XCTAssertTrue((text.offset..<text.offset + text.memorySize).contains(main.offset))
        XCTAssertEqual(image.symbolize(offset: main.offset + 2), "main+0x2")
    }

    func testInitAndFiniArraysInPriorityOrder() throws {
        let image = try TestSupport.link([try TestSupport.compile(Self.program)])
        XCTAssertEqual(image.initializers.count, 2)
        XCTAssertEqual(image.finalizers.count, 1)
        // The priority-101 constructor's slot comes first: its rebase value is `early`'s offset.
        let early = try XCTUnwrap(image.symbols.first { $0.name == "early" })
        let first = image.initializers[0]
        let value = image.bytes[first..<first + 8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        XCTAssertEqual(value, early.offset)
        XCTAssertTrue(image.fixups.contains(.rebase(offset: first)))
    }

    func testTLSTemplate() throws {
        let image = try TestSupport.link([try TestSupport.compile(Self.program)])
        let tls = try XCTUnwrap(image.tls)
        XCTAssertEqual(tls.initializedSize, 4)
        XCTAssertEqual(Array(image.bytes[tls.imageOffset..<tls.imageOffset + 4]), [4, 0, 0, 0])
        XCTAssertTrue(image.fixups.contains { if case .tlsBlock = $0 { return true } else { return false } })
        // The resolver reads D from the tlsBlock slot and the block from fs:[D] (per thread).
        let resolver = try XCTUnwrap(image.symbol(named: "__tls_get_addr")).offset
        let code = Array(image.bytes[resolver..<resolver + 16])
        XCTAssertEqual(Array(code[0..<3]), [0x48, 0x8b, 0x05], "mov slot(%rip), %rax")
        XCTAssertEqual(Array(code[7...]), [0x64, 0x48, 0x8b, 0x00, 0x48, 0x03, 0x47, 0x08, 0xc3],
                       "mov %fs:(%rax), %rax; add 8(%rdi), %rax; ret")
        let rel = code[3..<7].enumerated().reduce(Int32(0)) { $0 | Int32($1.element) << (8 * $1.offset) }
        XCTAssertTrue(image.fixups.contains(.tlsBlock(offset: resolver + 7 + Int(rel))), "the slot is the tlsBlock fixup's")
    }

    func testNonAllocAndUnwindSectionsAreDropped() throws {
        let obj = try TestSupport.compile("int main(void){return 0;}", flags: ["-g", "-funwind-tables"])
        XCTAssertTrue(obj.sections.contains { $0.name.hasPrefix(".debug") })
        XCTAssertTrue(obj.sections.contains { $0.name == ".eh_frame" })
        let image = try TestSupport.link([obj])
        // Only code remains: .eh_frame (alloc, read-only) would have created a rodata segment.
        XCTAssertEqual(image.segments.map(\.name), ["text"])
    }
}
