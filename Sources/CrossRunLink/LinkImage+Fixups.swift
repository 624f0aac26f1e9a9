extension LinkImage {
    /// The loader's one pass over ``fixups`` for the image placed at `base`, run by both
    /// backends (natively at the `mmap` address, emulated at the guest base).
    /// - Parameters:
    ///   - importAddresses: where each of ``imports`` resolved, by index.
    ///   - tlsBlockOffset: D of ``Fixup/tlsBlock(offset:)``, the offset from the thread pointer
    ///     of the word holding the thread's TLS block.
    ///   - slot: writable host memory for the 8 bytes at an image offset (nil: not mapped).
    /// A fixup outside the image or naming an import that does not exist is skipped: the
    /// linker never makes one (``LinkImage/invariantViolation``), and a loader must not write
    /// outside the image whatever it is given.
    public func applyFixups(base: UInt64, importAddresses: [UInt64], tlsBlockOffset: UInt64,
                            slot: (Int) -> UnsafeMutableRawPointer?) {
        func at(_ offset: Int) -> UnsafeMutableRawPointer? {
            guard offset >= 0, offset <= size - 8 else { return nil }
            return slot(offset)
        }
        func address(_ index: Int) -> UInt64? {
            importAddresses.indices.contains(index) ? importAddresses[index] : nil
        }
        for fixup in fixups {
            switch fixup {
            case .rebase(let offset):
                if let p = at(offset) { p.storeBytes(of: p.loadUnaligned(as: UInt64.self) &+ base, as: UInt64.self) }
            case .importSlot(let offset, let index):
                if let a = address(index) { at(offset)?.storeBytes(of: a, as: UInt64.self) }
            case .importValue(let offset, let index, let addend):
                if let a = address(index) { at(offset)?.storeBytes(of: a &+ UInt64(bitPattern: addend), as: UInt64.self) }
            case .tlsBlock(let offset):
                at(offset)?.storeBytes(of: tlsBlockOffset, as: UInt64.self)
            }
        }
    }

    /// Fills ``indirectSlots``: calls each resolver once (`call` runs the program's function
    /// at an address and returns its result, or nil when the program ended or crashed there)
    /// and hands `store` each slot's offset and value. Returns false as soon as a resolver
    /// does not return (nothing more is resolved); slots outside the stored bytes are skipped.
    public func resolveIndirectFunctions(base: UInt64, call: (UInt64) -> UInt64?, store: (Int, UInt64) -> Void) -> Bool {
        var resolved: [Int: UInt64] = [:]
        for slot in indirectSlots where slot.offset >= 0 && slot.offset <= bytes.count - 8 {
            let target: UInt64
            if let known = resolved[slot.resolver] {
                target = known
            } else {
                guard let value = call(base &+ UInt64(slot.resolver)) else { return false }
                resolved[slot.resolver] = value
                target = value
            }
            store(slot.offset, target &+ UInt64(bitPattern: slot.addend))
        }
        return true
    }
}
