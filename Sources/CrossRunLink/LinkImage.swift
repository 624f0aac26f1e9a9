import CrossRunELF

/// A linked program: one contiguous, position-independent block of memory plus the fixups a
/// loader applies once it knows the base address and how imports are bound.
///
/// The same value serves every loader (native `mmap`, the emulator): it does not know which
/// one will run it. Offsets are relative to the image base, which must be page aligned.
public struct LinkImage: Sendable {
    /// Memory protection of a segment once fixups are applied.
    public enum Permissions: String, Sendable {
        case readExecute = "r-x"
        case read = "r--"
        case readWrite = "rw-"
    }

    /// A page-aligned range of the image with one protection.
    public struct Segment: Sendable, Equatable {
        public var name: String
        /// Offset from the image base (page aligned).
        public var offset: Int
        /// Bytes in memory (page aligned); bytes past `bytes.count - offset` are zero.
        public var memorySize: Int
        public var permissions: Permissions
    }

    /// Whether an import is called or read.
    public enum ImportKind: String, Sendable { case function, data }

    /// A symbol the image needs from outside (bound by the loader).
    public struct Import: Sendable, Equatable {
        public var name: String
        public var kind: ImportKind
    }

    /// A write the loader performs after placing the image at `base`.
    public enum Fixup: Sendable, Equatable {
        /// `*(u64*)(base + offset) += base`
        case rebase(offset: Int)
        /// `*(u64*)(base + offset) = address(imports[index])` (GOT slot of an import)
        case importSlot(offset: Int, index: Int)
        /// `*(u64*)(base + offset) = address(imports[index]) + addend` (`&ext_var` in data)
        case importValue(offset: Int, index: Int, addend: Int64)
        /// `*(u64*)(base + offset) = D`, the offset from the thread pointer of the word that
        /// holds the calling thread's TLS block: the image's own `__tls_get_addr` / TLS
        /// descriptor resolver returns `*(tp + D) + offset` (8 emulated, the host thread-local's
        /// offset natively; doc/ARCHITECTURE.md, "Threads")
        case tlsBlock(offset: Int)
    }

    /// A slot holding a GNU indirect function's address (an `IRELATIVE` relocation of a real
    /// loader): after the fixups and before the initializers, start-up calls the resolver at
    /// `base + resolver` in the program and stores what it returns plus `addend` at
    /// `base + offset` (``resolveIndirectFunctions(base:call:store:)``).
    public struct IndirectSlot: Sendable, Equatable {
        /// Image offset of the 8-byte slot (a GOT entry, a stub's slot, a pointer in data).
        public var offset: Int
        /// Image offset of the resolver.
        public var resolver: Int
        public var addend: Int64
    }

    /// Kind of a defined symbol.
    public enum SymbolKind: String, Sendable { case function, object, tls, other }

    /// A symbol defined by the image.
    public struct SymbolInfo: Sendable, Equatable {
        public var name: String
        /// Offset from the image base (for ``SymbolKind/tls``: offset inside the TLS block).
        public var offset: Int
        public var size: Int
        public var kind: SymbolKind
        public var isGlobal: Bool
        /// The object that defined it.
        public var file: String
    }

    /// Initial contents of thread-local storage.
    public struct TLSTemplate: Sendable, Equatable {
        /// Image offset of the initialised part (`.tdata`), copied after fixups.
        public var imageOffset: Int
        /// Bytes of initialised data; the rest of `size` is zero (`.tbss`).
        public var initializedSize: Int
        /// Total size of a TLS block.
        public var size: Int
        public var alignment: Int
    }

    /// The largest image the linker produces: 64 TiB. An emulated guest places the image at
    /// 4 MiB with its heap behind it and its stack below 128 TiB (`GuestLayout`), so every image
    /// up to this size fits; a native run maps it with `mmap`, which refuses what the host
    /// cannot provide.
    public static let maximumSize = 1 << 46

    /// The most code and initialised data (the stored ``bytes``) an image holds: 2 GiB, the
    /// reach of the ±2 GiB PC-relative references of the default code models, and a bound on
    /// the memory the linker and loaders take for a hostile object (alignment padding between
    /// its sections included).
    public static let maximumStoredSize = 1 << 31

    /// Architecture the code is for.
    public var machine: Machine
    /// Page size the segments are aligned to.
    public var pageSize: Int
    /// Initial contents of the image from offset 0; everything past is zero.
    public var bytes: [UInt8]
    /// Total size of the block to map (page aligned).
    public var size: Int
    public var segments: [Segment]
    public var imports: [Import]
    public var fixups: [Fixup]
    /// Defined symbols, sorted by offset.
    public var symbols: [SymbolInfo]
    /// Image offsets of 8-byte function-pointer slots to call before the entry, in order.
    public var initializers: [Int]
    /// Image offsets of 8-byte function-pointer slots to call at exit, in order.
    public var finalizers: [Int]
    public var tls: TLSTemplate?
    /// Slots start-up fills by calling GNU indirect functions' resolvers, in link order.
    public var indirectSlots: [IndirectSlot] = []
    /// The objects' DWARF, merged and relocated (LinkState+Debug.swift); not loaded, only
    /// written into ``executableELF(base:)`` for debuggers. Empty without `-g`.
    public var debugSections: [DebugSection] = []

    /// Creates an image; used by the linker and by tests.
    public init(machine: Machine, pageSize: Int, bytes: [UInt8], size: Int, segments: [Segment],
                imports: [Import], fixups: [Fixup], symbols: [SymbolInfo],
                initializers: [Int], finalizers: [Int], tls: TLSTemplate?) {
        self.machine = machine
        self.pageSize = pageSize
        self.bytes = bytes
        self.size = size
        self.segments = segments
        self.imports = imports
        self.fixups = fixups
        self.symbols = symbols
        self.initializers = initializers
        self.finalizers = finalizers
        self.tls = tls
    }

    /// The global (else any) function or object symbol called `name`.
    public func symbol(named name: String) -> SymbolInfo? {
        symbols.first { $0.name == name && $0.isGlobal && $0.kind != .tls }
            ?? symbols.first { $0.name == name && $0.kind != .tls }
    }

    /// `symbol+0xoff` for an image offset, or nil when no symbol covers it.
    public func symbolize(offset: Int) -> String? {
        guard let b = symbol(covering: offset) else { return nil }
        let delta = offset - b.offset
        return delta == 0 ? b.name : "\(b.name)+0x\(String(delta, radix: 16))"
    }

    /// The symbol whose bytes hold image offset `offset` (a sized one, else a zero-sized one
    /// at exactly that offset), the last one starting there when several do.
    public func symbol(covering offset: Int) -> SymbolInfo? {
        var best: SymbolInfo?
        for s in symbols where s.kind != .tls && s.offset <= offset {
            if offset < s.offset + max(s.size, 1) || (s.size == 0 && best == nil) {
                if best.map({ s.offset >= $0.offset }) ?? true { best = s }
            }
        }
        guard let b = best, offset < b.offset + max(b.size, 1) else { return nil }
        return b
    }
}
