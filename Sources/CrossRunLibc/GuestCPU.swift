/// What an emulated CPU implements, as a program discovers it: `getauxval(AT_HWCAP)`,
/// `AT_HWCAP2` and `AT_PLATFORM`, and `/proc/cpuinfo` in Linux's format for the architecture.
/// Each value describes the Unicorn CPU model its `GuestArch` chooses (measured on
/// libunicorn 2.1.1: the features the model's ID registers or CPUID report and that execute
/// at user privilege), so a library that picks a code path at run time picks one that works.
public struct GuestCPU: Sendable, Equatable {
    /// `AT_HWCAP` and `AT_HWCAP2` (Linux's per-arch bits; glibc's platform bits on x86-64).
    public var hwcap: UInt64
    public var hwcap2: UInt64
    /// `AT_PLATFORM`, where Linux gives one.
    public var platform: String?
    /// The contents of `/proc/cpuinfo` (one processor: the emulator runs guest threads on one).
    public var cpuinfo: String

    public init(hwcap: UInt64, hwcap2: UInt64, platform: String?, cpuinfo: String) {
        self.hwcap = hwcap
        self.hwcap2 = hwcap2
        self.platform = platform
        self.cpuinfo = cpuinfo
    }
}

extension GuestCPU {
    /// aarch64: Unicorn's `max` model (Armv8.4-class). Linux's `HWCAP_*` names in bit order;
    /// only features that execute at EL0 under CrossRun are listed (no SVE: CPACR_EL1.ZEN stays
    /// off; no pointer authentication keys; no `cpuid`, as ID registers trap at EL0; no `rng`,
    /// whose random numbers would defeat `--deterministic`).
    public static let aarch64Features: [(name: String, hwcap2: Bool, bit: Int)] = [
        ("fp", false, 0), ("asimd", false, 1), ("aes", false, 3), ("pmull", false, 4), ("sha1", false, 5), ("sha2", false, 6),
        ("crc32", false, 7), ("atomics", false, 8), ("fphp", false, 9), ("asimdhp", false, 10), ("asimdrdm", false, 12),
        ("jscvt", false, 13), ("fcma", false, 14), ("lrcpc", false, 15), ("dcpop", false, 16), ("sha3", false, 17),
        ("sm3", false, 18), ("sm4", false, 19), ("asimddp", false, 20), ("sha512", false, 21), ("asimdfhm", false, 23),
        ("ilrcpc", false, 26), ("flagm", false, 27), ("dcpodp", true, 0), ("flagm2", true, 7), ("frint", true, 8),
    ]

    /// `words` joined by spaces. A loop, not `joined(separator:)`: every emulated run builds
    /// its CPU's description at start, and the generic `joined` resolved its element type
    /// through a mangled-name lookup and conformance scan there (1.5% of a warm emulated hello.c).
    static func spaced(_ words: [String]) -> String {
        var line = ""
        for (i, word) in words.enumerated() {
            if i > 0 { line += " " }
            line += word
        }
        return line
    }

    public static let aarch64: GuestCPU = {
        let features = aarch64Features
        let hwcap = features.filter { !$0.hwcap2 }.reduce(UInt64(0)) { $0 | 1 << UInt64($1.bit) }
        let hwcap2 = features.filter { $0.hwcap2 }.reduce(UInt64(0)) { $0 | 1 << UInt64($1.bit) }
        // MIDR_EL1 of the model: 0x000f0510.
        let text = """
            processor\t: 0
            BogoMIPS\t: 2000.00
            Features\t: \(spaced(features.map(\.name)))
            CPU implementer\t: 0x00
            CPU architecture: 8
            CPU variant\t: 0x0
            CPU part\t: 0x051
            CPU revision\t: 0


            """
        return GuestCPU(hwcap: hwcap, hwcap2: hwcap2, platform: "aarch64", cpuinfo: text)
    }()

    /// riscv64: Unicorn's `rv64` base model (misa: I M A F D C, with S and U modes). AT_HWCAP
    /// holds one bit per single-letter extension, as Linux reports it.
    public static let riscv64: GuestCPU = {
        let letters = "IMAFDC"
        let hwcap = [UInt8](letters.utf8).reduce(UInt64(0)) { $0 | 1 << UInt64($1 - UInt8(ascii: "A")) }
        let text = "processor\t: 0\nhart\t\t: 0\nisa\t\t: rv64\(letters.lowercased())\n\n"
        return GuestCPU(hwcap: hwcap, hwcap2: 0, platform: nil, cpuinfo: text)
    }()

    /// x86-64: Unicorn's `EPYC-Rome` model with the features its TCG implements (no AVX, no
    /// SHA): SSE4.2, AES-NI, PCLMULQDQ, POPCNT, MOVBE, BMI1/2, ADX, LZCNT, RDRAND. The raw
    /// CPUID words the model answers (leaf 1 EDX/ECX, 0x80000001 EDX/ECX, 7 EBX/ECX, 0xD.1
    /// EAX) give the `flags` line, named and ordered as Linux names and orders them.
    public static let x86_64CPUID: [(word: String, value: UInt32)] = [
        ("1.edx", 0x078b_fbfd), ("80000001.edx", 0x2dd3_fbfd), ("1.ecx", 0xc6d8_220b), ("80000001.ecx", 0x0000_0075),
        ("7.ebx", 0x0198_0189), ("d.1.eax", 0x0000_0005), ("7.ecx", 0x0000_0000),
    ]

    /// Linux's names for the CPUID bits, per word (in `/proc/cpuinfo` order); bits with no
    /// name there (or duplicated from leaf 1 in 0x80000001 EDX, or OSXSAVE) are not shown.
    static let x86FlagNames: [String: [Int: String]] = [
        "1.edx": [0: "fpu", 1: "vme", 2: "de", 3: "pse", 4: "tsc", 5: "msr", 6: "pae", 7: "mce", 8: "cx8", 9: "apic", 11: "sep",
                  12: "mtrr", 13: "pge", 14: "mca", 15: "cmov", 16: "pat", 17: "pse36", 19: "clflush", 23: "mmx", 24: "fxsr",
                  25: "sse", 26: "sse2", 27: "ss", 28: "ht"],
        "80000001.edx": [11: "syscall", 20: "nx", 22: "mmxext", 25: "fxsr_opt", 26: "pdpe1gb", 27: "rdtscp", 29: "lm"],
        "1.ecx": [0: "pni", 1: "pclmulqdq", 3: "monitor", 9: "ssse3", 12: "fma", 13: "cx16", 17: "pcid", 19: "sse4_1",
                  20: "sse4_2", 21: "x2apic", 22: "movbe", 23: "popcnt", 25: "aes", 26: "xsave", 28: "avx", 29: "f16c",
                  30: "rdrand", 31: "hypervisor"],
        "80000001.ecx": [0: "lahf_lm", 1: "cmp_legacy", 2: "svm", 4: "cr8_legacy", 5: "abm", 6: "sse4a", 7: "misalignsse",
                         8: "3dnowprefetch"],
        "7.ebx": [0: "fsgsbase", 3: "bmi1", 5: "avx2", 7: "smep", 8: "bmi2", 9: "erms", 10: "invpcid", 18: "rdseed", 19: "adx",
                  20: "smap", 23: "clflushopt", 24: "clwb", 29: "sha_ni"],
        "d.1.eax": [0: "xsaveopt", 1: "xsavec", 2: "xgetbv1", 3: "xsaves"],
        "7.ecx": [2: "umip", 3: "pku", 9: "vaes", 10: "vpclmulqdq", 22: "rdpid"],
    ]

    /// The `flags` line's words for CPUID words `cpuid`.
    public static func x86Flags(_ cpuid: [(word: String, value: UInt32)]) -> [String] {
        cpuid.flatMap { word, value in
            (0..<32).compactMap { bit in value & (1 << UInt32(bit)) != 0 ? x86FlagNames[word]?[bit] : nil }
        }
    }

    public static let x86_64: GuestCPU = {
        let text = """
            processor\t: 0
            vendor_id\t: AuthenticAMD
            cpu family\t: 23
            model\t\t: 49
            model name\t: AMD EPYC-Rome Processor
            stepping\t: 0
            cpu MHz\t\t: 2000.000
            cache size\t: 512 KB
            physical id\t: 0
            siblings\t: 1
            core id\t\t: 0
            cpu cores\t: 1
            apicid\t\t: 0
            initial apicid\t: 0
            fpu\t\t: yes
            fpu_exception\t: yes
            cpuid level\t: 13
            wp\t\t: yes
            flags\t\t: \(spaced(x86Flags(x86_64CPUID)))
            bugs\t\t:
            bogomips\t: 4000.00
            clflush size\t: 64
            cache_alignment\t: 64
            address sizes\t: 40 bits physical, 48 bits virtual
            power management:


            """
        // glibc answers AT_HWCAP on x86-64 with its own platform bits, not the kernel's CPUID
        // word: HWCAP_X86_64 (AVX512 would add HWCAP_X86_AVX512_1, which the model lacks).
        return GuestCPU(hwcap: 2, hwcap2: 0, platform: "x86_64", cpuinfo: text)
    }()
}
