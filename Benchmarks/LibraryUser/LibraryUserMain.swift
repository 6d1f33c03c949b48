import BenchmarkSupport
import Foundation
import Logging
import NIOCore
import NIOPosix
import RESP
import RedisLock

/// A program that uses `RESP` and `RedisLock` the way a service does: `RedisClient(url:)`,
/// `Locker(client:)`, plain `async` calls, nothing set up for speed. It runs one workload
/// against a server and prints its result as one JSON line; the benchmark drivers start it for
/// every measurement of "ours", in both executor configurations, alternating with the
/// references.
///
///     library-user WORKLOAD --port P [--executor default|nio] [--requests N] [--tasks N]
///                  [--batch N] [--hold-ms N] [--seconds N] [--pause-ms N]
///
/// Workloads: ping-sequential, ping-sequential-isolated (the caller isolated to the
/// connection: the tuned way), ping-sequential-preferred and lock-sequential-preferred (the
/// caller prefers the connection's event loop: the opt-in), ping-concurrent, ping-batches,
/// set-del-pairs, lock-sequential, lock-concurrent, lock-handoff, hop.
@main
enum LibraryUser {
    static func main() async {
        do {
            let options = try LibraryUserOptions(arguments: CommandLine.arguments)
            if options.executor == .nio {
                // Only an executable may do this, first thing; `lockwatch` does.
                _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
            }
            let json = try await run(options)
            print(String(decoding: json, as: UTF8.self))
        } catch {
            FileHandle.standardError.write(Data("library-user: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run(_ options: LibraryUserOptions) async throws -> Data {
        let url = "redis://127.0.0.1:\(options.port)"
        var logger = Logger(label: "library-user")
        logger.logLevel = .error  // the private server has no persistence on purpose: no warning
        let encoder = JSONEncoder()
        switch options.workload {
        case "ping-sequential":
            return try encoder.encode(try await PingWorkloads.sequential(try RedisClient(url: url), requests: options.requests))
        case "ping-sequential-isolated":
            let connection = try await RedisConnection.connect(RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: options.port)))
            return try encoder.encode(try await PingWorkloads.sequentialIsolated(connection, requests: options.requests))
        case "ping-concurrent":
            return try encoder.encode(try await PingWorkloads.concurrent(try RedisClient(url: url), tasks: options.tasks, requests: options.requests))
        case "ping-batches":
            return try encoder.encode(try await PingWorkloads.batches(try RedisClient(url: url), size: options.batch, requests: options.requests))
        case "ping-sequential-preferred":
            return try encoder.encode(try await PingWorkloads.sequentialPreferred(try RedisClient(url: url), requests: options.requests))
        case "set-del-pairs":
            return try encoder.encode(try await PingWorkloads.setDeletePairs(try RedisClient(url: url), pairs: options.requests))
        case "lock-sequential":
            let locker = try Locker(client: try RedisClient(url: url), logger: logger)
            return try encoder.encode(try await LockWorkloads.sequential(locker, cycles: options.requests))
        case "lock-sequential-preferred":
            let client = try RedisClient(url: url)
            let locker = try Locker(client: client, logger: logger)
            return try encoder.encode(try await LockWorkloads.sequentialPreferred(locker, client: client, cycles: options.requests))
        case "lock-concurrent":
            let locker = try Locker(client: try RedisClient(url: url), logger: logger)
            return try encoder.encode(try await LockWorkloads.concurrent(locker, tasks: options.tasks, cycles: options.requests))
        case "lock-handoff":
            let locker = try Locker(client: try RedisClient(url: url), logger: logger)
            return try encoder.encode(try await LockWorkloads.handOff(
                locker, tasks: options.tasks, hold: .milliseconds(options.holdMilliseconds), window: .seconds(options.seconds),
                pauseAfterRelease: .milliseconds(options.pauseMilliseconds)))
        case "hop":
            return try encoder.encode(await HopProbe.measure(hops: options.requests))
        default:
            throw BenchmarkError("unknown workload \(options.workload)")
        }
    }
}

/// Command-line options of `library-user`.
struct LibraryUserOptions {
    var workload: String
    var port = 6379
    var executor = ExecutorConfiguration.default
    var requests = 10_000
    var tasks = 64
    var batch = 16
    var holdMilliseconds = 2
    var seconds = 3
    var pauseMilliseconds = 0

    init(arguments: [String]) throws {
        var iterator = arguments.dropFirst().makeIterator()
        guard let workload = iterator.next() else { throw BenchmarkError("give a workload; see LibraryUserMain.swift") }
        self.workload = workload
        while let flag = iterator.next() {
            guard let value = iterator.next() else { throw BenchmarkError("\(flag) needs a value") }
            if flag == "--executor" {
                guard let executor = ExecutorConfiguration(rawValue: value) else { throw BenchmarkError("--executor takes default or nio") }
                self.executor = executor
                continue
            }
            guard let number = Int(value), number >= 0 else { throw BenchmarkError("\(flag) needs a number") }
            switch flag {
            case "--port": port = number
            case "--requests": requests = number
            case "--tasks": tasks = number
            case "--batch": batch = number
            case "--hold-ms": holdMilliseconds = number
            case "--seconds": seconds = number
            case "--pause-ms": pauseMilliseconds = number
            default: throw BenchmarkError("unknown option \(flag)")
            }
        }
    }
}
