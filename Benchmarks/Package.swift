// swift-tools-version:6.1
// Sluice's benchmarks, a package of their own so that package-benchmark and its
// dependencies stay out of the main build. Run: `swift package --package-path Benchmarks benchmark`.
import PackageDescription

let package = Package(
    name: "SluiceBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named, so that products resolve whatever the checkout's folder is called.
        .package(name: "sluice", path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        // Already in the graph through sluice; named for ByteBuffer in the encoder benchmark.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "CSVTokenizer",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SluiceCore", package: "sluice"),
                .product(name: "SluiceFormats", package: "sluice"),
                .product(name: "SluicePostgres", package: "sluice"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Benchmarks/CSVTokenizer",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
        .executableTarget(
            name: "IBANValidation",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SluiceValidation", package: "sluice"),
                .product(name: "SluiceCore", package: "sluice"),
                .product(name: "SluiceFormats", package: "sluice"),
            ],
            path: "Benchmarks/IBANValidation",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
    ]
)
