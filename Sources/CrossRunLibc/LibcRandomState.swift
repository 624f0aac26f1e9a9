#if canImport(Glibc)
import Glibc
#endif

/// glibc's `random` generator on a state array in guest memory, after `initstate`/`setstate`
/// gave it one (until then `rand`/`random` run on the host-side ``RandomState``, the same
/// sequence). The layout is glibc's: `state[-1]` records the type and the rear position when
/// the generator leaves a state, so `setstate` can resume it.
struct GuestRandom {
    static let degrees = [0, 7, 15, 31, 63], separations = [0, 3, 1, 3, 1]
    /// Guest address of `state[0]` (the argument of initstate/setstate + 4).
    var state: UInt64
    var type: Int
    var front = 0, rear = 0
    var degree: Int { Self.degrees[type] }

    func word(_ rt: LibcRuntime, _ i: Int) throws -> UInt32 { try rt.memory.load(state &+ UInt64(4 * i), as: UInt32.self) }
    func setWord(_ rt: LibcRuntime, _ i: Int, _ v: UInt32) throws { try rt.memory.store(v, at: state &+ UInt64(4 * i)) }

    /// glibc's random_r.
    mutating func next(_ rt: LibcRuntime) throws -> Int32 {
        if type == 0 {
            let v = (try word(rt, 0) &* 1_103_515_245 &+ 12345) & 0x7fff_ffff
            try setWord(rt, 0, v)
            return Int32(bitPattern: v)
        }
        let v = try word(rt, front) &+ word(rt, rear)
        try setWord(rt, front, v)
        front += 1
        if front >= degree { front = 0; rear += 1 } else { rear += 1; if rear >= degree { rear = 0 } }
        return Int32(bitPattern: v >> 1)
    }

    /// glibc's srandom_r.
    mutating func seed(_ rt: LibcRuntime, _ value: UInt32) throws {
        let s = value == 0 ? 1 : value
        try setWord(rt, 0, s)
        guard type != 0 else { return }
        var word = Int64(Int32(bitPattern: s))
        for i in 1..<degree {
            let hi = word / 127_773, lo = word % 127_773
            word = 16807 * lo - 2836 * hi
            if word < 0 { word += 2_147_483_647 }
            try setWord(rt, i, UInt32(truncatingIfNeeded: word))
        }
        front = Self.separations[type]
        rear = 0
        for _ in 0..<(10 * degree) { _ = try next(rt) }
    }

    /// Records type and position in `state[-1]` (glibc does so when leaving a state).
    func save(_ rt: LibcRuntime) throws {
        try rt.memory.store(Int32(type == 0 ? 0 : 5 * rear + type), at: state &- 4)
    }
}

/// `initstate`, `setstate`, and `rand`/`random`/`srand`/`srandom` once the generator runs on a
/// guest state array.
enum LibcRandomState {
    /// The guest generator, materialising glibc's default table (`randtbl`, TYPE_3) from the
    /// host-side generator the first time a state is switched.
    static func current(_ rt: LibcRuntime) throws -> GuestRandom {
        if let g = rt.posix.guestRandom { return g }
        let table = try rt.staticObject("randtbl", size: 4 * 32)
        var g = GuestRandom(state: table &+ 4, type: 3, front: 3, rear: 0)
        // The host ring holds the last 34 values; glibc's table the last 31, oldest at `front`.
        let ring = rt.randState
        for k in 0..<31 {
            let v = ring.r[(ring.index - 31 + k) % 34]
            try g.setWord(rt, (3 + k) % 31, UInt32(bitPattern: v))
        }
        g.front = 3
        g.rear = 0
        return g
    }

    static func fallback(_ name: String, _ rt: LibcRuntime, _ f: any CallFrame) throws {
        let table = name == "rand" || name == "srand" ? LibcProcess.functions : LibcMisc.functions
        guard let body = table[name] else { throw GuestTermination.signal(SIGSYS, "no \(name) in the runtime") }
        try body(rt, f)
    }

    static let functions: [String: HostFunction] = [
        "rand": { rt, f in
            guard var g = rt.posix.guestRandom else { try fallback("rand", rt, f); return }
            f.returnInt32(try g.next(rt)); rt.posix.guestRandom = g
        },
        "random": { rt, f in
            guard var g = rt.posix.guestRandom else { try fallback("random", rt, f); return }
            f.returnSigned(Int64(try g.next(rt))); rt.posix.guestRandom = g
        },
        "srand": { rt, f in
            guard var g = rt.posix.guestRandom else { try fallback("srand", rt, f); return }
            try g.seed(rt, UInt32(truncatingIfNeeded: try f.int(0))); rt.posix.guestRandom = g
        },
        "srandom": { rt, f in
            guard var g = rt.posix.guestRandom else { try fallback("srandom", rt, f); return }
            try g.seed(rt, UInt32(truncatingIfNeeded: try f.int(0))); rt.posix.guestRandom = g
        },
        "initstate": { rt, f in
            let seed = UInt32(truncatingIfNeeded: try f.int(0)), buffer = try f.int(1), n = try f.size(2)
            let type = n >= 256 ? 4 : n >= 128 ? 3 : n >= 64 ? 2 : n >= 32 ? 1 : n >= 8 ? 0 : -1
            guard type >= 0 else { rt.setErrno(EINVAL); f.returnInt(0); return }
            _ = try rt.memory.host(buffer, 4 * (GuestRandom.degrees[type] + 1), write: true)
            let old = try current(rt)
            try old.save(rt)
            var g = GuestRandom(state: buffer &+ 4, type: type)
            try g.seed(rt, seed)
            try g.save(rt)
            rt.posix.guestRandom = g
            f.returnInt(old.state &- 4)
        },
        "setstate": { rt, f in
            let buffer = try f.int(0)
            let info = try rt.memory.load(buffer, as: Int32.self)
            let type = Int(info % 5), rear = Int(info / 5)
            guard (0...4).contains(type), type == 0 || (0..<GuestRandom.degrees[type]).contains(rear) else {
                rt.setErrno(EINVAL); f.returnInt(0); return
            }
            _ = try rt.memory.host(buffer, 4 * (GuestRandom.degrees[type] + 1), write: true)
            let old = try current(rt)
            try old.save(rt)
            var g = GuestRandom(state: buffer &+ 4, type: type)
            if type != 0 { g.rear = rear; g.front = (rear + GuestRandom.separations[type]) % g.degree }
            rt.posix.guestRandom = g
            f.returnInt(old.state &- 4)
        },
    ]
}
