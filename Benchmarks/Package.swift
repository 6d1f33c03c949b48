// swift-tools-version: 6.1
import PackageDescription

// The benchmarks live in a package of their own (as swift-nio's do) that depends on the library
// by path: every figure comes from the public API, used the way a service that adds `RESP` and
// `RedisLock` as dependencies uses it. Built by the scripts/benchmark-*.sh scripts.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "lockwatch-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "lockwatch", path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
    ],
    targets: [
        .target(
            name: "BenchmarkSupport",
            dependencies: [.product(name: "Histogram", package: "hdrhistogram-swift")],
            path: "Support",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "resp-benchmark",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "RESP", package: "lockwatch"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "RESPBenchmark",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "lock-benchmark",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "RESP", package: "lockwatch"),
                .product(name: "RedisLock", package: "lockwatch"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "LockBenchmark",
            exclude: ["python"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "library-user",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "RESP", package: "lockwatch"),
                .product(name: "RedisLock", package: "lockwatch"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "LibraryUser",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "distributed-lock-benchmark",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "RESP", package: "lockwatch"),
                .product(name: "RedisLock", package: "lockwatch"),
                .product(name: "LocalRedis", package: "lockwatch"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "DistributedLockBenchmark",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "inspector-benchmark",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "RESP", package: "lockwatch"),
                .product(name: "RedisLock", package: "lockwatch"),
                .product(name: "LockWatchUI", package: "lockwatch"),
                .product(name: "LocalRedis", package: "lockwatch"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "InspectorBenchmark",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "proxy-benchmark",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "RESP", package: "lockwatch"),
                .product(name: "RedisLock", package: "lockwatch"),
                .product(name: "LocalRedis", package: "lockwatch"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "ProxyBenchmark",
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
