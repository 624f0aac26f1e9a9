import CPosixLib
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The guest's locale: glibc's category names and, when any category is not "C", the host
/// `locale_t` that the trap dispatcher installs (`uselocale`) around every library call, so
/// host conversions (`mbrtowc`, `printf`'s `%ls`, `wcwidth`…) follow the guest's locale.
/// Which names exist is the host glibc's decision (`newlocale`), as in a native run.
public final class GuestLocale {
    /// glibc's categories (LC_ALL = 6 is not one), in its composite-name order.
    static let categories: [Int32] = [0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12]
    static let categoryNames = ["LC_CTYPE", "LC_NUMERIC", "LC_TIME", "LC_COLLATE", "LC_MONETARY", "LC_MESSAGES", "LC_ALL",
                                "LC_PAPER", "LC_NAME", "LC_ADDRESS", "LC_TELEPHONE", "LC_MEASUREMENT", "LC_IDENTIFICATION"]
    /// Why the last ``set(_:_:environment:)`` failed (an errno), for `setlocale` to report.
    private(set) var failure: Int32 = 0
    /// Name of each category's locale, indexed by category number.
    private(set) var names = [String](repeating: "C", count: 13)
    /// The host locale matching `names`, or nil when every category is "C".
    @exclusivity(unchecked) public private(set) var host: locale_t?
    /// Distinguishes each host locale this process made (0: "C"), so a conversion state is
    /// only resumed under the locale that produced it.
    public private(set) var identity: UInt = 0
    private static let made = Atomic<UInt>(0)

    public init() {}

    /// A locale with the same category names (`duplocale`, `newlocale`'s base).
    func copy() -> GuestLocale {
        let c = GuestLocale()
        _ = c.set(LC_ALL, query(LC_ALL), environment: [:])
        return c
    }

    /// `newlocale`: sets every category whose bit (1 << category) is in `mask`; false when the
    /// name does not exist (nothing changed).
    func apply(mask: Int32, _ name: String, environment: [String: String]) -> Bool {
        let saved = query(LC_ALL)
        for c in Self.categories where mask & (1 << c) != 0 {
            guard set(c, name, environment: environment) else { _ = set(LC_ALL, saved, environment: [:]); return false }
        }
        return true
    }

    deinit { if let host { freelocale(host) } }

    /// The `setlocale(category, NULL)` answer: one name, or glibc's composite for LC_ALL.
    func query(_ category: Int32) -> String {
        guard category == LC_ALL else { return names[Int(category)] }
        let first = names[0]
        if Self.categories.allSatisfy({ names[Int($0)] == first }) { return first }
        return Self.categories.map { "\(Self.categoryNames[Int($0)])=\(names[Int($0)])" }.joined(separator: ";")
    }

    /// `setlocale(category, name)`; false (nothing changed) when a name does not exist.
    func set(_ category: Int32, _ requested: String, environment: [String: String]) -> Bool {
        failure = 0
        var wanted = names
        let targets = category == LC_ALL ? Self.categories : [category]
        if category == LC_ALL, requested.contains(";") {
            // A composite name as setlocale(LC_ALL, NULL) returned it.
            for part in requested.split(separator: ";") {
                let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
                guard pair.count == 2, let c = Self.categoryNames.firstIndex(of: pair[0]), c != Int(LC_ALL) else { failure = EINVAL; return false }
                wanted[c] = pair[1]
            }
        } else {
            for c in targets {
                // "": LC_ALL, then LC_<category>, then LANG, as glibc reads the environment.
                var name = requested
                if name.isEmpty {
                    name = [environment["LC_ALL"], environment[Self.categoryNames[Int(c)]], environment["LANG"]]
                        .compactMap { $0 }.first { !$0.isEmpty } ?? "C"
                }
                wanted[Int(c)] = name
            }
        }
        for c in Self.categories {
            if wanted[Int(c)] == "POSIX" { wanted[Int(c)] = "C" }
            guard wanted[Int(c)] != "C" else { continue }
            guard !wanted[Int(c)].contains("/") else { failure = EINVAL; return false }
            errno = 0
            guard let probe = newlocale(1 << c, wanted[Int(c)], nil) else {
                // glibc's own errno: ENOENT the first time a name is not found, and 0 when its
                // cache already knows (bash prints "…: No such file or directory" only once).
                failure = errno
                return false
            }
            freelocale(probe)
        }
        guard wanted != names else { return true }
        names = wanted
        if let host {
            // Never free the locale the calling thread is using (the dispatcher installed it).
            if uselocale(nil) == host { uselocale(crossrun_global_locale()) }
            freelocale(host)
        }
        host = nil
        identity = 0
        guard names.contains(where: { $0 != "C" }), var loc = newlocale(crossrun_lc_all_mask(), "C", nil) else { return true }
        for c in Self.categories where names[Int(c)] != "C" {
            if let next = newlocale(1 << c, names[Int(c)], loc) { loc = next }
        }
        host = loc
        identity = Self.made.add(1, ordering: .relaxed).newValue
        return true
    }
}

/// `setlocale`, `nl_langinfo`, `MB_CUR_MAX`, and the POSIX.1-2008 `locale_t` functions
/// (guest `locale_t` values are handles: guest addresses the runtime allocated, never host pointers).
enum LibcLocale {
    static let global = UInt64.max   // LC_GLOBAL_LOCALE, (locale_t)-1
    static let allMask: Int32 = 0x1fbf   // LC_ALL_MASK: every category but LC_ALL

    static func register(_ rt: LibcRuntime, _ locale: GuestLocale) throws -> UInt64 {
        let handle = try rt.allocateZeroed(16)
        rt.posix.locales[handle] = locale
        return handle
    }

    /// The host's "C" locale, for `*_l` calls with a guest locale that is all "C".
    nonisolated(unsafe) static let cLocale = newlocale(crossrun_lc_all_mask(), "C", nil)

    /// A POSIX.1-2008 `name_l` function: `base` run under the locale object in integer
    /// argument `localeArgument` (the base reads only its own arguments).
    static func localized(_ base: String, localeArgument: Int) -> HostFunction {
        { rt, f in
            let h = try f.int(localeArgument)
            guard let guestLocale = h == global ? rt.posix.locale : rt.posix.locales[h], let body = HostLibc.functions[base] else {
                throw GuestFault(address: h, size: 1, access: .read)   // not a locale object: glibc would dereference it
            }
            guard let host = guestLocale.host ?? cLocale else { try body(rt, f); return }
            let previous = uselocale(host)
            defer { uselocale(previous) }
            try body(rt, f)
        }
    }

    /// The `*_l` functions and where their locale argument is.
    static let localizedFunctions: [String: HostFunction] = {
        var table: [String: HostFunction] = [:]
        for name in ["isalnum", "isalpha", "isblank", "iscntrl", "isdigit", "isgraph", "islower", "isprint", "ispunct",
                     "isspace", "isupper", "isxdigit", "tolower", "toupper", "nl_langinfo", "strerror",
                     "iswalnum", "iswalpha", "iswblank", "iswcntrl", "iswdigit", "iswgraph", "iswlower", "iswprint",
                     "iswpunct", "iswspace", "iswupper", "iswxdigit", "towlower", "towupper", "wctype", "wctrans"] {
            table[name + "_l"] = localized(name, localeArgument: 1)
        }
        for name in ["strcasecmp", "strcoll", "strtod", "strtof", "strtold", "iswctype", "towctrans", "wcscasecmp", "wcscoll",
                     "wcstod", "wcstof", "wcstold"] {
            table[name + "_l"] = localized(name, localeArgument: 2)
        }
        for name in ["strncasecmp", "strtol", "strtoul", "strtoll", "strtoull", "strxfrm", "wcsncasecmp", "wcsxfrm",
                     "wcstol", "wcstoul", "wcstoll", "wcstoull", "strptime"] {
            table[name + "_l"] = localized(name, localeArgument: 3)
        }
        // (strtold and wcstold are per long double format: HostLibc's entries dispatch on the guest's.)
        for name in ["strftime", "wcsftime"] { table[name + "_l"] = localized(name, localeArgument: 4) }
        return table
    }()

    static let functions: [String: HostFunction] = localizedFunctions.merging([
        "newlocale": { rt, f in
            let mask = try f.int32(0), p = try f.int(1), base = try f.int(2)
            guard mask & ~allMask == 0, p != 0 else { rt.setErrno(EINVAL); f.returnInt(0); return }
            let name = try rt.memory.string(p)
            if base != 0 && rt.posix.locales[base] == nil { rt.setErrno(EINVAL); f.returnInt(0); return }
            // glibc may change the base and return it: so does this.
            let target = base != 0 ? rt.posix.locales[base] ?? GuestLocale() : GuestLocale()
            let candidate = target.copy()
            guard candidate.apply(mask: mask, name, environment: LibcEnvironment.current(rt)) else { rt.setErrno(ENOENT); f.returnInt(0); return }
            if base != 0 { rt.posix.locales[base] = candidate; f.returnInt(base); return }
            f.returnInt(try register(rt, candidate))
        },
        "duplocale": { rt, f in
            let h = try f.int(0)
            guard let source = h == global ? rt.posix.locale : rt.posix.locales[h] else { rt.setErrno(EINVAL); f.returnInt(0); return }
            f.returnInt(try register(rt, source.copy()))
        },
        "freelocale": { rt, f in
            let h = try f.int(0)
            rt.posix.locales[h] = nil
            if rt.posix.threadLocale == h { rt.posix.threadLocale = 0 }
        },
        "uselocale": { rt, f in
            let h = try f.int(0)
            let previous = rt.posix.threadLocale == 0 ? global : rt.posix.threadLocale
            if h == global {
                rt.posix.threadLocale = 0
            } else if h != 0 {
                guard rt.posix.locales[h] != nil else { rt.setErrno(EINVAL); f.returnInt(0); return }
                rt.posix.threadLocale = h
            }
            f.returnInt(previous)
        },
        "setlocale": { rt, f in
            let category = try f.int32(0)
            guard (0...12).contains(category) else { rt.setErrno(EINVAL); f.returnInt(0); return }
            let p = try f.int(1)
            if p != 0 {
                let name = try rt.memory.string(p)
                guard rt.posix.locale.set(category, name, environment: LibcEnvironment.current(rt)) else {
                    rt.setErrno(rt.posix.locale.failure)   // as glibc's: a program reports strerror(errno)
                    f.returnInt(0)
                    return
                }
            }
            f.returnInt(try rt.internedString(rt.posix.locale.query(category)))
        },
        // The trap dispatcher has installed the guest's locale: the host answers for it.
        "nl_langinfo": { rt, f in
            let text = nl_langinfo(nl_item(try f.int32(0))).map { String(cString: $0) } ?? ""
            f.returnInt(try rt.internedString(text))
        },
        "__ctype_get_mb_cur_max": { _, f in f.returnInt(UInt64(crossrun_mb_cur_max())) },
        // <gnu/libc-version.h>: the version the headers describe (a native run reads the host's 2.36).
        "gnu_get_libc_version": { rt, f in f.returnInt(try rt.internedString("2.36")) },
        "gnu_get_libc_release": { rt, f in f.returnInt(try rt.internedString("stable")) },
    ]) { a, _ in a }
}
