/// `<libintl.h>` as glibc answers when no catalog is installed for the program's domain
/// (what every CrossRun program sees: catalogs are host files the guest does not ship):
/// lookups return the original text, `ngettext` the singular for n == 1. `textdomain`,
/// `bindtextdomain` and `bind_textdomain_codeset` keep their settings (copies on the guest
/// heap that stay valid, as glibc's do) and report them.
enum LibcIntl {
    /// glibc's default domain and catalog directory (Debian's LOCALEDIR).
    static let defaultDomain = "messages", defaultDirectory = "/usr/share/locale"

    /// The setting under `key`, or nil.
    static func setting(_ rt: LibcRuntime, _ key: String) -> UInt64? { rt.staticObjects["libintl:" + key] }

    /// Stores a copy of `bytes` as the setting under `key` and returns its guest address.
    static func store(_ rt: LibcRuntime, _ key: String, _ bytes: [UInt8]) throws -> UInt64 {
        let copy = try LibcMemory.allocate(rt, bytes.count + 1, zero: false)
        guard copy != 0 else { return 0 }
        try rt.memory.write(bytes + [0], at: copy)
        rt.staticObjects["libintl:" + key] = copy
        return copy
    }

    /// The setting under `key`, created from `initial` on first use.
    static func current(_ rt: LibcRuntime, _ key: String, initial: String) throws -> UInt64 {
        try setting(rt, key) ?? store(rt, key, Array(initial.utf8))
    }

    /// `bindtextdomain`/`bind_textdomain_codeset`: NULL for a NULL or empty domain; with a
    /// NULL value the current one (`fallback` when never set), else the new one's copy.
    static func bind(_ rt: LibcRuntime, _ f: any CallFrame, kind: String, fallback: String?) throws {
        let domainAddress = try f.int(0), value = try f.int(1)
        guard domainAddress != 0 else { f.returnInt(0); return }
        let domain = Array(try rt.memory.cString(domainAddress))
        guard !domain.isEmpty else { f.returnInt(0); return }
        let key = kind + ":" + String(decoding: domain, as: UTF8.self)
        if value == 0 {
            if let set = setting(rt, key) { f.returnInt(set); return }
            f.returnInt(try fallback.map { try store(rt, key, Array($0.utf8)) } ?? 0)
            return
        }
        f.returnInt(try store(rt, key, Array(try rt.memory.cString(value))))
    }

    /// `ngettext` & co.: the singular for n == 1, else the plural.
    static func plural(_ f: any CallFrame, first: Int) throws {
        f.returnInt(try f.int(first + 2) == 1 ? f.int(first) : f.int(first + 1))
    }

    static let functions: [String: HostFunction] = [
        "gettext": { _, f in f.returnInt(try f.int(0)) },
        "dgettext": { _, f in f.returnInt(try f.int(1)) },
        "dcgettext": { _, f in f.returnInt(try f.int(1)) },
        "ngettext": { _, f in try plural(f, first: 0) },
        "dngettext": { _, f in try plural(f, first: 1) },
        "dcngettext": { _, f in try plural(f, first: 1) },
        "textdomain": { rt, f in
            let name = try f.int(0)
            if name == 0 { f.returnInt(try current(rt, "domain", initial: defaultDomain)); return }
            let bytes = Array(try rt.memory.cString(name))
            f.returnInt(try store(rt, "domain", bytes.isEmpty ? Array(defaultDomain.utf8) : bytes))
        },
        "bindtextdomain": { rt, f in try bind(rt, f, kind: "directory", fallback: defaultDirectory) },
        "bind_textdomain_codeset": { rt, f in try bind(rt, f, kind: "codeset", fallback: nil) },
    ]
}
