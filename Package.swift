// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "CrossRun",
    products: [
        .executable(name: "crossrun", targets: ["crossrun"]),
        /// The ELF reader and the linker alone (what FuzzTesting/ instruments for libFuzzer).
        .library(name: "CrossRunLinker", targets: ["CrossRunELF", "CrossRunLink"]),
        /// The whole pipeline (compile, link, load, run) for Swift code such as test suites
        /// and fuzzing harnesses that do not want to go through the CLI. (`CrossRunFuzz`, the
        /// engine of `crossrun fuzz`, has only `package` API and is not part of it.)
        .library(name: "CrossRun", targets: [
            "CrossRunSupport", "CrossRunELF", "CrossRunLink", "CrossRunRuntime", "CrossRunNative", "CrossRunDriver",
            "CrossRunLibc", "CrossRunEmulator", "CrossRunGDB",
        ]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CUnicorn",
            pkgConfig: "unicorn",
            providers: [.apt(["libunicorn-dev"])]
        ),
        .target(name: "CrossRunELF"),
        /// The GDB remote serial protocol (framing, target.xml, the command dispatcher, the socket).
        .target(name: "CrossRunGDB"),
        .target(name: "CrossRunRuntime"),
        .target(name: "CrossRunLink", dependencies: ["CrossRunELF"]),
        .target(name: "CHostMath"),
        /// binary128 `long double` on the host: libgcc soft-fp, libm's *f128, libquadmath (dlopen).
        .target(name: "CHostQuad", linkerSettings: [.linkedLibrary("m"), .linkedLibrary("dl")]),
        /// printf conversions through the host's snprintf with typed (unboxed) arguments.
        .target(name: "CHostFormat"),
        /// ioctl and mremap, which Swift cannot call directly (variadic, _GNU_SOURCE).
        .target(name: "CHostSystem"),
        /// Host wide-character, locale, regex and glob interfaces (headers Swift's Glibc module lacks).
        .target(name: "CPosixLib"),
        .target(name: "CrossRunLibc", dependencies: ["CHostMath", "CHostQuad", "CHostFormat", "CHostSystem", "CPosixLib", "CNativeSupport"]),
        /// Fuzzing resets: write tracking by host page protection (a SIGSEGV handler, no engine hook).
        .target(name: "CDirtyPages"),
        .target(name: "CrossRunEmulator", dependencies: ["CrossRunGDB", "CUnicorn", "CDirtyPages", "CNativeSupport", "CrossRunELF", "CrossRunLink", "CrossRunLibc", "CrossRunRuntime", "CHostSystem", "CPosixLib"]),
        .target(name: "CNativeSupport", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "CrossRunNative", dependencies: ["CrossRunELF", "CrossRunLink", "CrossRunRuntime", "CNativeSupport", "CrossRunLibc"]),
        /// `crossrun fuzz`: mutation, corpus, coverage features, artifacts.
        .target(name: "CrossRunFuzz", dependencies: ["CrossRunSupport", "CrossRunEmulator", "CrossRunLibc", "CrossRunLink", "CrossRunNative", "CNativeSupport"]),
        /// pipe2/addchdir for `Subprocess` (glibc declares them only under _GNU_SOURCE).
        .target(name: "CProcessSupport"),
        /// General utilities every layer may use: FileIO, Subprocess, LineDiff, SHA-1/SHA-256 and Hex.
        .target(name: "CrossRunSupport", dependencies: ["CProcessSupport", "CHashSupport", "CHostSystem"]),
        /// SHA-256 block compression on the CPU's SHA extensions (the compile cache's hashing).
        .target(name: "CHashSupport"),
        .target(name: "CrossRunDriver", dependencies: [
            "CrossRunSupport", "CrossRunELF", "CrossRunLink", "CrossRunRuntime",
        ]),
        /// Every `crossrun` command (run, inspect, matrix, test, cache, fuzz), the test runner and
        /// its reports: a library, so tests call them directly.
        .target(name: "CrossRunCommands", dependencies: [
            "CrossRunSupport", "CrossRunELF", "CrossRunLink", "CrossRunDriver", "CrossRunEmulator", "CrossRunLibc", "CrossRunNative",
            "CrossRunFuzz", "CrossRunGDB", "CNativeSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        /// The executable: `main.swift` starts CrossRunCommands.
        .executableTarget(name: "crossrun", dependencies: ["CrossRunCommands"]),
        .testTarget(name: "CrossRunTests", dependencies: [
            "CrossRunSupport", "CrossRunELF", "CrossRunLink", "CrossRunRuntime", "CrossRunNative", "CrossRunDriver",
            "CrossRunLibc", "CrossRunEmulator", "CUnicorn", "CDirtyPages", "CrossRunCommands", "CHostQuad", "CrossRunFuzz", "CrossRunGDB",
        ], exclude: ["Resources/linker-regressions"]),
    ]
)

// Swift 6 language mode (the tools version's default: complete concurrency checking) and
// warnings as errors, in Swift and C, for every target of this package (not its dependencies).
for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + [.treatAllWarnings(as: .error)]
    target.cSettings = (target.cSettings ?? []) + [.treatAllWarnings(as: .error)]
}
