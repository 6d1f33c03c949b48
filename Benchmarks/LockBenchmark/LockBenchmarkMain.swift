import BenchmarkSupport
import Foundation
import NIOCore
import NIOPosix
import RESP
import RedisLock

/// Runs the lock library against its references side by side, alternating, on one private
/// server: redis-py's `Lock` (through `python/redis_py_lock_bench.py`) and the round-trip
/// limit measured by `redis-benchmark`. Ours runs in the `library-user` program, once on
/// Swift's default executor (what a service gets) and once with NIO as the global executor
/// (what `lockwatch` gets). Started by `scripts/benchmark-lock.sh`.
@main
enum LockBenchmark {
    static func main() async {
        // An executable may take over the global executor; a library never does.
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        do {
            if CommandLine.arguments.count > 1, CommandLine.arguments[1] == FairContenderChild.command {
                try await FairContenderChild.run(Array(CommandLine.arguments.dropFirst(2)))
                return
            }
            try await run()
        } catch {
            FileHandle.standardError.write(Data("lock-benchmark: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run() async throws {
        let options = try LockBenchmarkOptions(arguments: CommandLine.arguments)
        let configuration = RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: options.port))
        let client = RedisClient(configuration: configuration)
        let server = ServerProbe(connection: try await RedisConnection.connect(configuration))
        let limit = RoundTripLimit(port: options.port)
        let redisPy = RedisPyPeer(python: options.python, script: options.peerScript, port: options.port)
        for script in [Diagnostics.acquire, Diagnostics.release] {  // for redis-benchmark's EVALSHA
            _ = try await server.connection.send("SCRIPT", "LOAD", script.source)
        }

        print("lock benchmark: \(options.rounds) round(s) on 127.0.0.1:\(options.port); " +
              "(a) \(options.sequentialCycles) cycles, (b) \(options.concurrentCycles) cycles over 64 tasks, " +
              "(c) \(options.handOffSeconds) s of \(options.contenders) contenders holding \(options.holdMilliseconds) ms; " +
              "(f) the fair lock beside Locker, the same contention in tasks and in processes, and uncontended server cost")
        let context = Context(options: options, client: client, user: LibraryUserProcess(port: options.port), server: server, limit: limit, redisPy: redisPy)
        var table = LockResultTable()
        var fairTable = FairResultTable()
        for round in 1 ... options.rounds {
            print("round \(round)/\(options.rounds)…")
            // Odd rounds run ours first, even rounds the references first: whatever runs first
            // in a round tends to be a little slower, and this cancels it out over the rounds.
            let forward = round % 2 == 1
            if options.cases.contains("a") { try await context.sequential(forward: forward, into: &table) }
            if options.cases.contains("b") { try await context.concurrent(forward: forward, into: &table) }
            if options.cases.contains("c") { try await context.handOff(forward: forward, into: &table) }
            if options.cases.contains("f") { try await context.fairComparison(round: round, forward: forward, into: &fairTable) }
        }
        print()
        if options.cases.contains(where: { "abc".contains($0) }) {
            print(table.render(holdMilliseconds: options.holdMilliseconds, contenders: options.contenders))
        }
        if !fairTable.isEmpty {
            print()
            print(fairTable.render(holdMilliseconds: options.holdMilliseconds, contenders: options.contenders))
        }
        await client.shutdown()
        await server.connection.close()
    }
}

/// What every case needs.
struct Context: Sendable {
    let options: LockBenchmarkOptions
    let client: RedisClient
    let user: LibraryUserProcess
    let server: ServerProbe
    let limit: RoundTripLimit
    let redisPy: RedisPyPeer

    /// Ours, run by `library-user` on `executor`.
    func ours(_ workload: String, _ executor: ExecutorConfiguration, _ arguments: [String]) async throws -> CycleMeasurement {
        try await server.measure(cycles: .scripts) { CycleMeasurement(try await user.run(workload, executor: executor, arguments)) }
    }

    /// (a) one task, sequential: ours (both executors), redis-py, the limits and the diagnostics.
    func sequential(forward: Bool, into table: inout LockResultTable) async throws {
        let cycles = options.sequentialCycles
        let a = try await inOrder(forward, [
            { try await ours("lock-sequential", .default, ["--requests", String(cycles)]) },
            { try await server.measure(cycles: .redisPy) { try await redisPy.sequential(cycles: options.pythonCycles) } },
            { try await server.measure { try await limit.cyclesPerSecond(clients: 1, requests: cycles * 2) } },
            { try await server.measure { try await Diagnostics.clientPings(client, cycles: cycles) } },
            { try await server.measure(cycles: .scripts) { try await Diagnostics.rawScripts(client, cycles: cycles) } },
            { try await server.measure(cycles: .scripts) { try await limit.scriptCyclesPerSecond(clients: 1, requests: cycles) } },
            { try await ours("lock-sequential", .nio, ["--requests", String(cycles)]) },
        ])
        for (executor, mine) in [(ExecutorConfiguration.default, a[0]), (.nio, a[6])] {
            table.add(.sequentialVersusRedisPy, executor, ours: mine, reference: a[1])
            table.add(.sequentialVersusLimit, executor, ours: mine, reference: a[2])
            table.add(.sequentialVersusScriptLimit, executor, ours: mine, reference: a[5])
        }
        table.addDiagnostic("diagnostic: 2 × PING through `RedisClient.send`", a[3])
        table.addDiagnostic("diagnostic: the 2 lock scripts through `RedisClient.run`, no `Locker`", a[4])
    }

    /// (b) 64 tasks on 64 locks against the round-trip limit and the script-aware limit at 64
    /// connections.
    func concurrent(forward: Bool, into table: inout LockResultTable) async throws {
        let cycles = options.concurrentCycles
        let arguments = ["--tasks", "64", "--requests", String(cycles)]
        let b = try await inOrder(forward, [
            { try await ours("lock-concurrent", .default, arguments) },
            { try await server.measure { try await limit.cyclesPerSecond(clients: 64, requests: cycles * 2) } },
            { try await server.measure { try await limit.scriptCyclesPerSecond(clients: 64, requests: cycles) } },
            { try await ours("lock-concurrent", .nio, arguments) },
        ])
        for (executor, mine) in [(ExecutorConfiguration.default, b[0]), (.nio, b[3])] {
            table.add(.concurrentVersusLimit, executor, ours: mine, reference: b[1])
            table.add(.concurrentVersusScriptLimit, executor, ours: mine, reference: b[2])
        }
    }

    /// (c) and (c2): contenders on one lock, ours and redis-py.
    func handOff(forward: Bool, into table: inout LockResultTable) async throws {
        let hold = Duration.milliseconds(options.holdMilliseconds)
        let window = Duration.seconds(options.handOffSeconds)
        let tasks = options.contenders
        for variant in HandOffVariant.allCases {
            let pause = variant.pauseAfterRelease
            let arguments = [
                "--tasks", String(tasks), "--hold-ms", String(options.holdMilliseconds), "--seconds", String(options.handOffSeconds),
                "--pause-ms", String(Int(pause.seconds * 1000)),
            ]
            let c: [HandOffRun] = try await inOrder(forward, [
                { try await user.run("lock-handoff", executor: .default, arguments) },
                { try await redisPy.handOff(tasks: tasks, hold: hold, window: window, pauseAfterRelease: pause) },
                { try await user.run("lock-handoff", executor: .nio, arguments) },
            ])
            let reference = c[1].analysed(hold: hold, window: window)
            table.add(variant, .default, ours: c[0].analysed(hold: hold, window: window), reference: reference)
            table.add(variant, .nio, ours: c[2].analysed(hold: hold, window: window), reference: reference)
        }
    }
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
    /// Which cases to run, of `a`, `b`, `c` and `f` (`--only ab`).
    var cases: Set<Character> = ["a", "b", "c", "f"]
    var python = ".venv-bench/bin/python"
    var peerScript = "Benchmarks/LockBenchmark/python/redis_py_lock_bench.py"

    init(arguments: [String]) throws {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            guard let value = iterator.next() else { throw BenchmarkError("\(flag) needs a value") }
            switch flag {
            case "--python": python = value
            case "--peer-script": peerScript = value
            case "--only":
                cases = Set(value)
                guard !cases.isEmpty, cases.isSubset(of: ["a", "b", "c", "f"]) else { throw BenchmarkError("--only takes letters of abcf") }
            default:
                guard let number = Int(value), number > 0 else { throw BenchmarkError("\(flag) needs a positive number") }
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
                    throw BenchmarkError("unknown option \(flag); known: --port N --rounds N --scale PERCENT --only abcf --contenders N --hold-ms N --python PATH --peer-script PATH")
                }
            }
        }
    }
}
