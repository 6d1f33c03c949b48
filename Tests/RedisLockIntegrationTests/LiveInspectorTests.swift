import Foundation
import RESP
import RedisLock
import RedisTestSupport
import Synchronization
import Testing
import LockTestSupport

/// The live inspector against real servers: one scan, then the change stream.
@Suite("Live inspector")
struct LiveInspectorTests {
    static let noAudit = ForceRelease.Audit(streamKey: nil, logFile: nil)

    /// RESP2 gets the invalidations as pub/sub messages with an array payload; RESP3 as pushes.
    @Test(arguments: ["2", "3"])
    func everyChangeKindArrivesFromTheStreamInOrderWithoutARescan(protocolVersion: String) async throws {
        try await withLockServer { pool, _ in
            let admin = try RedisClient(url: "redis://127.0.0.1:\(pool.server.port)?protocol=\(protocolVersion)")
            defer { Task { await admin.shutdown() } }
            _ = try await admin.send("SET", "lock:before", "early", "PX", 30_000)
            let log = EventLog()
            let live = LiveInspector(inspector: LockInspector(client: admin, selection: .prefix("lock:")), sweepInterval: .seconds(3600), onEvent: log.add)
            defer { Task { await live.stop() } }
            let first = try await live.refresh()
            #expect(first.mode == .live)
            #expect(first.locks.map(\.key) == ["lock:before"])
            #expect(first.events.isEmpty)

            // redis-py tokens (uuid1): the holder is the node the MAC names.
            _ = try await admin.send("SET", "lock:a", "6f1c9a2e8b3d11ef9a3f0242ac120002", "PX", 30_000)
            try await log.waitFor(.acquired, "lock:a")
            _ = try await admin.send("PEXPIRE", "lock:a", 90_000)
            try await log.waitFor(.extended, "lock:a")
            _ = try await admin.send("SET", "lock:a", "7a2d0b3f9c4e11ef8b4f0242ac120099", "PX", 30_000)
            try await log.waitFor(.holderChanged, "lock:a")
            _ = try await admin.send("DEL", "lock:a")
            try await log.waitFor(.released, "lock:a")
            _ = try await admin.send("SET", "lock:b", "short", "PX", 1_000)
            try await log.waitFor(.acquired, "lock:b")
            try await log.waitFor(.expired, "lock:b")
            // A foreign format appearing: a Redisson hash, written with its TTL in one turn.
            for result in try await admin.send(batch: [
                RESPCommand("HSET", "lock:r", "8743c9c0-0795-4907-87fd-6c719a6b4586:1", "1"),
                RESPCommand("PEXPIRE", "lock:r", 30_000),
            ]) { _ = try result.get() }
            try await log.waitFor(.acquired, "lock:r")
            let snapshot = try await live.refresh()
            let redisson = try #require(snapshot.locks.first { $0.key == "lock:r" })
            #expect(redisson.format == .redisson)
            let toRelease = try #require(snapshot.locks.first { $0.key == "lock:before" })
            guard case .released = await live.forceRelease(toRelease, audit: Self.noAudit) else {
                Issue.record("the force-release did not happen")
                return
            }
            try await log.waitFor(.forceReleased, "lock:before")

            let expected: [(LockEvent.Kind, String)] = [
                (.acquired, "lock:a"), (.extended, "lock:a"), (.holderChanged, "lock:a"), (.released, "lock:a"),
                (.acquired, "lock:b"), (.expired, "lock:b"), (.acquired, "lock:r"), (.forceReleased, "lock:before"),
            ]
            let seen = log.events.filter { $0.kind != .extended || $0.key == "lock:a" }
            #expect(seen.map(\.kind) == expected.map(\.0), "\(log.summary)")
            #expect(seen.map(\.key) == expected.map(\.1), "\(log.summary)")
            #expect(seen.allSatisfy { $0.source == .stream })
            #expect(seen.first { $0.kind == .holderChanged }?.owner == "node 02:42:ac:12:00:99")
            #expect(seen.first { $0.kind == .released }?.owner == "node 02:42:ac:12:00:99")
            #expect(live.fullScans == 1, "a change was found by rescanning, not by the stream")
            let last = try await live.refresh()
            #expect(last.scannedKeys == 0 && last.locks.map(\.key) == ["lock:r"])
        }
    }

    @Test(arguments: [false, true])
    func aLostStreamConnectionRescansAndLosesNothing(killTracker: Bool) async throws {
        try await withLockServer { _, admin in
            for key in ["lock:kept", "lock:doomed"] { _ = try await admin.send("SET", key, "v", "PX", 60_000) }
            let log = EventLog()
            let live = LiveInspector(inspector: LockInspector(client: admin, selection: .prefix("lock:")), sweepInterval: .seconds(3600), onEvent: log.add)
            defer { Task { await live.stop() } }
            _ = try await live.refresh()
            let ids = try #require(live.streamClientIDs.first)
            _ = try await admin.send("CLIENT", "KILL", "ID", killTracker ? ids.tracker : ids.subscriber)
            // Changes while no stream listens: only the rescan can find them.
            _ = try await admin.send("SET", "lock:gap", "g", "PX", 60_000)
            _ = try await admin.send("DEL", "lock:doomed")
            var rescan: InspectionSnapshot?
            let rescanned = try await eventually(timeout: .seconds(10), interval: .milliseconds(20)) {
                let snapshot = try await live.refresh()
                if snapshot.events.contains(where: { $0.kind == .rescanned }) { rescan = snapshot }
                return rescan != nil
            }
            #expect(rescanned, "no rescan after the stream's connection was killed")
            let events = try #require(rescan).events
            #expect(events.first?.kind == .rescanned)
            #expect(events.first?.detail?.contains("lost") == true, "\(String(describing: events.first?.detail))")
            #expect(events.contains { $0.kind == .acquired && $0.key == "lock:gap" }, "\(events)")
            #expect(events.contains { $0.kind == .released && $0.key == "lock:doomed" }, "\(events)")
            #expect(Set(try #require(rescan).locks.map(\.key)) == ["lock:kept", "lock:gap"])
            #expect(live.fullScans == 2)
            // The stream is back.
            _ = try await admin.send("SET", "lock:after", "a", "PX", 60_000)
            try await log.waitFor(.acquired, "lock:after")
            #expect(log.events.last?.source == .stream)
        }
    }

    /// The null payload of a flush: `$-1` in a RESP2 message, `_` in a RESP3 push.
    @Test(arguments: ["2", "3"])
    func flushAllRescans(protocolVersion: String) async throws {
        try await withLockServer { pool, _ in
            let admin = try RedisClient(url: "redis://127.0.0.1:\(pool.server.port)?protocol=\(protocolVersion)")
            defer { Task { await admin.shutdown() } }
            _ = try await admin.send("SET", "lock:x", "v", "PX", 60_000)
            let live = LiveInspector(inspector: LockInspector(client: admin, selection: .prefix("lock:")), sweepInterval: .seconds(3600))
            defer { Task { await live.stop() } }
            _ = try await live.refresh()
            _ = try await admin.send("FLUSHALL")
            var events: [LockEvent] = []
            let rescanned = try await eventually(timeout: .seconds(10), interval: .milliseconds(20)) {
                events += try await live.refresh().events
                return events.contains { $0.kind == .rescanned }
            }
            #expect(rescanned)
            #expect(events.contains { $0.kind == .rescanned && $0.detail?.contains("FLUSHALL") == true }, "\(events)")
            #expect(events.contains { $0.kind == .released && $0.key == "lock:x" }, "\(events)")
        }
    }

    @Test func aMatchGlobTracksItsLiteralPrefixAndFiltersTheRest() async throws {
        try await withLockServer { _, admin in
            _ = try await admin.send("SET", "lock:job:1:b", "skip", "PX", 60_000)
            _ = try await admin.send("SET", "lock:job:1:a", "take", "PX", 60_000)
            let log = EventLog()
            let inspector = LockInspector(client: admin, selection: .glob("lock:job:*:a"))
            #expect(LiveInspector.trackedPrefixes(inspector.selection) == ["lock:job:"])
            let live = LiveInspector(inspector: inspector, sweepInterval: .seconds(3600), onEvent: log.add)
            defer { Task { await live.stop() } }
            #expect(try await live.refresh().locks.map(\.key) == ["lock:job:1:a"])
            _ = try await admin.send("SET", "lock:job:2:b", "skip", "PX", 60_000)
            _ = try await admin.send("SET", "lock:other", "skip", "PX", 60_000)
            _ = try await admin.send("SET", "lock:job:2:a", "take", "PX", 60_000)
            try await log.waitFor(.acquired, "lock:job:2:a")
            #expect(try await eventually { live.isSettled })
            #expect(log.events.map(\.key) == ["lock:job:2:a"], "\(log.summary)")
            #expect(Set(try await live.refresh().locks.map(\.key)) == ["lock:job:1:a", "lock:job:2:a"])
        }
    }

    @Test func theVerificationSweepFindsNothingTheStreamMissed() async throws {
        try await withLockServer { pool, admin in
            let live = LiveInspector(inspector: LockInspector(client: admin, selection: .prefix("lock:")), sweepInterval: .milliseconds(300))
            defer { Task { await live.stop() } }
            _ = try await live.refresh()
            // Churn of every kind on many keys, through the library and raw commands.
            let locker = try pool.locker(owner: "churn")
            var leases: [LockLease] = []
            for index in 0 ..< 40 {
                if let lease = try await locker.tryLock("job:\(index)", ttl: .seconds(30)).lease { leases.append(lease) }
                _ = try await admin.send("SET", "lock:raw:\(index)", "holder-\(index)", "PX", index % 3 == 0 ? 100 : 30_000)
            }
            for (index, lease) in leases.enumerated() where index % 2 == 0 { _ = try await locker.unlock(lease) }
            for (index, lease) in leases.enumerated() where index % 4 == 1 { _ = try await locker.extend(lease, ttl: .seconds(90)) }
            for index in stride(from: 1, to: 40, by: 4) { _ = try await admin.send("SET", "lock:raw:\(index)", "other", "PX", 30_000) }
            // The short ones have expired (EXISTS expires them lazily if the cycle has not yet).
            let shortKeys = stride(from: 0, to: 40, by: 3).filter { $0 % 4 != 1 }.map { "lock:raw:\($0)" }
            #expect(try await Self.waitUntilGone(shortKeys, on: admin))
            #expect(try await eventually { live.isSettled })
            let scansBefore = live.fullScans
            let swept = try await eventually(timeout: .seconds(10), interval: .milliseconds(50)) {
                _ = try await live.refresh()
                return live.fullScans > scansBefore
            }
            #expect(swept, "no sweep ran")
            #expect(live.missedBySweep == 0, "the sweep found changes the stream had not reported")
            let table = try await live.refresh().locks
            let scanned = try await LockInspector(client: admin, selection: .prefix("lock:")).refresh().locks
            let current = Dictionary(uniqueKeysWithValues: table.map { ($0.key, $0.value) })
            let fresh = Dictionary(uniqueKeysWithValues: scanned.map { ($0.key, $0.value) })
            let differing = Set(current.keys).union(fresh.keys).filter { current[$0] != fresh[$0] }.sorted()
            #expect(differing.isEmpty, "the live table differs from a fresh scan on \(differing)")
            #expect(current.count == leases.count / 2 + 40 - shortKeys.count)
            for lease in leases { _ = try? await locker.unlock(lease) }
        }
    }

    @Test func rowsOnScreenGetWaitersAndRatesEveryRefreshTheRestAtTheSweep() async throws {
        try await withLockServer { pool, admin in
            let holder = try pool.locker(owner: "holder")
            let waiter = try pool.locker(owner: "waiter")
            let hot = try #require(try await holder.tryLock("hot", ttl: .seconds(30)).lease)
            let cold = try #require(try await holder.tryLock("cold", ttl: .seconds(30)).lease)
            let live = LiveInspector(inspector: LockInspector(client: admin, selection: .prefix("lock:")), sweepInterval: .seconds(3600))
            defer { Task { await live.stop() } }
            _ = try await live.refresh()
            live.setOnScreen([Array(hot.keys.lock.utf8)])
            let waitingHot = Task { try await waiter.lock("hot", ttl: .seconds(5), wait: .seconds(20)) }
            let waitingCold = Task { try await waiter.lock("cold", ttl: .seconds(5), wait: .seconds(20)) }
            defer { waitingHot.cancel(); waitingCold.cancel() }
            var snapshot = try await live.refresh()
            let counted = try await eventually(timeout: .seconds(5), interval: .milliseconds(20)) {
                snapshot = try await live.refresh()
                return snapshot.locks.first { $0.key == hot.keys.lock }?.waiters == 1
            }
            #expect(counted, "the waiter on the row on screen was not counted")
            #expect(try await admin.send("PUBSUB", "NUMSUB", cold.keys.channel).decode(as: [String: Int].self)[cold.keys.channel] == 1, "the off-screen waiter is not there")
            #expect((snapshot.locks.first { $0.key == cold.keys.lock }?.waiters ?? 0) == 0, "off screen: counted at the sweep's pace")
            #expect(live.fullScans == 1)
            // Acquisitions of a row on screen become a rate.
            let churner = try pool.locker(owner: "churn")
            let first = try #require(try await churner.tryLock("busy", ttl: .seconds(30)).lease)
            let busyKey = first.keys.lock
            live.setOnScreen([Array(busyKey.utf8)])
            #expect(try await eventually { live.isSettled })
            _ = try await live.refresh()  // the first sample of its fence counter
            var held = first
            var rate: Double?
            let rated = try await eventually(timeout: .seconds(10), interval: .milliseconds(20)) {
                // Hand the lock over a few times, then look at the row (held, so it is shown).
                for _ in 0 ..< 3 {
                    _ = try await churner.unlock(held)
                    held = try #require(try await churner.tryLock("busy", ttl: .seconds(30)).lease)
                }
                rate = try await live.refresh().locks.first { $0.key == busyKey }?.acquisitionsPerSecond
                return (rate ?? 0) > 0
            }
            #expect(rated, "no acquisition rate for the row on screen: \(String(describing: rate))")
            #expect(live.fullScans == 1)
        }
    }

    @Test func changesSignalNewsAsItArrives() async throws {
        try await withLockServer { _, admin in
            let live = LiveInspector(inspector: LockInspector(client: admin, selection: .prefix("lock:")), sweepInterval: .seconds(3600))
            defer { Task { await live.stop() } }
            _ = try await live.refresh()
            let news = live.changes()
            _ = try await admin.send("SET", "lock:news", "v", "PX", 60_000)
            let signalled = try await within(.seconds(5), "a change signal") {
                var iterator = news.makeAsyncIterator()
                return await iterator.next() != nil
            }
            #expect(signalled == true)
            #expect(try await live.refresh().events.map(\.key) == ["lock:news"])
        }
    }

    /// Waits until none of `keys` exists (each EXISTS expires a due key lazily).
    static func waitUntilGone(_ keys: [String], on client: RedisClient) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if try await client.send(RESPCommand("EXISTS", keys)).decode(as: Int.self) == 0 { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    @Test func withoutCLIENTItSweepsWithinTheBudgetAndSaysWhy() async throws {
        try await withLockServer { pool, admin in
            try await addViewer(admin)
            _ = try await admin.send("SET", "lock:seen", "v", "PX", 60_000)
            let viewer = try RedisClient(url: "redis://viewer:viewpw@127.0.0.1:\(pool.server.port)")
            defer { Task { await viewer.shutdown() } }
            let live = LiveInspector(inspector: LockInspector(client: viewer, selection: .prefix("lock:")))
            defer { Task { await live.stop() } }
            let first = try await live.refresh()
            guard case .sweeping(let reason) = first.mode else {
                Issue.record("mode \(String(describing: first.mode)) for a user denied CLIENT")
                return
            }
            #expect(reason.contains("NOPERM") || reason.lowercased().contains("permission"), "\(reason)")
            #expect(first.notes.contains(reason))
            #expect(first.locks.map(\.key) == ["lock:seen"])
            // INFO is denied too: the load is estimated from request timing (an upper bound).
            #expect(first.load?.measure == .requestTiming)
            // The row on screen is re-read by the next refresh, sweep or not.
            live.setOnScreen([Array("lock:seen".utf8)])
            _ = try await admin.send("DEL", "lock:seen")
            let second = try await live.refresh()
            #expect(second.locks.isEmpty)
            #expect(second.events.contains { $0.kind == .released && $0.key == "lock:seen" })
            #expect(second.notes.contains(reason))
        }
    }

    @Test func everyPrimaryOfAClusterStreams() async throws {
        try await withRedisCluster { cluster in
            let client = try RedisClusterClient(url: cluster.url)
            defer { Task { await client.shutdown() } }
            let log = EventLog()
            let live = LiveInspector(inspector: LockInspector(servers: .cluster(client), selection: .prefix("lock:")), sweepInterval: .seconds(3600), onEvent: log.add)
            defer { Task { await live.stop() } }
            _ = try await live.refresh()
            #expect(live.streamClientIDs.count == 3)
            let keys = (0 ..< 24).map { "lock:{job:\($0)}" }
            for key in keys { _ = try await client.send(routedBy: key, "SET", key, "w", "PX", "60000") }
            for key in keys { try await log.waitFor(.acquired, key) }
            #expect(live.fullScans == 1)
            let snapshot = try await live.refresh()
            let nodes = Set(snapshot.locks.compactMap { lock -> String? in
                if case .node(let node) = lock.placement { node } else { nil }
            })
            #expect(nodes.count == 3, "the keys did not spread over the three primaries: \(nodes)")
        }
    }
}

/// The events a live inspector reported, in order.
final class EventLog: Sendable {
    private let storage = Mutex<[LockEvent]>([])

    var events: [LockEvent] { storage.withLock { $0 } }
    var summary: String { events.map { "\($0.kind.rawValue) \($0.key)" }.joined(separator: ", ") }

    @Sendable func add(_ event: LockEvent) {
        storage.withLock { $0.append(event) }
    }

    /// Waits until an event of `kind` for `key` arrived.
    func waitFor(_ kind: LockEvent.Kind, _ key: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let arrived = try await eventually(timeout: .seconds(10)) { self.events.contains { $0.kind == kind && $0.key == key } }
        #expect(arrived, "no \(kind.rawValue) event for \(key); got: \(summary)", sourceLocation: sourceLocation)
    }
}
