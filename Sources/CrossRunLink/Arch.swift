import CrossRunELF

/// What a relocation type asks the linker to synthesize before layout.
public enum RelocationNeed: Sendable {
    /// Nothing: the relocation only needs the symbol's address.
    case none
    /// A GOT entry holding the symbol's address.
    case got
    /// A PC-relative reference: when the target is outside the image (an import, a weak
    /// undefined or absolute symbol) it goes through an import stub.
    case pcRelative
    /// A call or jump (`call`, `bl`, `jal`): like ``pcRelative``, but it only transfers control,
    /// so a GNU indirect function reached this way keeps its resolved target as its address.
    case call
    /// A general-dynamic TLS GOT pair for the symbol (module, offset).
    case tlsGeneralDynamic
    /// The module's local-dynamic TLS GOT pair.
    case tlsLocalDynamic
    /// A TLS descriptor for the symbol (aarch64/riscv TLSDESC): a GOT pair
    /// `[address of the image's TLS resolver, offset in the TLS block]`.
    case tlsDescriptor
}

/// The per-architecture half of the linker: relocation semantics, stub and resolver code.
///
/// Everything else (resolution, layout, GOT, the image) is shared, so adding an architecture
/// is adding one type conforming to this protocol.
public protocol ArchLinker: Sendable {
    /// Architecture handled.
    var machine: Machine { get }
    /// Bytes in one import stub.
    var stubSize: Int { get }
    /// Alignment of the stub area.
    var stubAlignment: Int { get }
    /// What relocation `type` needs synthesized; throws for types the linker does not support.
    func need(for type: UInt32) -> RelocationNeed
    /// Name of relocation `type` for messages.
    func relocationName(_ type: UInt32) -> String
    /// Writes a stub at image offset `stub` that jumps to the address stored at image offset `slot`.
    func writeStub(_ image: inout [UInt8], at stub: Int, slot: Int)
    /// Size of the image's own TLS resolver: `__tls_get_addr` on x86-64, the TLS descriptor
    /// resolver on aarch64 (0 when the arch uses neither).
    var tlsResolverSize: Int { get }
    /// Writes the TLS resolver, which finds the TLS block in the 8-byte slot at image offset
    /// `tlsBlockSlot` (filled by the loader through ``LinkImage/Fixup/tlsBlock(offset:)``):
    /// x86-64's `__tls_get_addr(tls_index*)` returns `*(u64*)tlsBlockSlot + index->offset`;
    /// a TLS descriptor resolver returns that address minus the thread pointer.
    func writeTLSResolver(_ image: inout [UInt8], at offset: Int, tlsBlockSlot: Int)
    /// Applies the relocations of one placed section.
    func relocate(_ section: PlacedSection, _ relocations: [Relocation], _ context: inout RelocationContext) throws
    /// Rewrites an input object after symbol resolution and before layout (RISC-V: deletes the
    /// alignment padding `R_RISCV_ALIGN` marks). Must keep every section and symbol at its
    /// index and keep names and bindings; only contents, sizes, values and relocations may change.
    func preprocess(_ object: ObjectFile) throws -> ObjectFile
}

extension ArchLinker {
    /// By default objects are linked as they are.
    public func preprocess(_ object: ObjectFile) throws -> ObjectFile { object }
}

/// The linker for a machine.
public func archLinker(for machine: Machine) throws -> any ArchLinker {
    switch machine {
    case .x86_64: return X86_64Linker()
    case .aarch64: return AArch64Linker()
    case .riscv64: return RISCV64Linker()
    }
}
