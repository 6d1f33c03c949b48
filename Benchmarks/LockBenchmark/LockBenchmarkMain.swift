import Foundation
import Logging
import NIOCore
import NIOPosix
import RESP
import RedisLock

/// Runs the lock library against its references side by side, alternating, on one private
/// server: redis-py's `Lock` (through `python/redis_py_lock_bench.py`) and the round-trip
/// limit measured by `redis-benchmark`. Started by `scripts/benchmark-lock.sh`.
@main
enum LockBenchmark {
    static func main() async {
        // An executable may take over the global executor; a library never does.
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        do {
            try await run()
        } catch {
            FileHandle.standardError.write(Data("lock-benchmark: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run() async throws {
        let options = try LockBenchmarkOptions(arguments: CommandLine.arguments)
        let configuration = RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: options.port))
        var logger = Logger(label: "lock-benchmark")
        logger.logLevel = .error  // the private server has no persistence on purpose: no warning
        let client = RedisClient(configuration: configuration)
        let locker = try Locker(client: client, logger: logger)
        let server = ServerProbe(connection: try await RedisConnection.connect(configuration))
        let limit = RoundTripLimit(port: options.port)
        let redisPy = RedisPyPeer(python: options.python, script: options.peerScript, port: options.port)
        for script in [Diagnostics.acquire, Diagnostics.release] {  // for redis-benchmark's EVALSHA
            _ = try await server.connection.send("SCRIPT", "LOAD", script.source)
        }

        print("lock benchmark: \(options.rounds) round(s) on 127.0.0.1:\(options.port); " +
              "(a) \(options.sequentialCycles) cycles, (b) \(options.concurrentCycles) cycles over 64 tasks, " +
              "(c) \(options.handOffSeconds) s of \(options.contenders) contenders holding \(options.holdMilliseconds) ms")
        let context = Context(options: options, client: client, locker: locker, server: server, limit: limit, redisPy: redisPy)
        var table = LockResultTable()
        for round in 1 ... options.rounds {
            print("round \(round)/\(options.rounds)…")
            // Odd rounds run ours first, even rounds the references first: whatever runs first
            // in a round tends to be a little slower, and this cancels it out over the rounds.
            let forward = round % 2 == 1
            if options.cases.contains("a") { try await context.sequential(forward: forward, into: &table) }
            if options.cases.contains("b") { try await context.concurrent(forward: forward, into: &table) }
            if options.cases.contains("c") { try await context.handOff(forward: forward, into: &table) }
        }
        print()
        print(table.render(holdMilliseconds: options.holdMilliseconds, contenders: options.contenders))
        await client.shutdown()
        await server.connection.close()
    }
}

/// What every case needs.
struct Context: Sendable {
    let options: LockBenchmarkOptions
    let client: RedisClient
    let locker: Locker
    let server: ServerProbe
    let limit: RoundTripLimit
    let redisPy: RedisPyPeer

    /// (a) one task, sequential: ours, redis-py, the limits and the diagnostics.
    func sequential(forward: Bool, into table: inout LockResultTable) async throws {
        let cycles = options.sequentialCycles
        let a = try await inOrder(forward, [
            { try await server.measure { try await LockWorkloads.sequential(locker, cycles: cycles) } },
            { try await server.measure { try await redisPy.sequential(cycles: options.pythonCycles) } },
            { try await server.measure { try await limit.cyclesPerSecond(clients: 1, requests: cycles * 2) } },
            { try await server.measure { try await Diagnostics.clientPings(client, cycles: cycles) } },
            { try await server.measure { try await Diagnostics.rawScripts(client, cycles: cycles) } },
            { try await server.measure { try await limit.scriptCyclesPerSecond(clients: 1, requests: cycles) } },
        ])
        table.add(.sequentialVersusRedisPy, ours: a[0], reference: a[1])
        table.add(.sequentialVersusLimit, ours: a[0], reference: a[2])
        table.add(.sequentialVersusScriptLimit, ours: a[0], reference: a[5])
        table.addDiagnostic("diagnostic: 2 × PING through `RedisClient.send`", a[3])
        table.addDiagnostic("diagnostic: the 2 lock scripts through `RedisClient.run`, no `Locker`", a[4])
    }

    /// (b) 64 tasks on 64 locks against the round-trip limit and the script-aware limit at 64
    /// connections.
    func concurrent(forward: Bool, into table: inout LockResultTable) async throws {
        let cycles = options.concurrentCycles
        let b = try await inOrder(forward, [
            { try await server.measure { try await LockWorkloads.concurrent(locker, tasks: 64, cycles: cycles) } },
            { try await server.measure { try await limit.cyclesPerSecond(clients: 64, requests: cycles * 2) } },
            { try await server.measure { try await limit.scriptCyclesPerSecond(clients: 64, requests: cycles) } },
        ])
        table.add(.concurrentVersusLimit, ours: b[0], reference: b[1])
        table.add(.concurrentVersusScriptLimit, ours: b[0], reference: b[2])
    }

    /// (c) and (c2): contenders on one lock, ours and redis-py.
    func handOff(forward: Bool, into table: inout LockResultTable) async throws {
        let hold = Duration.milliseconds(options.holdMilliseconds)
        let window = Duration.seconds(options.handOffSeconds)
        let tasks = options.contenders
        for variant in HandOffVariant.allCases {
            let pause = variant.pauseAfterRelease
            let c = try await inOrder(forward, [
                { try await LockWorkloads.handOff(locker, tasks: tasks, hold: hold, window: window, pauseAfterRelease: pause) },
                { try await redisPy.handOff(tasks: tasks, hold: hold, window: window, pauseAfterRelease: pause) },
            ])
            table.add(variant, ours: c[0].analysed(hold: hold, window: window), reference: c[1].analysed(hold: hold, window: window))
        }
    }
}

/// Runs `runs` one after the other, forwards or backwards, and returns the results in the
/// order given.
func inOrder<T: Sendable>(
    isolation: isolated (any Actor)? = #isolation, _ forward: Bool, _ runs: [() async throws -> T]
) async throws -> [T] {
    var results: [T?] = Array(repeating: nil, count: runs.count)
    for index in forward ? Array(runs.indices) : runs.indices.reversed() {
        results[index] = try await runs[index]()
    }
    return results.map { $0! }
}

/// Command-line options of the benchmark.
struct LockBenchmarkOptions {
    var port = 6379
    var rounds = 3
    var sequentialCycles = 8_000
    var pythonCycles = 3_000
    var concurrentCycles = 48_000
    var handOffSeconds = 3
    var holdMilliseconds = 2
    var contenders = 8
    /// Which cases to run, of `a`, `b` and `c` (`--only ab`).
    var cases: Set<Character> = ["a", "b", "c"]
    var python = ".venv-bench/bin/python"
    var peerScript = "Benchmarks/LockBenchmark/python/redis_py_lock_bench.py"

    init(arguments: [String]) throws {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            guard let value = iterator.next() else { throw LockBenchmarkError("\(flag) needs a value") }
            switch flag {
            case "--python": python = value
            case "--peer-script": peerScript = value
            case "--only":
                cases = Set(value)
                guard !cases.isEmpty, cases.isSubset(of: ["a", "b", "c"]) else { throw LockBenchmarkError("--only takes letters of abc") }
            default:
                guard let number = Int(value), number > 0 else { throw LockBenchmarkError("\(flag) needs a positive number") }
                switch flag {
                case "--port": port = number
                case "--rounds": rounds = number
                case "--contenders": contenders = number
                case "--hold-ms": holdMilliseconds = number
                case "--scale":
                    sequentialCycles = max(1_000, sequentialCycles * number / 100)
                    pythonCycles = max(1_000, pythonCycles * number / 100)
                    concurrentCycles = max(6_400, concurrentCycles * number / 100)
                    handOffSeconds = max(1, handOffSeconds * number / 100)
                default:
                    throw LockBenchmarkError("unknown option \(flag); known: --port N --rounds N --scale PERCENT --only abc --contenders N --hold-ms N --python PATH --peer-script PATH")
                }
            }
        }
    }
}

/// A benchmark failure with a message.
struct LockBenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
