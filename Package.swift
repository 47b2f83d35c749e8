// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Simpul",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "simpul", targets: ["simpul"]),
        .library(name: "SimpulCore", targets: ["SimpulCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/leaf.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/leaf-kit.git", from: "1.14.3"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/yaslab/CSV.swift.git", from: "2.5.2"),
    ],
    targets: [
        // Debian's libqrencode (apt-get install libqrencode-dev); no QR encoder of our own.
        .systemLibrary(name: "CQRencode", pkgConfig: "libqrencode",
                       providers: [.apt(["libqrencode-dev"])]),
        // Pure rules: no I/O, no Vapor.
        .target(name: "SimpulCore"),
        // The e-KTA member card: QR codes through libqrencode, the card as SVG.
        .target(name: "SimpulCard", dependencies: ["SimpulCore", "CQRencode"]),
        .target(
            name: "SimpulServer",
            dependencies: [
                "SimpulCore",
                "SimpulCard",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "LeafKit", package: "leaf-kit"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CSV", package: "CSV.swift"),
            ],
            resources: [.copy("Resources")]
        ),
        .executableTarget(name: "simpul", dependencies: ["SimpulServer"]),
        // Pure-rule benchmarks (seat allocation, planner); see bench/run.sh.
        .executableTarget(name: "simpul-bench", dependencies: ["SimpulCore"]),
        .testTarget(name: "SimpulCoreTests", dependencies: ["SimpulCore"]),
        .testTarget(name: "SimpulCardTests", dependencies: ["SimpulCard"]),
        .testTarget(
            name: "SimpulServerTests",
            dependencies: [
                "SimpulServer",
                .product(name: "VaporTesting", package: "vapor"),
            ]
        ),
    ]
)
