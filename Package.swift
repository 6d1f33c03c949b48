// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "lockwatch",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "RESP", targets: ["RESP"]),
        .library(name: "RedisLock", targets: ["RedisLock"]),
        .library(name: "LockWatchUI", targets: ["LockWatchUI"]),
        .library(name: "LocalRedis", targets: ["LocalRedis"]),
        .library(name: "RedisTestSupport", targets: ["RedisTestSupport"]),
        .executable(name: "lockwatch", targets: ["lockwatch"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
    ],
    targets: [
        .target(
            name: "RESP",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "RedisLock",
            dependencies: [
                "RESP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        .systemLibrary(
            name: "CNCursesW",
            path: "Sources/CNCursesW"
        ),
        .target(
            name: "LockWatchUI",
            dependencies: [
                "RESP",
                "RedisLock",
                "CNCursesW",
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "lockwatch",
            dependencies: [
                "RESP",
                "RedisLock",
                "LockWatchUI",
                "LocalRedis",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            swiftSettings: strict
        ),
        // Starts and supervises local redis-server, cluster, Sentinel, Codis and twemproxy
        // processes: used by `lockwatch demo`, the benchmarks and the tests.
        .target(
            name: "LocalRedis",
            swiftSettings: strict
        ),
        // Test-only helpers on top of LocalRedis: the `with…` scopes, throw-away TLS
        // certificates, the TCP fault proxy.
        .target(
            name: "RedisTestSupport",
            dependencies: ["LocalRedis"],
            swiftSettings: strict
        ),
        // Tests by kind. Unit: no server, no process (scripts/test.sh --unit runs only these).
        .testTarget(
            name: "RESPUnitTests",
            dependencies: [
                "RESP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "RedisLockUnitTests",
            dependencies: ["RESP", "RedisLock"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "LockWatchUITests",
            dependencies: ["LockWatchUI", "RedisLock"],
            exclude: ["Golden"],  // the golden screens, read from the source tree by path
            swiftSettings: strict
        ),
        // Integration: the library against real servers and proxies started by the tests.
        .testTarget(
            name: "RESPIntegrationTests",
            dependencies: [
                "RESP",
                "RedisTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "RedisLockIntegrationTests",
            dependencies: [
                "RESP",
                "RedisLock",
                "RedisTestSupport",
                "LockTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // End to end: the lockwatch binary as a user runs it (processes, tmux).
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "RESP",
                "RedisLock",
                "RedisTestSupport",
                "LockTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // Helpers shared by the integration and end-to-end tests (servers with client pools,
        // bounded waits, running the lockwatch binary).
        .target(
            name: "LockTestSupport",
            dependencies: ["RESP", "RedisLock", "RedisTestSupport", .product(name: "Logging", package: "swift-log")],
            path: "Tests/LockTestSupport",
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)

// The DocC plugin is only needed to build the documentation (`scripts/docs.sh` sets
// LOCKWATCH_DOCS=1), so ordinary builds and CI neither resolve nor build it.
if Context.environment["LOCKWATCH_DOCS"] == "1" {
    package.dependencies.append(.package(url: "https://github.com/swiftlang/swift-docc-plugin.git", from: "1.4.0"))
}
