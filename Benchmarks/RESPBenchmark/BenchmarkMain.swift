import Foundation
import Histogram
import NIOCore
import NIOPosix
import RESP

/// Runs our client and `redis-benchmark` side by side against one private server and prints
/// commands/s, the ratio and latency percentiles. Started by `scripts/benchmark-resp.sh`.
@main
enum RESPBenchmark {
    static func main() async throws {
        // An executable may take over the global executor; a library never does.
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        let options = try BenchmarkOptions(arguments: CommandLine.arguments)
        let connection = try await RedisConnection.connect(
            RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: options.port)))
        let peer = RedisBenchmarkTool(port: options.port)

        var table = ResultTable()
        for round in 1 ... options.rounds {
            print("round \(round)/\(options.rounds)…")
            let sequential = try await Workloads.sequential(connection, requests: options.sequentialRequests)
            let sequentialPeer = try peer.run(clients: 1, pipeline: 1, requests: options.sequentialRequests)
            table.add("(a) 1 task, sequential", ours: sequential, peer: sequentialPeer, peerName: "redis-benchmark -c 1")

            let concurrent = try await Workloads.concurrent(connection, tasks: 64, requests: options.concurrentRequests)
            let concurrentPeer = try peer.run(clients: 64, pipeline: 1, requests: options.concurrentRequests)
            table.add("(b) 64 tasks, one connection", ours: concurrent, peer: concurrentPeer, peerName: "redis-benchmark -c 64")

            let batched = try await Workloads.batches(connection, size: 16, requests: options.batchRequests)
            let batchedPeer = try peer.run(clients: 1, pipeline: 16, requests: options.batchRequests)
            table.add("(c) batches of 16, 1 task", ours: batched, peer: batchedPeer, peerName: "redis-benchmark -c 1 -P 16")
        }
        print()
        print(table.render())
        await connection.close()
    }
}

/// Command-line options of the benchmark.
struct BenchmarkOptions {
    var port = 6379
    var rounds = 3
    var sequentialRequests = 30_000
    var concurrentRequests = 300_000
    var batchRequests = 400_000

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
            default: throw BenchmarkError("unknown option \(flag); known: --port N --rounds N --scale PERCENT")
            }
        }
    }
}

/// A benchmark failure with a message.
struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
