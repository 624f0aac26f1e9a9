import CNativeSupport
import CrossRunEmulator
import CrossRunSupport
#if canImport(Glibc)
import Glibc
#endif

/// `crossrun fuzz -merge=1 OUT IN...`, as libFuzzer's merge: the inputs of OUT are run first
/// and their coverage counts as known; then every input of the IN directories is run once and,
/// smallest first (then those with more features first, then by path), each one that adds a
/// feature nobody before it had is copied into OUT (named by its SHA-1). A crashing or hanging
/// input is reported and left out; the merge goes on.
package enum CorpusMerge {
    /// What a merge did.
    package struct Summary: Equatable {
        /// The paths of the IN inputs copied into OUT, in the order they were chosen.
        package var added: [String] = []
        /// Features and edges OUT did not have before.
        package var newFeatures = 0
        package var newEdges = 0
        /// Inputs that crashed or timed out (not merged).
        package var failed: [String] = []
    }

    /// The features of the last run on `map`: edge index × 8 + hit-count bucket (as the fuzzer counts them).
    static func features(_ map: UnsafeMutableBufferPointer<UInt8>) -> [Int] {
        var out: [Int] = []
        // The words of the map holding a non-zero count, found by the fuzzer's C scan.
        var words = [UInt32](repeating: 0, count: map.count / 8)
        let found = UnsafeRawPointer(map.baseAddress!).withMemoryRebound(to: UInt64.self, capacity: map.count / 8) { base in
            words.withUnsafeMutableBufferPointer { crossrun_fuzz_nonzero_words(base, map.count / 8, $0.baseAddress!) }
        }
        for w in words.prefix(found) {
            for i in Int(w) * 8..<Int(w) * 8 + 8 {
                let count = map[i]
                if count == 0 { continue }
                let bucket = count == 1 ? 0 : count == 2 ? 1 : count == 3 ? 2 : count < 8 ? 3 : count < 16 ? 4 : count < 32 ? 5 : count < 128 ? 6 : 7
                out.append(i * 8 + bucket)
            }
        }
        return out
    }

    /// Merges the inputs of `inputs` (directories, or single files) into the directory `output`.
    package static func merge(_ executor: FuzzExecutor, into output: String, from inputs: [String], maxLength: Int) throws -> Summary {
        var seenFeatures = Set<Int>(), seenEdges = Set<Int>()
        var summary = Summary()
        func run(_ path: String) throws -> (bytes: [UInt8], features: [Int])? {
            let bytes = try FileIO.read(path)
            switch executor.run(Array(bytes.prefix(maxLength))) {
            case .ok:
                return (bytes, features(executor.coverage))
            case .crash(let kind, _, _):
                fputs("MERGE-INNER: \(path) \(kind): not merged\n", StandardStreams.error)
            case .timeout:
                fputs("MERGE-INNER: \(path) timeout: not merged\n", StandardStreams.error)
            }
            summary.failed.append(path)
            return nil
        }
        let initial = FuzzFiles.files(in: output)
        for path in initial {
            guard let r = try run(path) else { continue }
            seenFeatures.formUnion(r.features)
            seenEdges.formUnion(r.features.map { $0 / 8 })
        }
        var candidates: [(path: String, bytes: [UInt8], features: [Int])] = []
        for input in inputs {
            for path in FileIO.isDirectory(input) ? FuzzFiles.files(in: input) : [input] {
                if let r = try run(path) { candidates.append((path, r.bytes, r.features)) }
            }
        }
        fputs("MERGE-OUTER: \(initial.count + candidates.count + summary.failed.count) files, \(initial.count) in the initial corpus\n", StandardStreams.error)
        candidates.sort { a, b in
            a.bytes.count != b.bytes.count ? a.bytes.count < b.bytes.count
                : a.features.count != b.features.count ? a.features.count > b.features.count : a.path < b.path
        }
        let existing = Set(initial.map { String($0.split(separator: "/").last ?? "") })
        for c in candidates {
            let fresh = c.features.filter { !seenFeatures.contains($0) }
            guard !fresh.isEmpty else { continue }
            seenFeatures.formUnion(fresh)
            summary.newFeatures += fresh.count
            for edge in Set(fresh.map { $0 / 8 }) where seenEdges.insert(edge).inserted { summary.newEdges += 1 }
            summary.added.append(c.path)
            let name = SHA1.hex(c.bytes)
            if !existing.contains(name) { try FuzzFiles.write(c.bytes, to: output + "/" + name) }
        }
        fputs("MERGE-OUTER: \(summary.added.count) new files with \(summary.newFeatures) new features added; \(summary.newEdges) new coverage edges\n", StandardStreams.error)
        return summary
    }
}
