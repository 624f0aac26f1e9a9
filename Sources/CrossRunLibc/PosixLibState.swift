import CPosixLib
#if canImport(Glibc)
import Glibc
#endif

/// Per-guest state of the POSIX library additions (locale, wide conversions, regex handles,
/// `drand48`, `dlerror`, the auxiliary vector), kept apart from ``LibcRuntime``'s own.
public final class PosixLibState {
    /// The guest's locale (`setlocale`).
    public let locale = GuestLocale()
    /// Locales made by `newlocale`/`duplocale`, by guest handle.
    var locales: [UInt64: GuestLocale] = [:]
    /// The locale `uselocale` installed (a handle), or 0 for the global one.
    /// Read on every library call (the trap path): no dynamic exclusivity check, as for
    /// `GuestProcess`'s trap-path properties (one thread runs the engine).
    @usableFromInline @exclusivity(unchecked) var threadLocale: UInt64 = 0
    /// No locale but "C" is in force (no `uselocale` locale, every `setlocale` category "C"):
    /// library calls need no host `uselocale` around them. Inlinable: the emulator's
    /// register-only library calls (``RegisterFunction``) test it on every call.
    @inlinable public var hostLocaleIsC: Bool { threadLocale == 0 && locale.host == nil }
    /// The host locale library calls run under: `uselocale`'s, else `setlocale`'s (nil: "C").
    /// Read on every library call: without a `uselocale` locale it borrows ``locale`` instead
    /// of going through ``activeLocale``, which returned a strong reference (a retain and a
    /// release per call).
    public var activeHostLocale: locale_t? {
        if threadLocale == 0 { return locale.host }
        return activeLocale.host
    }
    var activeLocale: GuestLocale {
        if threadLocale != 0, let l = locales[threadLocale] { return l }
        return locale
    }
    /// The hidden conversion states of `mbrtowc`, `mbrlen`, `wcrtomb`, `mbsrtowcs`…
    /// called with a NULL `mbstate_t *` (glibc keeps one per function).
    var hiddenStates: [String: (state: mbstate_t, locale: UInt)] = [:]
    /// The non-initial conversion states the host wrote into guest `mbstate_t`s, by address,
    /// with the locale they belong to: the host only ever resumes a state it produced itself
    /// (glibc asserts on forged ones), under the locale that produced it.
    var partialStates: [UInt64: (bits: UInt64, locale: UInt)] = [:]
    /// Compiled host regular expressions by handle (the guest's `regex_t` holds the handle).
    /// `openlog`'s identity (a host copy the host's syslog points to) and options.
    var syslogIdent: UnsafeMutablePointer<CChar>?
    var syslogOptions: Int32 = 0
    var regexes: [UInt64: UnsafeMutablePointer<regex_t>] = [:]
    /// Host `iconv` descriptors by guest handle (`iconv_open`), and the next handle.
    var converters: [UInt64: iconv_t] = [:]
    var nextIconvHandle: UInt64 = 1
    var nextRegexHandle: UInt64 = 1
    /// Handles of patterns compiled with REG_NOSUB (regexec then reports no offsets).
    var regexNoSub: Set<UInt64> = []
    /// `drand48`'s state: X (48 bits), a, c.
    var rand48 = Rand48()
    /// `random`'s generator once `initstate`/`setstate` moved it to a guest state array.
    var guestRandom: GuestRandom?
    /// The message `dlerror` returns next (nil: no error since the last call).
    var dlError: String?
    /// AT_HWCAP and AT_HWCAP2 of the emulated CPU, and AT_PLATFORM (set by the emulator).
    public var hwcap: UInt64 = 0, hwcap2: UInt64 = 0
    public var platform: String?
    /// argv[0] (`program_invocation_name`, error()'s prefix).
    public var programPath = "program"
    /// Guest signalfds by descriptor (their host eventfds), and the `si_code` each pending
    /// signal was raised with (what a signalfd read reports).
    var signalFDs: [Int32: LibcSignalfd.Descriptor] = [:]
    /// Whether the host's utmp functions were pointed at a database for this guest.
    var utmpNamed = false
    var pendingSignalCodes: [Int32: Int32] = [:]
    /// POSIX timers (`timer_create`) by guest id: the host timer, and how it notifies.
    var timers: [UInt64: LibcPosixTimers.Timer] = [:]
    var nextTimerID: UInt64 = 0
    /// The guest's `AT_RANDOM` bytes (16), created on first request.
    var randomBytes: UInt64 = 0

    public init() {}

    /// Records the message the next `dlerror` returns.
    public func dlFailed(_ message: String) { dlError = message }

    /// The pending `dlerror` message, cleared (glibc reports each error once).
    public func takeDLError() -> String? {
        defer { dlError = nil }
        return dlError
    }

    /// The guest address `dlopen(NULL)` returns for the program itself.
    public func mainProgramHandle(_ rt: LibcRuntime) throws -> UInt64 { try rt.staticObject("dlopen.main", size: 8) }

    /// The auxiliary vector's CPU description: what the emulated CPU model implements.
    public func describe(_ cpu: GuestCPU) {
        hwcap = cpu.hwcap
        hwcap2 = cpu.hwcap2
        platform = cpu.platform
    }

    deinit {
        for r in regexes.values { regfree(r); r.deallocate() }
        for cd in converters.values { iconv_close(cd) }
    }

    /// The state at one moment (fuzzing resets to it after each input).
    public struct Snapshot {
        var localeName: String
        var locales: [UInt64: String]
        var threadLocale: UInt64
        var hiddenStates: [String: (state: mbstate_t, locale: UInt)]
        var partialStates: [UInt64: (bits: UInt64, locale: UInt)]
        var regexHandles: Set<UInt64>
        var rand48: Rand48
        var guestRandom: GuestRandom?
        var dlError: String?
        var randomBytes: UInt64
    }

    func snapshot() -> Snapshot {
        Snapshot(localeName: locale.query(LC_ALL), locales: locales.mapValues { $0.query(LC_ALL) }, threadLocale: threadLocale,
                 hiddenStates: hiddenStates, partialStates: partialStates, regexHandles: Set(regexes.keys), rand48: rand48,
                 guestRandom: guestRandom, dlError: dlError, randomBytes: randomBytes)
    }

    /// Returns to `s`: patterns compiled since are freed (host memory would grow with every
    /// input otherwise), locales are rebuilt from their names.
    func restore(_ s: Snapshot) {
        for (handle, r) in regexes where !s.regexHandles.contains(handle) {
            regfree(r); r.deallocate()
            regexes[handle] = nil
            regexNoSub.remove(handle)
        }
        _ = locale.set(LC_ALL, s.localeName, environment: [:])
        var kept: [UInt64: GuestLocale] = [:]
        for (handle, name) in s.locales {
            if let same = locales[handle], same.query(LC_ALL) == name { kept[handle] = same; continue }
            let l = GuestLocale()
            _ = l.set(LC_ALL, name, environment: [:])
            kept[handle] = l
        }
        locales = kept
        threadLocale = s.threadLocale
        hiddenStates = s.hiddenStates
        partialStates = s.partialStates
        rand48 = s.rand48
        guestRandom = s.guestRandom
        dlError = s.dlError
        randomBytes = s.randomBytes
    }
}

/// glibc's 48-bit linear congruential generator (`drand48` & co.).
struct Rand48 {
    var x: (UInt16, UInt16, UInt16) = (0, 0, 0)
    var a: UInt64 = 0x5_DEEC_E66D
    var c: UInt16 = 0xb

    /// One step on `state`, glibc's `__drand48_iterate`.
    static func iterate(_ state: inout (UInt16, UInt16, UInt16), a: UInt64, c: UInt16) {
        let x = UInt64(state.2) << 32 | UInt64(state.1) << 16 | UInt64(state.0)
        let r = (x &* a &+ UInt64(c)) & 0xffff_ffff_ffff
        state = (UInt16(truncatingIfNeeded: r), UInt16(truncatingIfNeeded: r >> 16), UInt16(truncatingIfNeeded: r >> 32))
    }

    /// erand48's double in [0, 1) built from the 48 bits as glibc does.
    static func double(_ s: (UInt16, UInt16, UInt16)) -> Double {
        let mantissa = UInt64(s.2) << 36 | UInt64(s.1) << 20 | UInt64(s.0) << 4
        return Double(bitPattern: 0x3ff0_0000_0000_0000 | mantissa) - 1.0
    }

    /// nrand48's non-negative 31-bit value.
    static func nonNegative(_ s: (UInt16, UInt16, UInt16)) -> Int64 { Int64(UInt32(s.2) << 15 | UInt32(s.1) >> 1) }

    /// jrand48's signed 32-bit value.
    static func signed(_ s: (UInt16, UInt16, UInt16)) -> Int64 { Int64(Int32(bitPattern: UInt32(s.2) << 16 | UInt32(s.1))) }
}
