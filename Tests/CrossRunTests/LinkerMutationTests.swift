import CrossRunDriver
import CrossRunELF
import CrossRunEmulator
import CrossRunLink
import CrossRunSupport
import XCTest

/// Seeded mutations of clang-built objects (the in-process, smaller version of
/// `scripts/mutate-objects.py`), and the replay of inputs the fuzzer or mutation runs found.
///
/// 100 seeded mutations per arch of a clang object (symbol, relocation and section-header fields
/// set to boundary values) read, linked, rendered as `inspect` does and run on the emulator (1 s
/// limit) in process: only clean errors, guest faults or runs, and every linked image keeps
/// `LinkImage.invariantViolation`; replays `Tests/CrossRunTests/Resources/linker-regressions/`
/// (fuzzer finds and the objects) through `LinkProbe`.
final class LinkerMutationTests: XCTestCase {
    static let program = """
    #include <stdio.h>
    #include <string.h>
    struct node { int v; struct node *next; };
    static struct node c = {3, 0}, b = {2, &c}, a = {1, &b};
    static _Thread_local int tls = 7;
    int (*op)(int, int);
    static int add(int x, int y) { return x + y; }
    static void __attribute__((constructor)) init(void) { op = add; }
    static const char *name(int k) {
        switch (k) { case 0: return "zero"; case 1: return "one"; case 2: return "two"; case 3: return "three"; default: return "many"; }
    }
    int main(int argc, char **argv) {
        int s = 0;
        for (struct node *n = &a; n; n = n->next) s = op(s, n->v);
        printf("%s %d %d %zu\\n", name(s & 7), s, tls, strlen(argv[0]));
        return 0;
    }
    """

    static let wide: [UInt64] = [0, 1, 8, 0xfff, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 1 << 46, 1 << 47, 1 << 62,
                                 (1 << 63) - 1, 1 << 63, 0x7fff_ffff_ffff_fff0, .max, .max - 7]
    static let narrow: [UInt32] = [0, 1, 2, 0xff, 0xffff, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff]

    /// Offsets of every `entrySize`-byte entry of the sections of type `type`.
    private func entries(_ object: ObjectFile, type: UInt32, entrySize: Int) -> [Int] {
        object.sections.filter { $0.type == type }.flatMap { s in stride(from: s.fileRange.lowerBound, to: s.fileRange.upperBound - entrySize + 1, by: entrySize) }
    }

    /// `object`'s bytes with 1–3 symbol, relocation or section-header fields set to boundary values.
    private func mutate(_ object: ObjectFile, _ rng: inout SplitMix) -> [UInt8] {
        var bytes = object.bytes
        let symbols = entries(object, type: SectionType.symtab, entrySize: 24)
        let relocations = entries(object, type: SectionType.rela, entrySize: 24)
        let shoff = Int(bytes[40..<48].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        func pick<T>(_ list: [T]) -> T { list[Int(rng.next() % UInt64(list.count))] }
        func put<T: FixedWidthInteger>(_ value: T, at offset: Int) {
            bytes.replaceSubrange(offset..<offset + MemoryLayout<T>.size, with: ELFBuilder.le(value))
        }
        for _ in 0..<Int(rng.next() % 3 + 1) {
            switch rng.next() % 3 {
            case 0 where !symbols.isEmpty:
                let e = pick(symbols)
                switch rng.next() % 5 {
                case 0: put(pick(Self.narrow), at: e)                                            // st_name
                case 1: bytes[e + 4] = UInt8(truncatingIfNeeded: rng.next())                     // st_info
                case 2: put(pick([0, 0xfff1, 0xfff2, 0xffff, UInt16(object.sections.count)]), at: e + 6)  // st_shndx
                case 3: put(pick(Self.wide + [rng.next()]), at: e + 8)                           // st_value
                default: put(pick(Self.wide + [rng.next()]), at: e + 16)                         // st_size
                }
            case 1 where !relocations.isEmpty:
                let e = pick(relocations)
                switch rng.next() % 4 {
                case 0: put(pick(Self.wide + [rng.next() % 4096]), at: e)                        // r_offset
                case 1: put(pick([0, UInt32(object.symbols.count - 1), UInt32(object.symbols.count), .max]), at: e + 12)  // r_sym
                case 2: put(pick(Self.narrow + [UInt32(rng.next() % 600)]), at: e + 8)           // r_type
                default: put(Int64(bitPattern: pick(Self.wide + [rng.next()])), at: e + 16)     // r_addend
                }
            default:
                let h = shoff + 64 * Int(rng.next() % UInt64(object.sections.count))
                switch rng.next() % 6 {
                case 0: put(pick(Self.narrow + [UInt32(rng.next() % 20)]), at: h + 4)            // sh_type
                case 1: put(pick(Self.wide + [rng.next()]), at: h + 8)                           // sh_flags
                case 2: put(pick(Self.wide), at: h + 24)                                         // sh_offset
                case 3: put(pick(Self.wide + [rng.next()]), at: h + 32)                          // sh_size
                case 4: put(pick(Self.wide), at: h + 48)                                         // sh_addralign
                default: put(pick(Self.narrow + [UInt32(object.sections.count)]), at: h + 40 + Int(rng.next() % 2) * 4)  // sh_link/sh_info
                }
            }
        }
        return bytes
    }

    /// What `crossrun inspect` and `crossrun run --backend emu` do with one object, in process:
    /// read, link against the runtime, render the report, run with a 1 s limit. Every step may
    /// fail cleanly; none may trap, and a linked image must keep the loader invariants.
    private func inspectAndRun(_ bytes: [UInt8], name: String, counts: inout [String: Int]) {
        let object: ObjectFile
        do { object = try ObjectFile(bytes: bytes, name: name) } catch {
            XCTAssertTrue("\(error)".hasPrefix(name + ": "), "\(error)")
            counts["ELF error", default: 0] += 1
            return
        }
        let image: LinkImage
        do {
            image = try Linker.link(objects: [object], options: LinkOptions(machine: object.machine, runtimeSymbol: Pipeline.runtimeSymbol))
        } catch {
            XCTAssertTrue(error is LinkError || error is ELFError, "\(type(of: error)): \(error)")
            XCTAssertTrue("\(error)".contains(name) || "\(error)".contains("undefined symbol"), "\(error)")
            counts["link error", default: 0] += 1
            return
        }
        XCTAssertNil(image.invariantViolation, name)
        XCTAssertFalse(ImageReport.render(image, name: name).isEmpty)
        var options = GuestProcess.Options(arguments: [name], environment: [:], programName: name)
        options.timeout = 1
        do {
            let outcome = try Emulator.run(image, options: options)
            counts[outcome.report == nil ? "ran" : "guest fault or timeout", default: 0] += 1
        } catch {
            counts["load error", default: 0] += 1
        }
    }

    /// 100 mutated objects per architecture (fixed seeds), in process.
    func testMutatedObjectsNeverTrap() throws {
        for target in Target.allCases {
            let object = try TestSupport.compile(Self.program, target: target, name: "mutant.c")
            var rng = SplitMix(seed: 0x1_2000 + UInt64(target.machine.rawValue))
            var counts: [String: Int] = [:]
            for i in 0..<100 {
                inspectAndRun(mutate(object, &rng), name: "mutant-\(target)-\(i).o", counts: &counts)
            }
            print("mutated \(target) objects: \(counts.sorted { $0.key < $1.key })")
            XCTAssertGreaterThan(counts["link error", default: 0] + counts["ELF error", default: 0], 10, "\(target): \(counts)")
            XCTAssertGreaterThan(counts["ran", default: 0] + counts["guest fault or timeout", default: 0], 5, "\(target): \(counts)")
        }
    }

    /// Inputs the fuzzer (`scripts/fuzz-linker.sh`) or the mutation runs found, plus the issue's
    /// hostile objects: each must be read and linked (``LinkProbe``) to a clean error or to an
    /// image that keeps the loader invariants.
    func testRegressionInputsGiveCleanErrors() throws {
        let dir = TestSupport.root + "/Tests/CrossRunTests/Resources/linker-regressions"
        let names = FileIO.entries(of: dir).filter { !$0.hasPrefix(".") && !$0.hasSuffix(".md") }.sorted()
        XCTAssertFalse(names.isEmpty, "no inputs in \(dir)")
        for name in names {
            switch LinkProbe.link(try FileIO.read(dir + "/" + name), name: name) {
            case .rejected(let error):
                XCTAssertTrue(error is LinkError || error is ELFError, "\(name): \(type(of: error)): \(error)")
                XCTAssertTrue("\(error)".contains(name), "\(name): the error does not name the file: \(error)")
            case .linked(let image):
                XCTAssertNil(image.invariantViolation, name)
            }
        }
    }
}
