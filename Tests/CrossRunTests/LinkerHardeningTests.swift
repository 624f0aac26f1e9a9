import CrossRunDriver
import CrossRunELF
import CrossRunEmulator
import CrossRunLink
import CrossRunSupport
import XCTest

/// Sizes, addresses and indices near 2^63 (issue 12): every one is a `LinkError` or `ELFError`
/// naming the file, never a trap, on every architecture.
///
/// Issue 12's hostile inputs on all three arches: eight `char a[1L<<60]` arrays (also `-fcommon`),
/// a `.zero 0x7ffffffffffff000` in `.bss`, `.set sym, x+0x7ffffffffffffff0`, patched
/// `sh_size`/`st_size`/`st_value`/common alignment/`r_addend`/`r_offset`/`sh_addralign`, a
/// relocation through a missing symbol table, an allocated `SHT_NULL` section, a 1 TiB TLS block (a
/// clean emulator load error); the image limit is exact (a lowered `maximumImageSize`); alignment
/// padding counts towards the stored-bytes limit; `GuestLayout` has room for the largest image;
/// archive members that are text, corrupt objects or LLVM bitcode are refused naming
/// `lib.a(member)`.
final class LinkerHardeningTests: XCTestCase {
    /// Links `objects`, expecting an error whose text contains every one of `fragments`.
    private func assertLinkFails(_ objects: [ObjectFile], archives: [Archive] = [], maximumImageSize: Int = LinkImage.maximumSize,
                                 _ fragments: String..., file: StaticString = #filePath, line: UInt = #line) {
        var options = LinkOptions(machine: objects.first?.machine ?? .x86_64, runtimeSymbol: Pipeline.runtimeSymbol)
        options.maximumImageSize = maximumImageSize
        XCTAssertThrowsError(try Linker.link(objects: objects, archives: archives, options: options), file: file, line: line) { error in
            XCTAssertTrue(error is LinkError || error is ELFError, "\(type(of: error)): \(error)", file: file, line: line)
            for f in fragments {
                XCTAssertTrue("\(error)".contains(f), "expected '\(f)' in: \(error)", file: file, line: line)
            }
        }
    }

    private func link(_ objects: [ObjectFile], maximumImageSize: Int = LinkImage.maximumSize) throws -> LinkImage {
        var options = LinkOptions(machine: objects.first?.machine ?? .x86_64, runtimeSymbol: Pipeline.runtimeSymbol)
        options.maximumImageSize = maximumImageSize
        return try Linker.link(objects: objects, options: options)
    }

    // MARK: - Programs from the issue, on every architecture

    func testEightExabyteArraysAreImageTooLarge() throws {
        let source = """
        char a1[1L<<60], a2[1L<<60], a3[1L<<60], a4[1L<<60], a5[1L<<60], a6[1L<<60], a7[1L<<60], a8[1L<<60];
        int main(void) { a1[5] = 1; return a8[3]; }
        """
        for target in Target.allCases {
            let object = try TestSupport.compile(source, target: target, name: "big.c")
            assertLinkFails([object], "image too large", "big.c: section '.bss'", "64 TiB")
            // As common symbols (-fcommon) the arrays are merged by the linker instead.
            let common = try TestSupport.compile(source, target: target, name: "common.c", flags: ["-fcommon"])
            assertLinkFails([common], "image too large", "common.c: common symbol 'a")
        }
    }

    /// Through the CLI, on every target/backend pair: exit 1 and one clear line, no trap.
    func testCommandLineReportsImageTooLarge() throws {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        try FileIO.write(Array("char a[1L<<60], b[1L<<60], c[1L<<60], d[1L<<60], e[1L<<60], f[1L<<60], g[1L<<60], h[1L<<60];\nint main(void) { return a[1] + h[2]; }\n".utf8), to: dir + "/big.c")
        for (target, backend) in [("x64", "native"), ("x64", "emu"), ("aarch64", "emu"), ("rv64", "emu")] {
            let r = try TestSupport.runCrossrun(["--target", target, "--backend", backend, "big.c"], cwd: dir)
            XCTAssertEqual(r.status, 1, "\(target)/\(backend): \(r.stderr)")
            XCTAssertEqual(r.stderr, "crossrun: error: image too large: big.c: section '.bss' (9223372036854775808 bytes) does not fit in the 64 TiB a linked image may span\n")
        }
    }

    func testHugeZeroFillInBss() throws {
        let user = "extern char buf[]; int main(void) { return buf[0]; }"
        for target in Target.allCases {
            let zero = try TestSupport.compile(".bss\n.globl buf\nbuf: .zero 0x7ffffffffffff000\n", target: target, name: "zero.s")
            let main = try TestSupport.compile(user, target: target)
            assertLinkFails([zero, main], "image too large", "zero.s: section '.bss' (9223372036854771712 bytes)")
        }
    }

    func testSymbolSetFarPastItsSection() throws {
        let user = "extern char sym[]; int main(void) { return sym != 0; }"
        for target in Target.allCases {
            let asm = try TestSupport.compile(".text\n.globl x\nx: nop\n.globl sym\n.set sym, x+0x7ffffffffffffff0\n",
                                              target: target, name: "set.s")
            let main = try TestSupport.compile(user, target: target)
            assertLinkFails([asm, main], "set.s: symbol 'sym' has value 0x7ffffffffffffff0 in section '.text'")
        }
        // A symbol a little past its section is fine (the relocation gets its address).
        let near = try TestSupport.compile(".text\n.globl x\nx: nop\n.globl sym\n.set sym, x+0x100\n", name: "near.s")
        let image = try link([near, try TestSupport.compile(user)])
        XCTAssertEqual(image.symbol(named: "sym").map { $0.offset - image.symbol(named: "x")!.offset }, 0x100)
    }

    /// The image-size limit is exact: what fits links, one byte more is refused.
    func testImageSizeLimitIsExact() throws {
        func object(bss: UInt64) -> ObjectFile {
            var b = ELFBuilder()
            let text = b.section(".text", flags: 6, [0xc3])
            let bss = b.section(".bss", flags: 3, [], nobitsSize: bss)
            b.symbol("main", section: text)
            b.symbol("buf", section: bss, type: 1)
            return try! ObjectFile(bytes: b.build(), name: "limit.o")
        }
        let limit = 1 << 20
        // text page, then the data segment holding .bss up to the limit.
        let image = try link([object(bss: UInt64(limit - 4096))], maximumImageSize: limit)
        XCTAssertEqual(image.size, limit)
        XCTAssertEqual(image.bytes.count, 4096, "zero fill is not stored")
        assertLinkFails([object(bss: UInt64(limit - 4096 + 1))], maximumImageSize: limit,
                        "image too large: limit.o: section '.bss' (1044481 bytes)", "1 MiB")
    }

    /// Alignment padding counts towards the stored bytes: a small object whose sections are
    /// each aligned to 64 KiB cannot make the linker hold gigabytes of zeros.
    func testStoredSizeLimitCountsPadding() throws {
        var b = ELFBuilder()
        let text = b.section(".text", flags: 6, [0xc3])
        b.symbol("main", section: text)
        for i in 0..<40 {
            let s = b.section(".data.\(i)", flags: 3, [UInt8(i)])
            b.sections[s - 1].align = 1 << 16
        }
        let object = try ObjectFile(bytes: b.build(), name: "padded.o")
        var options = LinkOptions(machine: .x86_64, runtimeSymbol: Pipeline.runtimeSymbol)
        options.maximumStoredSize = 1 << 21
        XCTAssertThrowsError(try Linker.link(objects: [object], options: options)) {
            XCTAssertTrue("\($0)".hasPrefix("image too large: padded.o: section '.data."), "\($0)")
            XCTAssertTrue("\($0)".hasSuffix("does not fit in the 2 MiB of code and initialised data an image may hold"), "\($0)")
        }
        options.maximumStoredSize = 1 << 22
        let image = try Linker.link(objects: [object], options: options)
        XCTAssertEqual(image.bytes.count, 40 * 65536 + 1, "the text page, then 40 sections each at the next 64 KiB boundary")
    }

    /// Every image the linker may produce fits the emulator's address-space plan.
    func testGuestLayoutHasRoomForTheLargestImage() {
        let layout = GuestLayout()
        let imageEnd = layout.imageBase + UInt64(LinkImage.maximumSize)
        let heapEnd = imageEnd + 0x10_0000 + layout.heapSize
        XCTAssertLessThanOrEqual(heapEnd, layout.stackTop - layout.stackSize)
    }

    /// A TLS block that links (under the image limit) but not fits the guest heap is a clean
    /// load error, not a stray guest-memory error.
    func testHugeThreadLocalsAreALoadError() throws {
        for target in Target.allCases {
            let object = try TestSupport.compile("_Thread_local char big[1L<<40]; int main(void) { return big[5]; }", target: target)
            let image = try TestSupport.link([object])
            XCTAssertEqual(image.tls?.size, 1 << 40)
            let options = GuestProcess.Options(arguments: ["tls"], environment: [:], programName: "tls")
            XCTAssertThrowsError(try Emulator.run(image, options: options)) {
                XCTAssertTrue("\($0)".contains("thread-local storage (1099511627776 bytes) does not fit in the guest heap"), "\($0)")
            }
        }
    }

    // MARK: - Patched fields

    private func base(_ configure: (inout ELFBuilder, _ text: Int) -> Void) -> ObjectFile? {
        var b = ELFBuilder()
        let text = b.section(".text", flags: 6, [0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0xc3])
        b.symbol("main", section: text)
        configure(&b, text)
        return try? ObjectFile(bytes: b.build(), name: "p.o")
    }

    func testPatchedSectionSizes() throws {
        for size in [UInt64(1) << 63, .max, UInt64(1) << 47] {
            let bss = try XCTUnwrap(base { b, _ in b.section(".bss", flags: 3, [], nobitsSize: size) })
            assertLinkFails([bss], "image too large", "p.o: section '.bss' (\(size) bytes)")
            let tbss = try XCTUnwrap(base { b, _ in b.section(".tbss", flags: 0x403, [], nobitsSize: size) })
            assertLinkFails([tbss], "image too large", "p.o: thread-local section '.tbss'")
            // Read-only zero fill goes with .bss: no huge host buffer for the image's initialised part.
            let ro = try XCTUnwrap(base { b, _ in b.section(".rozero", flags: 2, [], nobitsSize: size) })
            assertLinkFails([ro], "image too large", "p.o: section '.rozero'")
        }
        let ro = try XCTUnwrap(base { b, _ in b.section(".rozero", flags: 2, [], nobitsSize: 1 << 30) })
        let image = try link([ro])
        XCTAssertLessThan(image.bytes.count, 1 << 20, "a read-only NOBITS section is not stored in the image bytes")
    }

    func testPatchedSymbolFields() throws {
        // st_size is informational: any value links, and the symbol table stays sane.
        let sized = try XCTUnwrap(base { b, text in b.symbol("huge", section: text, value: 1, size: .max, type: 1) })
        let image = try link([sized])
        let huge = try XCTUnwrap(image.symbols.first { $0.name == "huge" })
        XCTAssertLessThanOrEqual(huge.size, LinkImage.maximumSize)
        XCTAssertNotNil(image.symbolize(offset: huge.offset + 4))
        // st_value far outside the section: refused when the symbol is placed.
        for value in [UInt64.max, UInt64(1) << 63, UInt64(1) << 47] {
            let far = try XCTUnwrap(base { b, text in b.symbol("far", section: text, value: value, type: 1) })
            assertLinkFails([far], "p.o: symbol 'far' has value 0x\(String(value, radix: 16))")
        }
        // Common symbols: st_value is the alignment, st_size the size.
        let badAlign = try XCTUnwrap(base { b, _ in b.symbol("c", section: Int(SectionIndex.common), value: 3, size: 8, type: 1) })
        assertLinkFails([badAlign], "p.o: common symbol 'c' has alignment 3")
        let hugeAlign = try XCTUnwrap(base { b, _ in b.symbol("c", section: Int(SectionIndex.common), value: 1 << 63, size: 8, type: 1) })
        XCTAssertNoThrow(try link([hugeAlign]), "alignment is capped at a page, as before")
        let hugeCommon = try XCTUnwrap(base { b, _ in b.symbol("c", section: Int(SectionIndex.common), value: 8, size: .max, type: 1) })
        assertLinkFails([hugeCommon], "image too large", "p.o: common symbol 'c'")
    }

    func testPatchedRelocationFields() throws {
        // r_addend at the extremes: 64-bit fields wrap like addresses, narrower ones are range checked.
        for addend in [Int64.max, Int64.min, -1] {
            let abs = try XCTUnwrap(base { b, text in
                b.section(".data", flags: 3, [UInt8](repeating: 0, count: 8))
                b.relocate(section: 2, offset: 0, type: 1, symbol: 1, addend: addend)   // R_X86_64_64 against main
                _ = text
            })
            XCTAssertNoThrow(try link([abs]))
            let pc32 = try XCTUnwrap(base { b, text in b.relocate(section: text, offset: 1, type: 2, symbol: 1, addend: addend) })
            if addend != -1 { assertLinkFails([pc32], "p.o(.text+0x1)", "out of range") }
        }
        // r_offset near 2^64 is refused by the reader.
        var b = ELFBuilder()
        let text = b.section(".text", flags: 6, [0xc3])
        b.symbol("main", section: text)
        b.relocate(section: text, offset: .max - 2, type: 1, symbol: 1)
        XCTAssertThrowsError(try ObjectFile(bytes: b.build(), name: "r.o")) {
            XCTAssertTrue("\($0)".hasPrefix("r.o: "), "\($0)")
        }
    }

    /// A relocation through symbol 0 of an object whose symbol table is gone.
    func testRelocationWithoutSymbolTable() throws {
        var b = ELFBuilder()
        let text = b.section(".text", flags: 6, [0x48, 0x8b, 0x05, 0, 0, 0, 0, 0xc3])
        b.relocate(section: text, offset: 3, type: 9, symbol: 0, addend: -4)   // R_X86_64_GOTPCREL
        var bytes = b.build()
        // Turn SHT_SYMTAB into SHT_PROGBITS: the object now has no symbols at all.
        let object = try ObjectFile(bytes: bytes, name: "nosym.o")
        let symtab = try XCTUnwrap(object.sections.first { $0.type == SectionType.symtab })
        let shoff = Int(bytes[40]) | Int(bytes[41]) << 8 | Int(bytes[42]) << 16
        bytes.replaceSubrange(shoff + symtab.index * 64 + 4..<shoff + symtab.index * 64 + 8, with: ELFBuilder.le(UInt32(1)))
        let stripped = try ObjectFile(bytes: bytes, name: "nosym.o")
        XCTAssertTrue(stripped.symbols.isEmpty)
        var options = LinkOptions(machine: .x86_64, requiredSymbols: [], runtimeSymbol: Pipeline.runtimeSymbol)
        options.maximumImageSize = LinkImage.maximumSize
        XCTAssertThrowsError(try Linker.link(objects: [stripped], options: options)) {
            XCTAssertTrue("\($0)".hasPrefix("nosym.o(.text+0x3)"), "\($0)")
        }
    }

    func testHugeSectionAlignmentIsRefused() throws {
        var b = ELFBuilder()
        b.section(".text", flags: 6, [0xc3])
        b.sections[0].align = 1 << 63
        XCTAssertThrowsError(try ObjectFile(bytes: b.build(), name: "a.o")) {
            XCTAssertTrue("\($0)".contains("a.o: section 1 '.text' alignment 9223372036854775808 is too large"), "\($0)")
        }
    }

    /// A SHT_NULL section marked allocatable has no contents, whatever its size says.
    func testAllocatedNullSectionIsIgnored() throws {
        let object = try XCTUnwrap(base { b, _ in
            b.section(".odd", flags: 3, [])
            b.sections[1].type = 0
            b.sections[1].size = .max
        })
        XCTAssertNoThrow(try link([object]))
    }

    // MARK: - Archives

    func testArchiveMembersThatAreNotObjectsAreRefused() throws {
        let dir = try TestSupport.scratch()
        defer { FileIO.removeTree(dir) }
        let good = try TestSupport.compile("int helper(void) { return 4; }", name: "helper.c")
        try FileIO.write(good.bytes, to: dir + "/helper.o")
        try FileIO.write(Array("just some notes\n".utf8), to: dir + "/notes.txt")
        var corrupt = good.bytes
        corrupt.replaceSubrange(58..<60, with: [40, 0])   // e_shentsize
        try FileIO.write(corrupt, to: dir + "/bad.o")
        let bitcode = try Subprocess.run(TestSupport.toolchain.clang, ["-flto", "-c", "-x", "c", "/dev/null", "-o", dir + "/lto.o"])
        XCTAssertEqual(bitcode.status, 0)
        let ar = FileIO.directory(of: TestSupport.toolchain.clang) + "/llvm-ar"
        let main = try TestSupport.compile("int helper(void); int main(void) { return helper(); }")
        for (member, expected) in [("notes.txt", "lib.a(notes.txt): archive member is not an ELF object"),
                                   ("bad.o", "lib.a(bad.o): bad section header entry size 40"),
                                   ("lto.o", "lib.a(lto.o): archive member is LLVM bitcode")] {
            // S: no symbol index (llvm-ar would refuse to index the corrupt member).
            let path = dir + "/lib-" + member + ".a"
            let r = try Subprocess.run(ar, ["rcS", path, dir + "/helper.o", dir + "/" + member])
            XCTAssertEqual(r.status, 0)
            let archive = try Archive(bytes: try FileIO.read(path), name: "lib.a")
            assertLinkFails([main], archives: [archive], expected)
        }
    }
}
