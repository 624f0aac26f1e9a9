@testable import CrossRunDriver
@testable import CrossRunLibc
import CrossRunNative
@testable import CrossRunRuntime
import XCTest

/// The start-up path answers "is this name in the table?" without building the big tables
/// (doc/ARCHITECTURE.md, Start-up): each fast answer must be exactly the table's.
final class StartupLookupTests: XCTestCase {
    /// Names that are not symbols but sort among them (neighbours, prefixes, extensions).
    private func nonNames(near names: some Collection<String>) -> [String] {
        var probes = ["", "_", "a", "zzzz", "~", "printf_", "prin", "__crossrun_", "__crossrun_zz", "pthread_", "__atomic_",
                      "__aarch64_", "__aarch64_cas1", "qsor", "qsort_rr", " ", "print f", "printf:c", "PRINTF"]
        for name in names {
            probes.append(name + "_")
            probes.append(name + "~")
            probes.append(String(name.dropLast()))
            probes.append("A" + name)
        }
        return probes
    }

    /// `lookup` binary-searches the sorted entries: it finds every symbol with the dictionary's
    /// kind and library, and nothing else.
    func testLookupAgreesWithTheTable() {
        XCTAssertGreaterThan(RuntimeSymbols.all.count, 1000)
        for (name, symbol) in RuntimeSymbols.all {
            XCTAssertEqual(RuntimeSymbols.lookup(name), symbol, name)
        }
        for probe in nonNames(near: RuntimeSymbols.all.keys) where RuntimeSymbols.all[probe] == nil {
            XCTAssertNil(RuntimeSymbols.lookup(probe), probe)
        }
        XCTAssertEqual(RuntimeSymbols.lookup("printf")?.kind, .function)
        XCTAssertEqual(RuntimeSymbols.lookup("stdout")?.kind, .data)
        XCTAssertEqual(RuntimeSymbols.lookup("sin")?.library, .libm)
        XCTAssertEqual(RuntimeSymbols.lookup("__divti3")?.library, .libgcc)
    }

    /// The generated entries are strictly sorted byte by byte (what the search relies on).
    func testEntriesAreSortedByByte() {
        var previous: [UInt8]?
        var count = 0
        RuntimeSymbols.entries.withUTF8Buffer { text in
            for entry in text.split(whereSeparator: { $0 == 0x20 || $0 == 0x0a }) {
                let name = Array(entry.dropLast(2))
                XCTAssertEqual(entry[entry.index(entry.endIndex, offsetBy: -2)], UInt8(ascii: ":"))
                if let previous { XCTAssertTrue(previous.lexicographicallyPrecedes(name), String(decoding: name, as: UTF8.self)) }
                previous = name
                count += 1
            }
        }
        XCTAssertEqual(count, RuntimeSymbols.all.count)
    }

    /// `GuestRuntime.defines` (prefix first, then a small set) is membership in `functions`.
    func testGuestRuntimeDefinesIsMembership() {
        for name in GuestRuntime.functions { XCTAssertTrue(GuestRuntime.defines(name), name) }
        for name in GuestRuntime.threadFunctions {
            XCTAssertTrue(GuestRuntime.threadPrefixes.contains { name.hasPrefix($0) }, "\(name) has no thread prefix")
        }
        let others = Set(RuntimeSymbols.all.keys).union(nonNames(near: GuestRuntime.functions)).subtracting(GuestRuntime.functions)
        for name in others { XCTAssertFalse(GuestRuntime.defines(name), name) }
    }

    /// `HostSymbols.loaderAddress` answers as the loader's table does, for its names and all others.
    func testLoaderAddressAgreesWithTheTable() {
        let table = HostSymbols.loaderProvided
        XCTAssertFalse(table.isEmpty)
        for name in Set(table.keys).union(RuntimeSymbols.all.keys).union(nonNames(near: table.keys)) {
            XCTAssertEqual(HostSymbols.loaderAddress(name), table[name], name)
        }
    }

    /// `HostLibc.function(named:)` (parts searched in order) serves exactly the merged table's
    /// names. Which body: both take the first part's, from the same ordered list (closures
    /// cannot be compared here; the four names two parts define — rand, srand, random, srandom,
    /// LibcRandomState's over the plain ones — are checked by running `fixtures/`, which call
    /// them after `initstate`).
    func testHostFunctionLookupAgreesWithTheMergedTable() {
        let table = HostLibc.functions
        XCTAssertGreaterThan(table.count, 900)
        for name in table.keys { XCTAssertNotNil(HostLibc.function(named: name), name) }
        for probe in nonNames(near: table.keys) + ["__crossrun_host_", "__crossrun_host_printf", "__crossrun_host_strlen_"]
        where table[probe] == nil {
            XCTAssertNil(HostLibc.function(named: probe), probe)
        }
        // Precedence: with the parts in order, the first definition of each name wins.
        var first: [String: Int] = [:]
        for (index, part) in HostLibc.parts.enumerated() {
            for name in part.keys where first[name] == nil { first[name] = index }
        }
        XCTAssertEqual(Set(first.keys).union(HostLibc.hostStringFunctions.map { "__crossrun_host_" + $0 }), Set(table.keys))
        // Only the names `definedTwice` lists are searched in precedence order: every other
        // name must be in one part alone, or the plain-parts-first search could pick another body.
        var parts: [String: Int] = [:]
        for part in HostLibc.parts { for name in part.keys { parts[name, default: 0] += 1 } }
        XCTAssertEqual(Set(parts.filter { $0.value > 1 }.keys), HostLibc.definedTwice)
    }
}
