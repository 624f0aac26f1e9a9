extension LinkImage {
    /// The first broken promise a loader relies on, or nil when the image keeps them all:
    /// the stored bytes fit in `size`, which is page aligned and at most ``maximumSize``;
    /// segments are page aligned and inside the image; every fixup and init/fini slot is an
    /// 8-byte slot inside the stored bytes; the TLS template lies inside them too; and every
    /// import index is valid.
    ///
    /// The linker builds images that keep these by construction; the fuzz target and the
    /// mutation tests check them for every image a hostile object produces, because the
    /// native loader writes fixups without checking them again.
    public var invariantViolation: String? {
        guard pageSize > 0, pageSize & (pageSize - 1) == 0 else { return "page size \(pageSize) is not a power of two" }
        guard bytes.count <= Self.maximumStoredSize, size >= bytes.count, size % pageSize == 0, size <= Self.maximumSize else {
            return "size \(size) does not hold the \(bytes.count) stored bytes page aligned within \(Self.maximumSize)"
        }
        for s in segments {
            guard s.offset >= 0, s.memorySize > 0, s.offset % pageSize == 0, s.memorySize % pageSize == 0,
                  s.offset <= size - s.memorySize else {
                return "segment \(s.name) at \(s.offset) (\(s.memorySize) bytes) is not page aligned inside the image"
            }
        }
        func slotOK(_ offset: Int) -> Bool { offset >= 0 && offset <= bytes.count - 8 }
        for f in fixups {
            switch f {
            case .rebase(let o), .tlsBlock(let o):
                if !slotOK(o) { return "fixup \(f) lies outside the stored bytes" }
            case .importSlot(let o, let i), .importValue(let o, let i, _):
                if !slotOK(o) || i < 0 || i >= imports.count { return "fixup \(f) lies outside the stored bytes or names no import" }
            }
        }
        for slot in indirectSlots where !slotOK(slot.offset) || slot.resolver < 0 || slot.resolver >= size {
            return "indirect function slot \(slot) lies outside the stored bytes or its resolver outside the image"
        }
        for slot in initializers + finalizers where !slotOK(slot) {
            return "init/fini slot \(slot) lies outside the stored bytes"
        }
        if let t = tls {
            guard t.imageOffset >= 0, t.initializedSize >= 0, t.initializedSize <= t.size, t.size <= Self.maximumSize,
                  t.imageOffset <= bytes.count - t.initializedSize, t.alignment > 0, t.alignment & (t.alignment - 1) == 0 else {
                return "TLS template \(t) does not fit the stored bytes"
            }
        }
        return nil
    }
}
