import BenchmarkSupport
import Foundation
import Logging
import RESP
import RedisLock
import LocalRedis
import Synchronization

/// Through Codis against straight to a codis-server, side by side in one run on one real
/// Codis 3.2 (two groups): lock cycles/s, the hand-off gap (through Codis waiters poll; on
/// the codis-server they are woken by pub/sub), and `list` of N locks (SLOTSSCAN through the
/// proxy, and SCAN on each codis-server with the reads through the proxy, against SCAN of
/// each codis-server read there). Every round measures each side once, in alternating order.
///
/// Usage: proxy-benchmark [--rounds N] [--cycles N] [--handoffs N] [--locks N]
@main
struct ProxyBenchmarkMain {
    static func main() async throws {
        let options = Options(CommandLine.arguments.dropFirst())
        LoggingSystem.bootstrap { _ in SwiftLogNoOpLogHandler() }
        let codis = try await CodisCluster.start(groups: 2)
        do {
            say("Codis 3.2, 2 groups; \(options.rounds) rounds, \(options.cycles) lock cycles, \(options.handOffs) hand-offs, \(options.locks) locks")
            let direct = codis.server(for: "lock:{bench}").url
            var cases = [
                SideBySideCase(
                    name: "lock cycles (tryLock + unlock), 1 task", reference: "codis-server", target: nil,
                    ours: [Variant(name: "through Codis") { try await Self.lockCycles(url: codis.url, options.cycles) }],
                    measureReference: { try await Self.lockCycles(url: direct, options.cycles) }),
                SideBySideCase(
                    name: "hand-off gap (release → waiter holds; /s = 1 ÷ mean gap)", reference: "codis-server, pub/sub", target: nil,
                    ours: [Variant(name: "through Codis, polling") { try await Self.handOffs(url: codis.url, options.handOffs) }],
                    measureReference: { try await Self.handOffs(url: direct, options.handOffs) }),
            ]
            try await Self.populate(codis, locks: options.locks)
            let servers = codis.servers.map(\.url)
            cases.append(SideBySideCase(
                name: "list \(options.locks) locks (locks/s)", reference: "SCAN of each codis-server", target: nil,
                ours: [
                    Variant(name: "SLOTSSCAN through Codis") { try await Self.list(url: codis.url, scanNodes: [], options.locks) },
                    Variant(name: "--scan-node, reads through Codis") { try await Self.list(url: codis.url, scanNodes: servers, options.locks) },
                ],
                measureReference: { try await Self.listEachServer(servers, options.locks) }))
            for round in 0 ..< options.rounds {
                say("round \(round + 1)")
                for index in cases.indices { try await cases[index].measureRound(forward: round % 2 == 0) }
            }
            say("")
            say(SideBySideCase.tableHeader)
            for benchmarkCase in cases { say(benchmarkCase.tableRows()) }
        } catch {
            await codis.stop()
            throw error
        }
        await codis.stop()
    }

    /// The benchmark's settings from the command line.
    struct Options {
        var rounds = 3, cycles = 2000, handOffs = 100, locks = 100_000

        init(_ arguments: ArraySlice<String>) {
            var iterator = arguments.makeIterator()
            while let name = iterator.next() {
                let value = iterator.next().flatMap { Int($0) }
                switch (name, value) {
                case ("--rounds", let value?): rounds = value
                case ("--cycles", let value?): cycles = value
                case ("--handoffs", let value?): handOffs = value
                case ("--locks", let value?): locks = value
                default:
                    FileHandle.standardError.write(Data("usage: proxy-benchmark [--rounds N] [--cycles N] [--handoffs N] [--locks N]\n".utf8))
                    exit(64)
                }
            }
        }
    }

    static let configuration = LockConfiguration(owner: "bench", acceptedRisks: [.noPersistence])

    /// `body` with a client on `url`, shut down after.
    static func withClient<T>(_ url: String, _ body: (RedisClient) async throws -> T) async throws -> T {
        let client = try RedisClient(url: url)
        do {
            let result = try await body(client)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }

    /// `count` sequential acquire + release cycles of one lock.
    static func lockCycles(url: String, _ count: Int) async throws -> Throughput {
        try await withClient(url) { client in
            let locker = try Locker(client: client, configuration: configuration)
            return try await measureEach(count, warmUp: 50) {
                guard let lease = try await locker.tryLock("bench", ttl: .seconds(10)).lease else { throw BenchmarkError("the lock was held") }
                _ = try await locker.unlock(lease)
            }
        }
    }

    /// `count` hand-offs from a holder to a waiter on another client (the holder keeps the
    /// lock 5-40 ms after the waiter starts); the gap from release sent to the waiter holding.
    static func handOffs(url: String, _ count: Int) async throws -> Throughput {
        try await withClient(url) { holderClient in
            try await withClient(url) { waiterClient in
                let holder = try Locker(client: holderClient, configuration: configuration)
                let waiter = try Locker(client: waiterClient, configuration: configuration)
                var gaps = LatencyRecorder()
                var total = Duration.zero
                for _ in 0 ..< count {
                    let lease = try await holder.lock("bench", ttl: .seconds(10), wait: .seconds(10))
                    let waiting = Task { () throws -> (LockLease, ContinuousClock.Instant) in
                        let next = try await waiter.lock("bench", ttl: .seconds(10), wait: .seconds(10))
                        return (next, ContinuousClock.now)
                    }
                    try await Task.sleep(for: .milliseconds(Int.random(in: 5 ... 40)))
                    let released = ContinuousClock.now
                    _ = try await holder.unlock(lease)
                    let (next, acquired) = try await waiting.value
                    gaps.record(acquired - released)
                    total += acquired - released
                    _ = try await waiter.unlock(next)
                }
                return gaps.measurement(operations: count, elapsed: total)
            }
        }
    }

    /// `locks` Go-layout locks (`DUSEPK_REDIS_LOCK_<i>` = a token, 1 h TTL) through the proxy,
    /// spread over every slot, and as many other keys.
    static func populate(_ codis: CodisCluster, locks: Int) async throws {
        try await withClient(codis.url) { client in
            var start = 0
            while start < locks {
                var batch = RESPCommandBatch(capacity: 1 << 20)
                for index in start ..< min(locks, start + 5000) {
                    batch.append("SET", "DUSEPK_REDIS_LOCK_job:\(index)", "token-\(index)", "EX", 3600)
                    batch.append("SET", "cache:\(index)", "value-\(index)")
                }
                for reply in try await client.send(batch: batch) { _ = try reply.get() }
                start += 5000
            }
        }
        say("populated \(locks) locks and \(locks) other keys")
    }

    /// `list` through the proxy: SLOTSSCAN, or SCAN on `scanNodes`; locks per second.
    static func list(url: String, scanNodes: [String], _ locks: Int) async throws -> Throughput {
        try await withClient(url) { client in
            let nodes = try scanNodes.map { try RedisClient(url: $0) }
            defer { Task { for node in nodes { await node.shutdown() } } }
            let inspector = LockInspector(servers: .single(client), selection: .prefix("DUSEPK_REDIS_LOCK_"), scanNodes: nodes)
            return try await timedList(locks) { count in _ = try await inspector.scan { rows, _ in count.add(rows.count) } }
        }
    }

    /// `list` of each codis-server, read there, side by side; locks per second.
    static func listEachServer(_ urls: [String], _ locks: Int) async throws -> Throughput {
        let clients = try urls.map { try RedisClient(url: $0) }
        defer { Task { for client in clients { await client.shutdown() } } }
        return try await timedList(locks) { count in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for client in clients {
                    group.addTask {
                        let inspector = LockInspector(client: client, selection: .prefix("DUSEPK_REDIS_LOCK_"))
                        _ = try await inspector.scan { rows, _ in count.add(rows.count) }
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    /// Times `body`, which counts the rows it lists; fails unless it listed `locks`.
    static func timedList(_ locks: Int, _ body: (RowCount) async throws -> Void) async throws -> Throughput {
        let count = RowCount()
        let start = ContinuousClock.now
        try await body(count)
        let elapsed = ContinuousClock.now - start
        guard count.value == locks else { throw BenchmarkError("listed \(count.value) locks, expected \(locks)") }
        return Throughput(perSecond: Double(locks) / elapsed.seconds)
    }
}

/// Rows counted from the inspector's streaming callback (any task).
final class RowCount: Sendable {
    private let count = Atomic<Int>(0)

    /// Adds `rows`.
    func add(_ rows: Int) {
        count.add(rows, ordering: .relaxed)
    }

    /// The rows so far.
    var value: Int { count.load(ordering: .relaxed) }
}
