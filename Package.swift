// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "tablekeeper",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tablekeeper", targets: ["tablekeeper"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.100.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibGit2",
            path: "Sources/CLibGit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        .target(name: "CPosixSpawn", path: "Sources/CPosixSpawn"),
        .target(name: "Manifest", dependencies: ["SystemSupport"], swiftSettings: swiftSettings),
        .target(name: "UTCTime", swiftSettings: swiftSettings),
        .target(name: "SystemSupport", dependencies: ["CPosixSpawn"], swiftSettings: swiftSettings),
        .target(
            name: "AWSCore",
            dependencies: [
                "UTCTime", "SystemSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DynamoDBControl",
            dependencies: ["AWSCore", "Manifest"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "GitSource",
            dependencies: [
                "CLibGit2", "SystemSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "StatusLog",
            dependencies: ["Manifest", "UTCTime", "SystemSupport"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TablekeeperConfig",
            dependencies: ["Manifest", "GitSource", "SystemSupport"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Leadership",
            dependencies: [
                "AWSCore", "DynamoDBControl", "UTCTime", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Reconcile",
            dependencies: [
                "Manifest", "DynamoDBControl", "GitSource", "StatusLog", "TablekeeperConfig", "UTCTime",
                "SystemSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DaemonCore",
            dependencies: [
                "AWSCore", "Reconcile", "SystemSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "tablekeeper",
            dependencies: [
                "Manifest", "AWSCore", "DynamoDBControl", "GitSource", "StatusLog", "Reconcile", "TablekeeperConfig",
                "DaemonCore", "SystemSupport", "Leadership",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "aws-round-trip",
            dependencies: [
                "AWSCore", "DynamoDBControl",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Benchmarks/AWSRoundTrip",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "git-poll",
            dependencies: ["GitSource", .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/GitPoll",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "tablekeeper-fuzz",
            dependencies: ["AWSCore", "Manifest", "StatusLog", "TablekeeperConfig"],
            path: "Fuzz",
            exclude: ["corpus"],
            swiftSettings: swiftSettings
        ),
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: swiftSettings),
        .testTarget(name: "SystemSupportTests", dependencies: ["SystemSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ManifestTests",
            dependencies: ["Manifest", "TestSupport"],
            resources: [.copy("Corpus")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TablekeeperConfigTests",
            dependencies: ["TablekeeperConfig", "Manifest", "GitSource", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ReconcileTests",
            dependencies: ["Reconcile", "StatusLog", "UTCTime", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StatusLogTests",
            dependencies: ["StatusLog", "UTCTime", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GitSourceTests",
            dependencies: ["GitSource", "TestSupport"],
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DaemonCoreTests",
            dependencies: ["DaemonCore", "TestSupport", .product(name: "Prometheus", package: "swift-prometheus")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TablekeeperTests",
            dependencies: ["StatusLog", "TestSupport", "DaemonCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LeadershipTests",
            dependencies: ["Leadership", "AWSCore", "DynamoDBControl"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AWSCoreTests",
            dependencies: ["AWSCore", "DynamoDBControl", "TestSupport"],
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
    ]
)
