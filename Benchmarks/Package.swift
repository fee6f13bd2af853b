// swift-tools-version:6.1
// Sluice's benchmarks, a package of their own so that package-benchmark and its
// dependencies stay out of the main build. Run: `swift package --package-path Benchmarks benchmark`
// (all suites), `make bench-stages` (the per-stage suites), or `--target NAME` for one.
//
// Suites (Benchmarks/<Suite>/<Suite>.swift), each on inputs generated once into the
// temporary folder by the scripts under ../scripts (see Sources/SluiceBenchmarkInputs):
//   CSVTokenizer, IBANValidation           the issue-1 targets (tokenizer MB/s, IBANs/s);
//   CSVDecode, XLSXDecode, Validation,     one per stage of a run, on one core, from memory:
//   Screening, Dedup, CopyEncode           rows/s, ns/row and allocations of each.
import PackageDescription

/// A package-benchmark suite: an executable target under Benchmarks/ with the plugin.
func suite(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .executableTarget(
        name: name,
        dependencies: [.product(name: "Benchmark", package: "benchmark")] + dependencies,
        path: "Benchmarks/\(name)",
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
}

let package = Package(
    name: "SluiceBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named, so that products resolve whatever the checkout's folder is called.
        .package(name: "sluice", path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        // Already in the graph through sluice; named for ByteBuffer in the encoder benchmarks.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        // Inputs and metrics shared by the per-stage suites; not a suite (not under Benchmarks/).
        .target(
            name: "SluiceBenchmarkInputs",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SluiceCore", package: "sluice"),
                .product(name: "SluiceFormats", package: "sluice"),
                .product(name: "SluiceValidation", package: "sluice"),
            ],
            path: "Sources/SluiceBenchmarkInputs"
        ),
        suite("CSVTokenizer", [
            .product(name: "SluiceCore", package: "sluice"),
            .product(name: "SluiceFormats", package: "sluice"),
            .product(name: "SluicePostgres", package: "sluice"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        suite("IBANValidation", [
            .product(name: "SluiceValidation", package: "sluice"),
            .product(name: "SluiceCore", package: "sluice"),
            .product(name: "SluiceFormats", package: "sluice"),
        ]),
        suite("CSVDecode", [
            "SluiceBenchmarkInputs",
            .product(name: "SluiceCore", package: "sluice"),
            .product(name: "SluiceFormats", package: "sluice"),
        ]),
        suite("XLSXDecode", [
            "SluiceBenchmarkInputs",
            .product(name: "SluiceCore", package: "sluice"),
            .product(name: "SluiceFormats", package: "sluice"),
        ]),
        suite("Validation", [
            "SluiceBenchmarkInputs",
            .product(name: "SluiceCore", package: "sluice"),
            .product(name: "SluiceValidation", package: "sluice"),
        ]),
        suite("Screening", [
            "SluiceBenchmarkInputs",
            .product(name: "SluiceCore", package: "sluice"),
            .product(name: "SluiceStages", package: "sluice"),
        ]),
        suite("Dedup", [
            "SluiceBenchmarkInputs",
            .product(name: "SluiceCore", package: "sluice"),
            .product(name: "SluiceStages", package: "sluice"),
        ]),
        suite("CopyEncode", [
            "SluiceBenchmarkInputs",
            .product(name: "SluiceCore", package: "sluice"),
            .product(name: "SluicePostgres", package: "sluice"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
    ]
)
