import BenchmarkSupport
import Foundation
import RESP
import RedisLock

/// Case (f): the fair lock beside today's `Locker`, in one run, alternating: 8 contenders
/// (tasks sharing one locker in this process, and separate processes: this program started
/// again as `fair-contender` children), 2 ms holds. Plus the uncontended server cost per
/// cycle of `Locker`, `FairLocker` and redis-py (issue 16 part 5).
extension Context {
    func fairComparison(round: Int, forward: Bool, into table: inout FairResultTable) async throws {
        let cost = ServerCost(connection: server.connection)
        // Each run returns its measurement rather than appending to a captured `var`: closures
        // sharing mutable captured boxes sent the optimiser's mandatory AllocBoxToStack pass
        // into a combinatorial specialisation that never finished in release builds.
        var runs: [() async throws -> FairMeasurement] = []
        for mode in ContentionMode.allCases {
            for kind in ContendedKind.allCases {
                runs.append {
                    .contended(kind, mode, try await contended(kind, mode, name: "bench:fair:\(round):\(kind.rawValue):\(mode.rawValue)", cost: cost))
                }
            }
        }
        let cycles = options.pythonCycles
        for kind in UncontendedKind.allCases {
            runs.append { .uncontended(kind.label, try await uncontendedCost(kind, cycles: cycles, cost: cost)) }
        }
        runs.append {
            try await cost.reset()
            _ = try await redisPy.sequential(cycles: cycles)
            return .uncontended("redis-py Lock", try await cost.microsecondsPerCycle(of: .redisPy) ?? 0)
        }
        for measurement in try await inOrder(forward, runs) {
            switch measurement {
            case .contended(let kind, let mode, let result): table.add(kind, mode, result)
            case .uncontended(let label, let value): table.addUncontended(label, value)
            }
        }
    }

    /// One contended run of `kind` in `mode`.
    private func contended(_ kind: ContendedKind, _ mode: ContentionMode, name: String, cost: ServerCost) async throws -> FairRunResult {
        let hold = Duration.milliseconds(options.holdMilliseconds)
        let window = Duration.seconds(options.handOffSeconds)
        let contenders = options.contenders
        try await cost.reset()
        let run: ContenderRun
        switch mode {
        case .tasks:
            let start = monotonicNanoseconds() + 200_000_000
            run = try await kind.run(on: client, name: name, index: 0, hold: hold, start: start, end: start + window.nanoseconds, tasks: contenders)
        case .processes:
            let start = monotonicNanoseconds() + 3_000_000_000  // the children start and connect first
            let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
            let end: Int64 = start + window.nanoseconds
            let common: [String] = [FairContenderChild.command, kind.rawValue, "\(options.port)", name]
            let timing: [String] = ["\(options.holdMilliseconds)", "\(start)", "\(end)"]
            let arguments: @Sendable (Int) -> [String] = { index in common + ["\(index)"] + timing }
            run = try await withThrowingTaskGroup(of: ContenderRun.self) { group in
                for index in 0 ..< contenders {
                    group.addTask {
                        let text = try await runProcess(executable, arguments(index))
                        guard let line = text.split(separator: "\n").last else { throw BenchmarkError("a fair-contender child printed nothing") }
                        return try JSONDecoder().decode(ContenderRun.self, from: Data(line.utf8))
                    }
                }
                var all = ContenderRun()
                for try await part in group { all.merge(part) }
                return all
            }
        }
        let perCycle = try await cost.microsecondsPerCycle(ServerCost.scripts, cycles: run.intervals.count)
        return FairRunResult(run, hold: hold, window: window, serverMicrosecondsPerCycle: perCycle)
    }

    /// Uncontended acquire + release cycles of `kind` in this process: server µs per cycle.
    private func uncontendedCost(_ kind: UncontendedKind, cycles: Int, cost: ServerCost) async throws -> Double {
        let configuration = LockConfiguration(owner: "bench:uncontended", acceptedRisks: [.noPersistence])
        let name = "bench:uncontended:\(kind.rawValue)"
        let locker = try Locker(client: client, configuration: configuration)
        switch kind {
        case .locker: return try await Self.cycle(locker, name, cycles, cost)
        case .fair: return try await Self.cycle(try FairLocker(client: client, configuration: configuration), name, cycles, cost)
        case .read: return try await Self.cycle(try ReadWriteLocker(locker).reading, name, cycles, cost)
        case .write: return try await Self.cycle(try ReadWriteLocker(locker).writing, name, cycles, cost)
        case .permit:
            let semaphore = try Semaphore(locker)
            _ = try await semaphore.setPermits(name, to: 5)
            return try await Self.cycle(semaphore.permits(5), name, cycles, cost)
        }
    }

    private static func cycle<Lock: DistributedLock>(_ lock: Lock, _ name: String, _ cycles: Int, _ cost: ServerCost) async throws -> Double {
        for _ in 0 ..< 100 { _ = try await lock.unlock(try await lock.lock(name, ttl: .seconds(10), wait: .zero, token: nil)) }  // warm-up
        try await cost.reset()
        for _ in 0 ..< cycles { _ = try await lock.unlock(try await lock.lock(name, ttl: .seconds(10), wait: .zero, token: nil)) }
        return try await cost.microsecondsPerCycle(ServerCost.scripts, cycles: cycles)
    }
}

/// One figure of case (f): a contended run, or the uncontended server cost of one lock kind.
enum FairMeasurement: Sendable {
    case contended(ContendedKind, ContentionMode, FairRunResult)
    case uncontended(String, Double)
}

/// The lock kinds whose uncontended server cost case (f) measures (issue 16 part 5).
enum UncontendedKind: String, Sendable, CaseIterable {
    case locker, fair, read, write, permit

    var label: String {
        switch self {
        case .locker: "Locker"
        case .fair: "FairLocker"
        case .read: "ReadWriteLocker, a read share"
        case .write: "ReadWriteLocker, the write lock"
        case .permit: "Semaphore, one permit of 5"
        }
    }
}

/// Where the contenders of case (f) run.
enum ContentionMode: String, Sendable, CaseIterable {
    case tasks, processes

    var label: String {
        switch self {
        case .tasks: "tasks in one process"
        case .processes: "separate processes"
        }
    }
}

/// `lock-benchmark fair-contender KIND PORT NAME INDEX HOLD_MS START_NS END_NS`: one
/// contender of case (f) in a process of its own; prints its ``ContenderRun`` as JSON.
enum FairContenderChild {
    static let command = "fair-contender"

    static func run(_ arguments: [String]) async throws {
        guard arguments.count == 7, let kind = ContendedKind(rawValue: arguments[0]), let port = Int(arguments[1]),
              let index = Int(arguments[3]), let hold = Int(arguments[4]), let start = Int64(arguments[5]), let end = Int64(arguments[6]) else {
            throw BenchmarkError("usage: lock-benchmark \(command) locker|fair PORT NAME INDEX HOLD_MS START_NS END_NS")
        }
        let client = RedisClient(configuration: RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: port)))
        _ = try await client.send("PING")
        let run = try await kind.run(on: client, name: arguments[2], index: index, hold: .milliseconds(hold), start: start, end: end, tasks: 1)
        await client.shutdown()
        print(String(decoding: try JSONEncoder().encode(run), as: UTF8.self))
    }
}
