/// The processor architectures CrossRun reads objects for.
public enum Machine: UInt16, Sendable, CaseIterable, CustomStringConvertible {
    case x86_64 = 62
    case aarch64 = 183
    case riscv64 = 243

    public var description: String {
        switch self {
        case .x86_64: return "x86-64"
        case .aarch64: return "aarch64"
        case .riscv64: return "riscv64"
        }
    }
}

/// ELF section header types CrossRun cares about.
public enum SectionType {
    public static let null: UInt32 = 0
    public static let progbits: UInt32 = 1
    public static let symtab: UInt32 = 2
    public static let strtab: UInt32 = 3
    public static let rela: UInt32 = 4
    public static let nobits: UInt32 = 8
    public static let rel: UInt32 = 9
    public static let initArray: UInt32 = 14
    public static let finiArray: UInt32 = 15
    public static let preinitArray: UInt32 = 16
    public static let group: UInt32 = 17
    public static let symtabShndx: UInt32 = 18
}

/// ELF section header flags.
public enum SectionFlags {
    public static let write: UInt64 = 0x1
    public static let alloc: UInt64 = 0x2
    public static let execinstr: UInt64 = 0x4
    public static let merge: UInt64 = 0x10
    public static let strings: UInt64 = 0x20
    public static let group: UInt64 = 0x200
    public static let tls: UInt64 = 0x400
    public static let exclude: UInt64 = 0x8000_0000
}

/// Special section indices.
public enum SectionIndex {
    public static let undef: UInt16 = 0
    public static let abs: UInt16 = 0xfff1
    public static let common: UInt16 = 0xfff2
    public static let xindex: UInt16 = 0xffff
}

/// Symbol binding (`STB_*`).
public enum SymbolBinding: UInt8, Sendable {
    case local = 0
    case global = 1
    case weak = 2
    case gnuUnique = 10
}

/// Symbol type (`STT_*`).
public enum SymbolType: UInt8, Sendable {
    case notype = 0
    case object = 1
    case function = 2
    case section = 3
    case file = 4
    case common = 5
    case tls = 6
    case gnuIFunc = 10
}

/// One section of a relocatable object.
public struct Section: Sendable {
    /// Index in the section header table.
    public var index: Int
    public var name: String
    public var type: UInt32
    public var flags: UInt64
    public var size: UInt64
    public var link: UInt32
    public var info: UInt32
    public var alignment: UInt64
    public var entrySize: UInt64
    /// File range of the contents (empty for `SHT_NOBITS`).
    public var fileRange: Range<Int>

    public var isAlloc: Bool { flags & SectionFlags.alloc != 0 }
    public var isWritable: Bool { flags & SectionFlags.write != 0 }
    public var isExecutable: Bool { flags & SectionFlags.execinstr != 0 }
    public var isTLS: Bool { flags & SectionFlags.tls != 0 }
    public var isNoBits: Bool { type == SectionType.nobits }
}

/// One symbol table entry.
public struct Symbol: Sendable {
    public var name: String
    public var value: UInt64
    public var size: UInt64
    public var type: SymbolType
    public var binding: SymbolBinding
    /// `STV_*` visibility (0 default, 1 internal, 2 hidden, 3 protected).
    public var visibility: UInt8
    /// Section index, or one of ``SectionIndex``'s special values (extended indices resolved).
    public var sectionIndex: UInt32

    public var isUndefined: Bool { sectionIndex == UInt32(SectionIndex.undef) }
    public var isCommon: Bool { sectionIndex == UInt32(SectionIndex.common) }
    public var isAbsolute: Bool { sectionIndex == UInt32(SectionIndex.abs) }
}

/// One relocation entry (REL entries are read with an addend of 0 and `hasAddend == false`).
public struct Relocation: Sendable {
    /// Offset within the section being relocated.
    public var offset: UInt64
    /// Architecture-specific relocation type.
    public var type: UInt32
    /// Index into the object's symbol table.
    public var symbol: UInt32
    public var addend: Int64
    /// False for `SHT_REL`, whose addend lives in the relocated bytes.
    public var hasAddend: Bool
}
