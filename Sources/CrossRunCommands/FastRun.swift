/// The plain run forms — `crossrun [run] [--target T] [--backend B] [--timeout N] ... prog.c` —
/// and the build child of `test`/`matrix` (`inspect --build-only`) scanned without
/// swift-argument-parser, whose first parse costs more CPU time than a warm
/// run of hello.c (it builds the command tree by reflection and scans protocol conformances).
///
/// The scanner is deliberately partial: it accepts only what it can turn into exactly the
/// ``RunRequest`` ArgumentParser would produce (`FastRunTests` checks the two agree, and that
/// ``options`` names every option `Run` has), and answers `nil` for anything else — help,
/// `--version`, other commands, unknown or repeated options, values that do not convert,
/// inputs that could be read as a command name. Those go to ArgumentParser as before, so its
/// help texts and error messages stay the only ones.
enum FastRun {
    /// What an option takes after its name.
    enum Value {
        case flag, string, unsigned32, unsigned64, unsigned16, integer, backend
    }

    /// `Run`'s options (long names, without `--`), including those of its `BuildOptions` group.
    static let options = ["target", "backend", "timeout", "root", "verbose", "schedule-seed", "outcome-file",
                          "exit-with-parent", "deterministic", "trace", "trace-file", "trace-string-limit", "gdb",
                          SelfExec.fromOption, SelfExec.argumentZeroOption, SelfExec.clangOption, SelfExec.homeOption,
                          SelfExec.cacheOption, "linked-clang"]

    /// What option `name` (one of ``options``) takes. (A switch, not a dictionary: building a
    /// dictionary of a new type costs the Swift runtime a conformance scan at start.)
    static func kind(of name: Substring) -> Value? {
        switch name {
        case "target", "root", "outcome-file", "trace", "trace-file", "exec-from", "exec-argv0", "exec-clang", "exec-home",
             "exec-cache", "linked-clang": return .string
        case "verbose", "exit-with-parent", "deterministic": return .flag
        case "backend": return .backend
        case "timeout": return .unsigned32
        case "schedule-seed": return .unsigned64
        case "gdb": return .unsigned16
        case "trace-string-limit": return .integer
        default: return nil
        }
    }

    /// Words ArgumentParser could take as a command rather than an input.
    static let commandNames = ["run", "inspect", "matrix", "test", "cc", "cache", "fuzz", "help", "run-worker"]

    /// The request `arguments` (what is left once compile flags and the program's arguments
    /// after `--` are split off) make, or `nil` when ArgumentParser must decide.
    static func scan(_ arguments: [String]) -> RunRequest? {
        var words = arguments[...]
        if words.first == "run" { words = words.dropFirst() }
        var request = RunRequest()
        var seen = Set<String>()
        while let word = words.popFirst() {
            guard word.hasPrefix("--") else {
                // `-` is stdin; any other dash word is a short option for ArgumentParser.
                guard word == "-" || !word.hasPrefix("-"), !commandNames.contains(word) else { return nil }
                request.inputs.append(word)
                continue
            }
            var name = word.dropFirst(2)
            var value: Substring?
            if let equals = name.firstIndex(of: "=") {
                value = name[name.index(after: equals)...]
                name = name[..<equals]
            }
            guard let kind = Self.kind(of: name), seen.insert(String(name)).inserted else { return nil }
            if kind == .flag {
                guard value == nil else { return nil }
                set(String(name), flag: &request)
                continue
            }
            if value == nil { value = words.popFirst().map { Substring($0) } }
            guard let text = value.map(String.init), !text.isEmpty, !text.hasPrefix("-"),
                  set(String(name), kind, text, in: &request) else { return nil }
        }
        return request.inputs.isEmpty ? nil : request
    }

    /// `inspect --build-only [--target T] INPUT...`, the child `test` and `matrix` start to
    /// build each program for each target (``RunMatrix``): its target and inputs, or `nil`
    /// when ArgumentParser must decide (any other form of `inspect`).
    static func scanBuildOnly(_ arguments: [String]) -> (target: String?, inputs: [String])? {
        guard arguments.first == "inspect" else { return nil }
        var target: String?
        var inputs: [String] = []
        var buildOnly = false
        var words = arguments.dropFirst()
        while let word = words.popFirst() {
            if word == "--build-only" {
                guard !buildOnly else { return nil }
                buildOnly = true
            } else if word == "--target" || word.hasPrefix("--target=") {
                let value: String? = word == "--target" ? words.popFirst() : String(word.dropFirst("--target=".count))
                guard target == nil, let value, !value.isEmpty, !value.hasPrefix("-") else { return nil }
                target = value
            } else if (word == "-" || !word.hasPrefix("-")) && !commandNames.contains(word) {
                inputs.append(word)
            } else {
                return nil
            }
        }
        return buildOnly && !inputs.isEmpty ? (target, inputs) : nil
    }

    static func set(_ name: String, flag request: inout RunRequest) {
        switch name {
        case "verbose": request.verbose = true
        case "exit-with-parent": request.exitWithParent = true
        default: request.deterministic = true
        }
    }

    /// Stores `text` as option `name`'s value; false if it does not convert (ArgumentParser
    /// then reports it).
    static func set(_ name: String, _ kind: Value, _ text: String, in request: inout RunRequest) -> Bool {
        switch kind {
        case .flag: return false
        case .string:
            switch name {
            case "target": request.target = text
            case "root": request.root = text
            case "outcome-file": request.outcomeFile = text
            case "trace": request.trace = text
            case "trace-file": request.traceFile = text
            case "exec-from": request.execFrom = text
            case "exec-argv0": request.execArgumentZero = SelfExec.argumentZero(text)
            case "exec-clang": request.execClang = text
            case "exec-home": request.execHome = text
            case "exec-cache": request.execCache = text
            case "linked-clang": request.linkedClang = text
            default: return false
            }
        case .backend:
            guard let b = Backend(rawValue: text) else { return false }
            request.backend = b
        case .unsigned32:
            guard let n = UInt32(text), name == "timeout" else { return false }
            request.timeout = n
        case .unsigned64:
            guard let n = UInt64(text), name == "schedule-seed" else { return false }
            request.scheduleSeed = n
        case .unsigned16:
            guard let n = UInt16(text), name == "gdb" else { return false }
            request.gdb = n
        case .integer:
            guard let n = Int(text), name == "trace-string-limit" else { return false }
            request.traceStringLimit = n
        }
        return true
    }
}
