import BenchmarkSupport
import Foundation

/// Runs our client and `redis-benchmark` side by side against one private server, alternating
/// within each round, and prints commands/s, latency percentiles and the median of the
/// per-round ratios. Ours runs in the `library-user` program, once on Swift's default executor
/// (what a service gets) and once with NIO as the global executor (what `lockwatch` gets).
/// Started by `scripts/benchmark-resp.sh`.
@main
enum RESPBenchmark {
    static func main() async {
        do {
            try await run(try BenchmarkOptions(arguments: CommandLine.arguments))
        } catch {
            FileHandle.standardError.write(Data("resp-benchmark: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run(_ options: BenchmarkOptions) async throws {
        let user = LibraryUserProcess(port: options.port)
        let reference = RedisBenchmarkTool(port: options.port)
        var cases = [
            SideBySideCase(
                name: "(a) 1 task, sequential", reference: "redis-benchmark -c 1", target: 0.6,
                ours: ExecutorConfiguration.allCases.map { executor in
                    Variant(name: "`RedisClient.send`, \(executor.label)") {
                        try await user.run("ping-sequential", executor: executor, ["--requests", String(options.sequentialRequests)])
                    }
                } + [Variant(name: "caller isolated to the `RedisConnection` (tuned), NIO as global executor") {
                    try await user.run("ping-sequential-isolated", executor: .nio, ["--requests", String(options.sequentialRequests)])
                }],
                measureReference: { try await reference.ping(clients: 1, requests: options.sequentialRequests) }),
            SideBySideCase(
                name: "(b) 64 tasks, one connection", reference: "redis-benchmark -c 64", target: 1.3,
                ours: ExecutorConfiguration.allCases.map { executor in
                    Variant(name: "`RedisClient.send`, \(executor.label)") {
                        try await user.run("ping-concurrent", executor: executor, ["--tasks", "64", "--requests", String(options.concurrentRequests)])
                    }
                },
                measureReference: { try await reference.ping(clients: 64, requests: options.concurrentRequests) }),
            SideBySideCase(
                name: "(c) batches of 16, 1 task", reference: "redis-benchmark -c 1 -P 16", target: 0.5,
                ours: ExecutorConfiguration.allCases.map { executor in
                    Variant(name: "`RedisClient.send(batch:)`, \(executor.label)") {
                        try await user.run("ping-batches", executor: executor, ["--batch", "16", "--requests", String(options.batchRequests)])
                    }
                },
                measureReference: { try await reference.ping(clients: 1, pipeline: 16, requests: options.batchRequests) }),
            SideBySideCase(
                name: "(d) opt-in: 1 task, sequential, caller prefers the connection's loop", reference: "redis-benchmark -c 1", target: nil,
                ours: [Variant(name: "`RedisClient.send` in `withTaskExecutorPreference(connection.taskExecutor)`, default executor") {
                    try await user.run("ping-sequential-preferred", executor: .default, ["--requests", String(options.sequentialRequests)])
                }],
                measureReference: { try await reference.ping(clients: 1, requests: options.sequentialRequests) }),
            SideBySideCase(
                name: "(e) opt-in: lock cycles, 1 task, caller prefers the connection's loop", reference: "`tryLock` + `unlock` as written, default executor", target: nil,
                ours: [Variant(name: "`tryLock` + `unlock` in `withTaskExecutorPreference(connection.taskExecutor)`, default executor") {
                    try await user.run("lock-sequential-preferred", executor: .default, ["--requests", String(options.lockCycles)])
                }],
                measureReference: { try await user.run("lock-sequential", executor: .default, ["--requests", String(options.lockCycles)]) }),
        ]
        var hops: [ExecutorConfiguration: [Double]] = [:]
        for round in 1 ... options.rounds {
            say("round \(round)/\(options.rounds)…")
            for index in cases.indices { try await cases[index].measureRound(forward: round % 2 == 1) }
            for executor in ExecutorConfiguration.allCases {
                let hop: Throughput = try await user.run("hop", executor: executor, ["--requests", "200000"])
                hops[executor, default: []].append(hop.p50Microseconds ?? 0)
            }
        }
        say("")
        say(SideBySideCase.tableHeader)
        for item in cases { say(item.tableRows()) }
        say("")
        for executor in ExecutorConfiguration.allCases {
            say(String(format: "floor: one hop between a task and an actor on a NIO event loop, %@: p50 %.1f µs (median of rounds)",
                       executor.label, Statistics.median(hops[executor] ?? [])))
        }
    }
}

/// Command-line options of the benchmark.
struct BenchmarkOptions {
    var port = 6379
    var rounds = 3
    var sequentialRequests = 30_000
    var concurrentRequests = 300_000
    var batchRequests = 400_000
    var lockCycles = 8_000

    init(arguments: [String]) throws {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            guard let value = iterator.next(), let number = Int(value), number > 0 else {
                throw BenchmarkError("\(flag) needs a positive number")
            }
            switch flag {
            case "--port": port = number
            case "--rounds": rounds = number
            case "--scale":
                sequentialRequests = sequentialRequests * number / 100
                concurrentRequests = concurrentRequests * number / 100
                batchRequests = batchRequests * number / 100
                lockCycles = lockCycles * number / 100
            default: throw BenchmarkError("unknown option \(flag); known: --port N --rounds N --scale PERCENT")
            }
        }
    }
}
