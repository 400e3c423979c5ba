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
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
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
        .executableTarget(
            name: "nexus-sim",
            dependencies: [
                "NexusGateway", "NexusResults", "NexusSim", "NexusScenario",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "NexusGatewayTests", dependencies: ["NexusGateway"]),
        .testTarget(name: "NexusScenarioTests", dependencies: ["NexusScenario", .product(name: "Yams", package: "Yams")]),
        .testTarget(name: "NexusSimTests", dependencies: ["NexusSim", "NexusScenario", "CGSL"]),
        .testTarget(name: "NexusResultsTests", dependencies: ["NexusResults", "NexusSim", "NexusScenario", "CSQLite"]),
        .testTarget(name: "NexusCLITests", dependencies: ["nexus-sim", "NexusResults", "CSQLite"]),
    ]
)
