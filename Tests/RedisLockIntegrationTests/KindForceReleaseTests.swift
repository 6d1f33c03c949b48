import Foundation
import RESP
import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// Force-release of one holder of a read-write lock or semaphore: only that holder's field,
/// only if it still holds what the operator saw, out of `:expiries`, waiters woken, audited.
@Suite("Force-release per holder")
struct KindForceReleaseTests {
    private let audit = ForceRelease.Audit(streamKey: "lock:lockwatch:audit", logFile: nil, operatorName: "ops", host: "test")

    /// Every field and value of every audit entry, one list.
    private func auditText(_ admin: RedisClient) async throws -> [String] {
        let entries = try await admin.send("XRANGE", "lock:lockwatch:audit", "-", "+").decode(as: [[RESPToken]].self)
        return try entries.flatMap { entry in try entry.last.map { try [String](fromRESP: $0) } ?? [] }
    }

    @Test func releasesOneReaderAndLeavesTheOthers() async throws {
        try await withLockServer { pool, admin in
            let rw = try ReadWriteLocker(try pool.locker(owner: "reader"))
            let first = try await rw.reading.lock("catalog", ttl: .seconds(60), wait: .seconds(5))
            let second = try await rw.reading.lock("catalog", ttl: .seconds(30), wait: .seconds(5))
            let inspector = LockInspector(client: admin, selection: .prefix("lock:"))
            let row = try #require(try await inspector.refresh().locks.first)
            let target = try #require(row.kind?.readers.first { $0.token == first.token })

            let outcome = await inspector.forceRelease(row, expecting: .holder(field: target.field, value: target.value), audit: audit)
            guard case .released = outcome else { Issue.record("expected released, got \(outcome)"); return }
            let fields = try await HolderKindTesting.hash(admin, first.keys.lock)
            #expect(fields["r:" + first.token] == nil)
            #expect(fields["r:" + second.token] != nil, "the other reader keeps its share")
            #expect(try await HolderKindTesting.score(admin, first.keys.lock + ":expiries", "r:" + first.token) == nil)
            // The key now expires with the remaining reader (30 s), not the released one (60 s).
            let ttl = try await admin.send("PTTL", first.keys.lock).decode(as: Int64.self)
            #expect(ttl > 0 && ttl <= 30_000, "PTTL \(ttl)")
            #expect(try await rw.reading.unlock(first) == false, "the released reader no longer holds")
            #expect(try await rw.reading.unlock(second))
            #expect(try await admin.send("EXISTS", first.keys.lock, first.keys.lock + ":expiries").decode(as: Int.self) == 0)
            let entries = try await auditText(admin)
            #expect(entries.contains("force-release") && entries.contains("holder_field") && entries.contains("r:" + first.token))
        }
    }

    @Test func aHolderThatChangedIsRefusedAndAudited() async throws {
        try await withLockServer { pool, admin in
            let semaphore = try Semaphore(try pool.locker(owner: "batch"))
            let lease = try await semaphore.permits(3).lock("exports", ttl: .seconds(60), wait: .seconds(5))
            let inspector = LockInspector(client: admin, selection: .prefix("lock:"))
            let row = try #require(try await inspector.refresh().locks.first)
            let holder = try #require(row.kind?.holders.first)
            let field = "h:" + lease.token
            _ = try await admin.send("HSET", lease.keys.lock, field, "{\"v\":1,\"kind\":\"semaphore\",\"changed\":true}")

            let outcome = await inspector.forceRelease(row, expecting: .holder(field: holder.field, value: holder.value), audit: audit)
            guard case .changedHands = outcome else { Issue.record("expected changedHands, got \(outcome)"); return }
            #expect(try await HolderKindTesting.hash(admin, lease.keys.lock)[field] != nil, "nothing deleted")
            #expect(try await HolderKindTesting.score(admin, lease.keys.lock + ":expiries", field) != nil)
            #expect(try await auditText(admin).contains("force-release-refused"))
        }
    }

    @Test func releasingAPermitWakesAWaiterAtOnce() async throws {
        try await withLockServer { pool, admin in
            let holder = try Semaphore(try pool.locker(owner: "holder"))
            let waiter = try Semaphore(try pool.locker(owner: "waiter", retryBackoff: .seconds(20) ... .seconds(20)))
            let held = try await holder.permits(1).lock("single", ttl: .seconds(60), wait: .seconds(5))
            let started = ContinuousClock.now
            let waiting = Task { try await waiter.permits(1).lock("single", ttl: .seconds(30), wait: .seconds(30)) }
            let inspector = LockInspector(client: admin, selection: .prefix("lock:"))
            // Wait until the waiter listens on the release channel.
            let listening = try await eventually(timeout: .seconds(10)) {
                try await inspector.refresh().locks.first { $0.key == held.keys.lock }?.waiters == 1
            }
            try #require(listening, "the waiter never subscribed")
            let row = try #require(try await inspector.refresh().locks.first { $0.key == held.keys.lock })
            let permit = try #require(row.kind?.holders.first)
            let outcome = await inspector.forceRelease(row, expecting: .holder(field: permit.field, value: permit.value), audit: audit)
            guard case .released = outcome else { Issue.record("expected released, got \(outcome)"); return }
            let next = try await waiting.value
            // Its retry backoff is 20 s: only the wake-up brings it in sooner.
            #expect(ContinuousClock.now - started < .seconds(15), "the waiter was not woken")
            #expect(next.token != held.token)
        }
    }
}
