#if canImport(Glibc)
import Glibc
#endif

/// The reentrant `random` family (`random_r`, `srandom_r`, `initstate_r`, `setstate_r`): glibc's
/// generator (``GuestRandom``) over the caller's `struct random_data` and state array, both
/// guest memory. Every pointer in the struct comes from the guest, so each is turned into an
/// index of the state array and checked before use: a forged struct gives EINVAL or a guest
/// fault, never a host access outside guest memory.
enum LibcRandomReentrant {
    /// glibc's `struct random_data` on every LP64 guest (48 bytes): `fptr`, `rptr`, `state`
    /// pointers, `rand_type`, `rand_deg`, `rand_sep` ints, `end_ptr`.
    enum Layout {
        static let fptr: UInt64 = 0, rptr: UInt64 = 8, state: UInt64 = 16, type: UInt64 = 24
        static let degree: UInt64 = 28, separation: UInt64 = 32, end: UInt64 = 40
    }
    static let maxTypes = 5

    struct Failure: Error {}

    /// The generator the struct at `data` describes.
    static func load(_ rt: LibcRuntime, _ data: UInt64) throws -> GuestRandom {
        let m = rt.memory
        let type = Int(try m.load(data &+ Layout.type, as: Int32.self))
        guard (0..<maxTypes).contains(type) else { throw Failure() }
        let state = try m.load(data &+ Layout.state, as: UInt64.self)
        var g = GuestRandom(state: state, type: type)
        guard type != 0 else { return g }
        func index(_ field: UInt64) throws -> Int {
            let p = try m.load(data &+ field, as: UInt64.self)
            guard p >= state, (p - state) % 4 == 0, (p - state) / 4 < UInt64(g.degree) else { throw Failure() }
            return Int((p - state) / 4)
        }
        g.front = try index(Layout.fptr)
        g.rear = try index(Layout.rptr)
        return g
    }

    /// Writes the generator's position (and, with `full`, its type, degree, separation,
    /// state and end) back into the struct.
    static func store(_ rt: LibcRuntime, _ g: GuestRandom, _ data: UInt64, full: Bool) throws {
        let m = rt.memory
        if g.type != 0 {
            try m.store(g.state &+ UInt64(4 * g.front), at: data &+ Layout.fptr)
            try m.store(g.state &+ UInt64(4 * g.rear), at: data &+ Layout.rptr)
        }
        guard full else { return }
        try m.store(g.state, at: data &+ Layout.state)
        try m.store(Int32(g.type), at: data &+ Layout.type)
        try m.store(Int32(g.degree), at: data &+ Layout.degree)
        try m.store(Int32(GuestRandom.separations[g.type]), at: data &+ Layout.separation)
        try m.store(g.state &+ UInt64(4 * g.degree), at: data &+ Layout.end)
    }

    /// Records the current generator's type and position in its `state[-1]`, as glibc does
    /// before `initstate_r`/`setstate_r` leave it (nothing when the struct has no state yet).
    static func saveOld(_ rt: LibcRuntime, _ data: UInt64) throws {
        guard try rt.memory.load(data &+ Layout.state, as: UInt64.self) != 0 else { return }
        try load(rt, data).save(rt)
    }

    static func returnResult(_ rt: LibcRuntime, _ f: any CallFrame, _ body: () throws -> Void) throws {
        do {
            try body()
            f.returnInt32(0)
        } catch is Failure {
            rt.setErrno(EINVAL)
            f.returnInt32(-1)
        }
    }

    static let functions: [String: HostFunction] = [
        "random_r": { rt, f in
            let data = try f.int(0), result = try f.int(1)
            try returnResult(rt, f) {
                var g = try load(rt, data)
                let value = try g.next(rt)
                try store(rt, g, data, full: false)
                try rt.memory.store(value, at: result)
            }
        },
        "srandom_r": { rt, f in
            let seed = UInt32(truncatingIfNeeded: try f.int(0)), data = try f.int(1)
            try returnResult(rt, f) {
                var g = try load(rt, data)
                try g.seed(rt, seed)
                try store(rt, g, data, full: false)
            }
        },
        "initstate_r": { rt, f in
            let seed = UInt32(truncatingIfNeeded: try f.int(0)), buffer = try f.int(1), size = try f.int(2), data = try f.int(3)
            try returnResult(rt, f) {
                guard data != 0 else { throw Failure() }
                try saveOld(rt, data)
                // glibc's breaks: 8, 32, 64, 128 and 256 bytes choose types 0 to 4.
                let type: Int
                switch size {
                case ..<8: throw Failure()
                case ..<32: type = 0
                case ..<64: type = 1
                case ..<128: type = 2
                case ..<256: type = 3
                default: type = 4
                }
                var g = GuestRandom(state: buffer &+ 4, type: type)
                try store(rt, g, data, full: true)
                try g.seed(rt, seed)
                try store(rt, g, data, full: true)
                try g.save(rt)
            }
        },
        "setstate_r": { rt, f in
            let buffer = try f.int(0), data = try f.int(1)
            try returnResult(rt, f) {
                guard buffer != 0, data != 0 else { throw Failure() }
                try saveOld(rt, data)
                let state = buffer &+ 4
                let recorded = Int(try rt.memory.load(buffer, as: Int32.self))
                let type = recorded % maxTypes
                guard type >= 0 else { throw Failure() }
                var g = GuestRandom(state: state, type: type)
                if type != 0 {
                    let rear = recorded / maxTypes
                    guard rear < g.degree else { throw Failure() }
                    g.rear = rear
                    g.front = (rear + GuestRandom.separations[type]) % g.degree
                }
                try store(rt, g, data, full: true)
            }
        },
    ]
}
