// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "sluice",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sluice", targets: ["sluice"]),
        .library(name: "SluiceCore", targets: ["SluiceCore"]),
        .library(name: "SluiceFormats", targets: ["SluiceFormats"]),
        .library(name: "SluiceS3", targets: ["SluiceS3"]),
        .library(name: "SluicePostgres", targets: ["SluicePostgres"]),
        .library(name: "SluicePipeline", targets: ["SluicePipeline"]),
        .library(name: "SluiceValidation", targets: ["SluiceValidation"]),
        .library(name: "SluiceStages", targets: ["SluiceStages"]),
        .library(name: "SluiceReports", targets: ["SluiceReports"]),
        .library(name: "SluiceJobs", targets: ["SluiceJobs"]),
        .library(name: "SluiceServer", targets: ["SluiceServer"]),
        .library(name: "SluiceVOP", targets: ["SluiceVOP"]),
        .library(name: "SluiceSimulators", targets: ["SluiceSimulators"]),
        .library(name: "SluiceGenesis", targets: ["SluiceGenesis"]),
        .library(name: "SluiceBilling", targets: ["SluiceBilling"]),
        .library(name: "SluiceReconciliation", targets: ["SluiceReconciliation"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-async-algorithms.git", from: "1.1.4"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        // OTLP over HTTP only: the gRPC exporter's packages are not needed.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        .target(
            name: "SluiceCore",
            dependencies: [
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
            ],
            swiftSettings: swiftSettings
        ),
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"]), .brew(["libxml2"])]
        ),
        .systemLibrary(
            name: "CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "SluiceFormats",
            dependencies: [
                "SluiceCore", "CLibXML2", "CZlib",
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SluiceValidation",
            dependencies: ["SluiceCore"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SluiceS3",
            dependencies: [
                "SluiceCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SluicePostgres",
            dependencies: [
                "SluiceCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SluiceStages",
            dependencies: [
                "SluiceCore", "SluiceFormats", "SluicePostgres", "SluiceValidation",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SluicePipeline",
            dependencies: [
                "SluiceCore", "SluiceFormats", "SluiceS3", "SluicePostgres", "SluiceValidation", "SluiceStages", "SluiceVOP", "SluiceBilling",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SluiceJobs",
            dependencies: [
                "SluiceCore", "SluicePostgres",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SluiceServer",
            dependencies: [
                "SluiceCore", "SluicePostgres", "SluiceS3", "SluicePipeline", "SluiceJobs", "SluiceReports", "SluiceStages", "SluiceBilling",
                "SluiceReconciliation", "SluiceGenesis",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel"),
            ],
            swiftSettings: swiftSettings
        ),
        .systemLibrary(
            name: "CLibXLSXWriter",
            pkgConfig: "xlsxwriter",
            providers: [.apt(["libxlsxwriter-dev"])]
        ),
        .target(
            name: "SluiceReports",
            dependencies: [
                "SluiceCore", "SluiceFormats", "SluicePostgres", "CLibXLSXWriter",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SluiceVOP",
            dependencies: [
                "SluiceCore", "SluiceStages", "SluiceValidation", "SluicePostgres",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SluiceGenesis",
            dependencies: [
                "SluiceCore", "CLibXML2",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SluiceBilling",
            dependencies: [
                "SluiceCore", "SluicePostgres", "SluiceStages", "SluiceGenesis", "SluiceJobs", "SluiceValidation",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SluiceReconciliation",
            dependencies: [
                "SluiceCore", "SluicePostgres", "SluiceStages", "SluiceGenesis", "SluiceJobs", "SluiceBilling",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SluiceSimulators",
            dependencies: [
                "SluiceCore", "SluiceValidation", "SluiceGenesis",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "sluice",
            dependencies: [
                "SluicePipeline", "SluiceStages", "SluiceReports", "SluiceServer", "SluiceSimulators", "SluiceBilling", "SluiceReconciliation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "SluiceCoreTests", dependencies: ["SluiceCore"], swiftSettings: swiftSettings),
        .testTarget(name: "SluiceFormatsTests", dependencies: ["SluiceFormats", "SluiceTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "SluiceValidationTests", dependencies: ["SluiceValidation"], swiftSettings: swiftSettings),
        .testTarget(name: "SluiceS3Tests", dependencies: ["SluiceS3"], swiftSettings: swiftSettings),
        .testTarget(
            name: "SluicePostgresTests",
            dependencies: ["SluicePostgres", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "SluiceStagesTests", dependencies: ["SluiceStages", "SluiceFormats", "SluiceValidation", "SluiceTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "SluiceJobsTests", dependencies: ["SluiceJobs", "SluiceTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "SluicePipelineTests", dependencies: ["SluicePipeline", "SluiceStages", "SluiceVOP", "SluiceBilling"], swiftSettings: swiftSettings),
        .testTarget(
            name: "SluiceServerTests",
            dependencies: [
                "SluiceServer", "SluiceCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        // Helpers shared by test targets; a plain target, since test targets cannot import each other.
        .target(
            name: "SluiceTestSupport",
            dependencies: ["SluiceVOP", "SluiceSimulators", "SluiceStages", .product(name: "Logging", package: "swift-log")],
            path: "Tests/SluiceTestSupport", swiftSettings: swiftSettings),
        .testTarget(name: "SluiceReportsTests", dependencies: ["SluiceReports", "SluiceTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "SluiceVOPTests",
            dependencies: [
                "SluiceVOP", "SluiceSimulators", "SluiceStages", "SluiceValidation", "SluicePostgres", "SluiceTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SluiceGenesisTests",
            dependencies: [
                "SluiceGenesis", "SluiceSimulators", "SluiceTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SluiceBillingTests",
            dependencies: ["SluiceBilling", "SluiceGenesis", "SluiceStages", "SluiceTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SluiceReconciliationTests",
            dependencies: ["SluiceReconciliation", "SluiceBilling", "SluiceGenesis"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "SluiceCore", "SluicePostgres", "SluiceS3", "SluicePipeline", "SluiceStages", "SluiceReports", "SluiceTestSupport",
                "SluiceJobs", "SluiceVOP", "SluiceSimulators", "SluiceServer", "SluiceGenesis", "SluiceBilling",
                "SluiceReconciliation",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
