import ArgumentParser
import CrossRunDriver

/// `crossrun cache`: where the compile cache is and how big; `--clear` empties it.
struct CacheCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "Show or clear the compile cache.",
        discussion: """
        Compiled objects are cached in $CROSSRUN_CACHE_DIR, else $XDG_CACHE_HOME/crossrun, else
        ~/.cache/crossrun, keyed by the compiler, the clang arguments and the contents of the
        source and every header it includes. The cache stays under $CROSSRUN_CACHE_MAX_MB
        (default 512) by removing least recently used objects; CROSSRUN_NO_CACHE=1 turns it off.
        """
    )

    @Flag(help: "Remove every cached object.")
    var clear = false

    func run() throws {
        guard let cache = CompileCache.shared else {
            print("compile cache: off (CROSSRUN_NO_CACHE is set, or no cache directory: set $CROSSRUN_CACHE_DIR)")
            return
        }
        if clear {
            let freed = cache.clear()
            print("cleared \(cache.directory) (\(freed / 1024) KiB)")
            return
        }
        let usage = cache.usage()
        print("compile cache: \(cache.directory)")
        print("\(usage.files) files, \(usage.bytes / 1024) KiB (limit \(cache.maxBytes >> 20) MiB)")
    }
}
