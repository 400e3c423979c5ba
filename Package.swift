// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "NexusSim",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "nexus-sim", targets: ["nexus-sim"]),
        .library(name: "NexusGateway", targets: ["NexusGateway"]),
        .library(name: "NexusSim", targets: ["NexusSim"]),
        .library(name: "NexusScenario", targets: ["NexusScenario"]),
        .library(name: "NexusResults", targets: ["NexusResults"]),
        .library(name: "NexusLive", targets: ["NexusLive"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CGSL",
            pkgConfig: "gsl",
            providers: [.apt(["libgsl-dev"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // Deflate for the results store's series and replication summaries.
        .systemLibrary(
            name: "CZlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        // Real gateway components: pure Swift, no simulation, no I/O. Time is passed in.
        .target(name: "NexusGateway"),
        // Scenario model, YAML loading with precise error locations, units.
        .target(
            name: "NexusScenario",
            dependencies: ["NexusGateway", .product(name: "Yams", package: "Yams")]
        ),
        // The discrete-event harness: engine, random streams, providers, traffic, gateway model, metrics.
        .target(
            name: "NexusSim",
            dependencies: [
                "CGSL", "NexusGateway", "NexusScenario",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        // Replications, confidence intervals, SQLite results store, reports.
        .target(
            name: "NexusResults",
            dependencies: ["CGSL", "CSQLite", "CZlib", "NexusSim", "NexusScenario"]
        ),
        // The live drivers on SwiftNIO: the OpenAI-compatible gateway, the provider emulator, the load generator.
        .target(
            name: "NexusLive",
            dependencies: [
                "CSQLite", "NexusGateway", "NexusResults", "NexusScenario", "NexusSim",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .executableTarget(
            name: "nexus-sim",
            dependencies: [
                "NexusGateway", "NexusLive", "NexusResults", "NexusSim", "NexusScenario",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "NexusGatewayTests", dependencies: ["NexusGateway", "NexusSim"]),
        .testTarget(name: "NexusScenarioTests", dependencies: ["NexusScenario", .product(name: "Yams", package: "Yams")]),
        .testTarget(name: "NexusSimTests", dependencies: ["NexusSim", "NexusScenario", "CGSL"]),
        .testTarget(name: "NexusResultsTests", dependencies: ["NexusResults", "NexusSim", "NexusScenario", "CSQLite"]),
        .testTarget(
            name: "NexusLiveTests",
            dependencies: [
                "NexusLive", "NexusGateway", "NexusScenario", "NexusSim", "NexusResults",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "NexusCLITests",
            dependencies: [
                "nexus-sim", "NexusResults", "CSQLite",
                // A loopback upstream for the live commands (load, gate --live).
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ]
)
