import CrossRunELF

/// Reads one untrusted file the way `crossrun` reads a `.o` or `.a` argument and links it for
/// its own machine with `main` as the entry: the single code path that the libFuzzer target
/// (FuzzTesting/), the seeded mutation tests and the replay of found inputs all drive.
public enum LinkProbe {
    /// How one input ended.
    public enum Outcome {
        /// The reader or the linker refused it (an ``ELFError`` or a ``LinkError``).
        case rejected(any Error)
        /// It linked; the image is returned for invariant checks.
        case linked(LinkImage)
    }

    /// Names the probe's pretend runtime provides as data (every other undefined name is an
    /// imported function), so both kinds of import are reached.
    static let dataImports: Set<String> = ["stdin", "stdout", "stderr", "errno", "environ", "optarg", "optind", "signgam"]

    /// Reads `bytes` (an object, or an `ar` archive, by magic) named `name` and links it.
    public static func link(_ bytes: [UInt8], name: String) -> Outcome {
        do {
            var objects: [ObjectFile] = []
            var archives: [Archive] = []
            var machine = Machine.x86_64
            if Archive.isArchive(bytes) || bytes.starts(with: Array("!<thin>\n".utf8)) {
                let archive = try Archive(bytes: bytes, name: name)
                // Link for the first member's machine (members for others are then refused).
                if let first = archive.members.first, let object = try? ObjectFile(bytes: first.bytes, name: first.name) {
                    machine = object.machine
                }
                archives.append(archive)
            } else {
                let object = try ObjectFile(bytes: bytes, name: name)
                machine = object.machine
                objects.append(object)
            }
            let options = LinkOptions(machine: machine, requiredSymbols: ["main"]) { symbol in
                dataImports.contains(symbol) ? .data : .function
            }
            return .linked(try Linker.link(objects: objects, archives: archives, options: options))
        } catch {
            return .rejected(error)
        }
    }
}
