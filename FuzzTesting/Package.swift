// swift-tools-version:5.9
import PackageDescription

/// libFuzzer targets for CrossRun, kept out of the main package so its normal build never
/// needs the fuzzer runtime. Build and run with `scripts/fuzz-linker.sh` (it passes
/// `-sanitize=fuzzer` to every module, the CrossRun ones included, and links the fuzzer).
let package = Package(
    name: "FuzzTesting",
    products: [
        /// `LLVMFuzzerTestOneInput` over the ELF reader and the linker.
        .library(name: "FuzzLinker", type: .static, targets: ["FuzzLinker"]),
    ],
    dependencies: [
        .package(name: "CrossRun", path: ".."),
    ],
    targets: [
        .target(name: "FuzzLinker", dependencies: [.product(name: "CrossRunLinker", package: "CrossRun")]),
    ]
)
