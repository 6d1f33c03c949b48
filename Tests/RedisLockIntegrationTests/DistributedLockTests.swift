import RESP
@testable import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// `DistributedLock`: one generic `withLock` and one renewal loop drive `Locker`, `Redlock`
/// and `LegacyLock` alike; `Backoff` is the one retry pause.
@Suite("DistributedLockTests")
struct DistributedLockTests {
    /// Holds `name` on `lock` through the protocol alone: the key is stored while the body runs
    /// and gone afterwards; returns the token and the lease's fencing.
    static func holdOnce<Lock: DistributedLock>(
        _ lock: Lock, _ name: String, stored: @escaping @Sendable (String) async throws -> String?
    ) async throws -> (token: String, fencing: LeaseFencing, after: String?) {
        let key = lock.key(for: name)
        let (token, fencing) = try await lock.withLock(name, ttl: .seconds(5)) { lease in
            #expect(lease.isValid && !lease.isLost && !lease.isReleased)
            #expect(lease.name == name)
            let value = try await stored(key)
            #expect(value?.contains(lease.token) == true, "\(key) holds \(String(describing: value)) while the body runs")
            return (lease.token, lock.fencing(of: lease))
        }
        return (token, fencing, try await stored(key))
    }

    @Test func oneGenericWithLockDrivesALockerAndALegacyLock() async throws {
        try await withLockServer { pool, admin in
            let locker = try pool.locker(owner: "generic")
            let held = try await Self.holdOnce(locker, "generic-record") { try await admin.get($0) }
            guard case .single(let fence) = held.fencing else { Issue.record("a Locker's lease has one fence: \(held.fencing)"); return }
            #expect(fence >= 1)
            #expect(held.after == nil, "withLock did not release the record")

            let legacy = LegacyLock(backend: try pool.client())
            #expect(legacy.key(for: "generic-go") == LockLayout.legacyPrefix + "generic-go")
            let go = try await Self.holdOnce(legacy, "generic-go") { try await admin.get($0) }
            #expect(go.fencing == .none)
            #expect(go.after == nil, "withLock did not release the Go-layout lock")
        }
    }

    @Test func oneGenericWithLockDrivesARedlock() async throws {
        try await withRedlockNodes(3) { nodes in
            let redlock = try nodes.redlock(owner: "generic")
            let held = try await Self.holdOnce(redlock, "generic-set") { key in try await nodes.admins[0].send("GET", key).decode(as: String?.self) }
            guard case .perNode(let fences) = held.fencing else { Issue.record("a Redlock lease has a fence per node: \(held.fencing)"); return }
            #expect(fences.map(\.node) == nodes.servers.map { "127.0.0.1:\($0.port)" })
            #expect(fences.allSatisfy { $0.fence >= 1 })
            #expect(try await nodes.values("generic-set") == [nil, nil, nil])
        }
    }

    /// `LegacyLock.lock(wait:)` refuses at once with no wait, polls while a Go holder holds
    /// the lock, takes it once the Go holder unlocks, and stores the plain token.
    @Test func legacyLockWaitsForAGoHolder() async throws {
        try await withLockServer { pool, admin in
            let legacy = LegacyLock(backend: try pool.client())
            let key = legacy.key(for: "job")
            _ = try await admin.send("SET", key, "go-host-7", "PX", "60000")
            await #expect {
                _ = try await legacy.lock("job", ttl: .seconds(5), wait: .zero, token: nil)
            } throws: { error in
                (error as? LockError)?.code == .notAcquired
            }
            let setsBefore = try await Self.setCalls(admin)
            let waiting = Task { try await legacy.lock("job", ttl: .seconds(5), wait: .seconds(30), token: "swift-host-1") }
            // The waiter has tried (and been refused) at least twice: it is polling.
            #expect(try await eventually(timeout: .seconds(10)) { try await Self.setCalls(admin) >= setsBefore + 2 })
            #expect(try await admin.get(key) == "go-host-7", "the waiter took a lock someone held")
            _ = try await admin.send("DEL", key)  // Go's unlock
            let lease = try #require(try await within(.seconds(10), "the waiter taking the released lock") { try await waiting.value })
            #expect(try await admin.get(key) == "swift-host-1")
            #expect(lease.fence == 0)
            #expect(try await legacy.unlock(lease))
            #expect(try await admin.exists(key) == false)
        }
    }

    /// How many `SET` commands the server has run.
    static func setCalls(_ admin: RedisClient) async throws -> Int {
        let stats = try await admin.send("INFO", "commandstats").decode(as: String.self)
        guard let line = stats.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix("cmdstat_set:") }),
              let calls = line.split(separator: ",").first?.split(separator: "=").last else { return 0 }
        return Int(calls) ?? 0
    }

    /// The shared renewal loop reports a Go-layout lease lost once its key is gone, like a
    /// Locker's.
    @Test func sharedRenewalReportsALegacyLeaseLost() async throws {
        try await withLockServer { pool, admin in
            let legacy = LegacyLock(backend: try pool.client())
            // Long enough that a renewal's reply is not outrun by the validity on a loaded machine.
            let ttl = Duration.seconds(6)
            let lease = try await legacy.lock("renewed", ttl: ttl, wait: .zero, token: nil)
            let renewal = Task { await legacy.keepRenewed(lease, ttl: ttl) }
            defer { renewal.cancel() }
            _ = try await admin.send("DEL", legacy.key(for: "renewed"))
            let loss: LeaseLoss? = try await within(.seconds(8), "keepRenewed noticing the loss") { await renewal.value } ?? nil
            #expect(loss == .expired, "keepRenewed returned \(String(describing: loss))")
            #expect(lease.isLost)
        }
    }

    @Test func backoffDoublesUpToItsCeilingAndJittersBelowIt() {
        let full = Backoff(.milliseconds(5) ... .milliseconds(40), jitter: .full)
        #expect((0 ... 5).map { full.ceiling(after: $0) } == [5, 10, 20, 40, 40, 40].map { Duration.milliseconds($0) })
        #expect(full.ceiling(after: 10_000) == .milliseconds(40))
        let floored = Backoff(full.range, jitter: .aboveFloor)
        for attempts in 0 ..< 200 {
            let ceiling = full.ceiling(after: attempts % 6)
            #expect((.zero ... ceiling).contains(full.pause(after: attempts % 6)))
            #expect((.milliseconds(5) ... ceiling).contains(floored.pause(after: attempts % 6)))
        }
    }
}
