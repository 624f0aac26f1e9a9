import CrossRunELF

/// A guest architecture CrossRun compiles for.
public enum Target: String, Sendable, CaseIterable, CustomStringConvertible {
    case x64, aarch64, rv64

    /// Parses a target name, accepting common aliases (`x86_64`, `amd64`, `arm64`, `riscv64`).
    public init?(name: String) {
        switch name.lowercased() {
        case "x64", "x86_64", "x86-64", "amd64": self = .x64
        case "aarch64", "arm64": self = .aarch64
        case "rv64", "riscv64", "riscv": self = .rv64
        default: return nil
        }
    }

    /// The ELF machine of objects for this target.
    public var machine: Machine {
        switch self {
        case .x64: return .x86_64
        case .aarch64: return .aarch64
        case .rv64: return .riscv64
        }
    }

    /// The target of `machine`.
    public init(machine: Machine) {
        switch machine {
        case .x86_64: self = .x64
        case .aarch64: self = .aarch64
        case .riscv64: self = .rv64
        }
    }

    /// Clang's `--target=` triple.
    public var triple: String {
        switch self {
        case .x64: return "x86_64-linux-gnu"
        case .aarch64: return "aarch64-linux-gnu"
        case .rv64: return "riscv64-linux-gnu"
        }
    }

    /// Flags the compile policy adds for this target (DESIGN.md §3). aarch64's
    /// `-rtlib=compiler-rt` (nothing is linked by clang) turns on function multiversioning,
    /// which clang enables only when compiler-rt's `__init_cpu_features_resolver` is there
    /// (CrossRun's runtime/aarch64_cpu_features.c provides it).
    public var policyFlags: [String] {
        switch self {
        case .x64: return []
        case .aarch64: return ["-mno-outline-atomics", "-rtlib=compiler-rt"]
        case .rv64: return ["-mno-relax"]
        }
    }

    public var description: String { rawValue }
}
