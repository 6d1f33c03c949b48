import Foundation
import RESP
import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// The inspector against a real server, with locks made by this library and by the raw
/// commands other libraries use.
@Suite("Inspector")
struct InspectorTests {
    @Test func recognisesEveryFormatAndHidesHelperKeys() async throws {
        try await withLockServer { pool, admin in
            let locker = try pool.locker(owner: "web-7:4121")
            let lease = try #require(try await locker.tryLock("orders:42", ttl: .seconds(30)).lease)
            let writes = [
                RESPCommand("SET", "DUSEPK_REDIS_LOCK_order_sync", "tok-8f3a9c", "EX", 30),
                RESPCommand("SET", "report:monthly", "6f1c9a2e8b3d11ef9a3f0242ac120002", "PX", 30_000),
                RESPCommand("SET", "lock:job", "web-3", "PX", 30_000),
                RESPCommand("LPUSH", "lock-signal:job", "1"),
                RESPCommand("HSET", "invoice:{9}", "b1f5c3c2-1a2b-4c3d-8e9f-0123456789ab:57", "1"),
                RESPCommand("PEXPIRE", "invoice:{9}", 30_000),
                RESPCommand("SET", "payments", "3q2+7w==3q2+7w==3q2+7w==", "PX", 30_000),
                RESPCommand("SET", "redlock:cart", "0b6a4b43-2f0e-4d5c-9a43-5d2e0c3f1a7e", "PX", 30_000),
                RESPCommand("SET", "legacy", "migrator-2019"),
                RESPCommand("HSET", "somehash", "a", "1"),
            ]
            for result in try await admin.send(batch: writes) { _ = try result.get() }

            let inspector = LockInspector(client: admin, selection: .glob("*"))
            let snapshot = try await inspector.refresh()
            let byKey = Dictionary(uniqueKeysWithValues: snapshot.locks.map { ($0.key, $0) })

            let own = try #require(byKey[lease.keys.lock])
            #expect(own.format == .lockwatch)
            #expect(own.owner == "web-7:4121")
            #expect(own.token == lease.token)
            #expect(own.fence == lease.fence)
            #expect((own.ttlMilliseconds ?? 0) > 29_000)
            #expect(own.ageMilliseconds(at: snapshot.serverTimeMilliseconds).map { $0 < 5_000 } == true)
            #expect(byKey["DUSEPK_REDIS_LOCK_order_sync"]?.format == .goLegacy)
            #expect(byKey["DUSEPK_REDIS_LOCK_order_sync"]?.token == "tok-8f3a9c")
            #expect(byKey["report:monthly"]?.format == .redisPy)
            #expect(byKey["report:monthly"]?.owner == "node 02:42:ac:12:00:02")
            #expect(byKey["lock:job"]?.format == .pythonRedisLock)
            #expect(byKey["invoice:{9}"]?.format == .redisson)
            #expect(byKey["payments"]?.format == .redsync)
            #expect(byKey["redlock:cart"]?.format == .pottery)
            #expect(byKey["somehash"]?.format == .unknownHash)
            let stuck = try #require(byKey["legacy"])
            #expect(stuck.format == .unknownString)
            #expect(stuck.isStuck && stuck.ttlMilliseconds == nil)
            // Helper keys feed their lock's row but are not rows themselves.
            #expect(byKey[lease.keys.fence] == nil)
            #expect(byKey["lock-signal:job"] == nil)
            #expect(snapshot.commandCount > 0 && snapshot.roundTrips < snapshot.commandCount)
        }
    }

    @Test func countsWaitersAndReportsEventsBetweenScans() async throws {
        try await withLockServer { pool, admin in
            let holder = try pool.locker(owner: "holder")
            let waiter = try pool.locker(owner: "waiter")
            let lease = try #require(try await holder.tryLock("hot", ttl: .seconds(30)).lease)
            let waiting = Task { try await waiter.lock("hot", ttl: .seconds(5), wait: .seconds(20)) }
            let inspector = LockInspector(client: admin, selection: .prefix("lock:"))
            let deadline = ContinuousClock.now + .seconds(5)
            var waiters = 0
            while waiters == 0 && ContinuousClock.now < deadline {
                waiters = try await inspector.refresh().locks.first { $0.key == lease.keys.lock }?.waiters ?? 0
            }
            #expect(waiters == 1)

            let short = try #require(try await holder.tryLock("short", ttl: .milliseconds(1500)).lease)
            let seen = try await inspector.refresh()
            try #require(seen.locks.contains { $0.key == short.keys.lock }, "the first scan missed the short lock")
            try await holder.unlock(lease)
            let second = try await waiting.value
            while try await admin.send("EXISTS", short.keys.lock).decode(as: Int.self) == 1 {
                try await Task.sleep(for: .milliseconds(20))
            }
            let events = try await inspector.refresh(tolerance: .milliseconds(300)).events
            let kinds = Dictionary(events.map { ($0.key, $0.kind) }, uniquingKeysWith: { first, _ in first })
            #expect(kinds[short.keys.lock] == .expired)
            #expect(kinds[lease.keys.lock] == .acquired)  // the waiter took it over
            try await waiter.unlock(second)
            #expect(try await inspector.refresh().events.contains { $0.key == lease.keys.lock && $0.kind == .released })
        }
    }

    @Test func forceReleaseIsCompareAndDeleteAndAudited() async throws {
        try await withLockServer { pool, admin in
            let locker = try pool.locker(owner: "stuck-worker")
            let lease = try #require(try await locker.tryLock("stuck", ttl: .seconds(60)).lease)
            let inspector = LockInspector(client: admin, selection: .prefix("lock:"))
            let shown = try #require(try await inspector.inspect(keys: [Array(lease.keys.lock.utf8)]).first)
            let logFile = NSTemporaryDirectory() + "lockwatch-audit-\(UUID().uuidString).log"
            defer { try? FileManager.default.removeItem(atPath: logFile) }
            let releaser = ForceRelease(client: admin, audit: .init(streamKey: "lock:lockwatch:audit", logFile: logFile, operatorName: "tester", host: "test-host"))

            // Someone else took the lock after it was shown: nothing is deleted.
            try await locker.unlock(lease)
            let other = try #require(try await locker.tryLock("stuck", ttl: .seconds(60)).lease)
            guard case .changedHands = await releaser.release(key: shown.keyBytes, expecting: .value(shown.value)) else {
                Issue.record("a changed lock was not refused")
                return
            }
            #expect(try await admin.send("GET", other.keys.lock).decode(as: String.self) == other.value)

            // The value now shown is released, and the release is audited in both places.
            guard case .released(let entry?) = await releaser.release(key: shown.keyBytes, expecting: .value(Array(other.value.utf8))) else {
                Issue.record("the shown value was not released")
                return
            }
            #expect(try await admin.send("EXISTS", other.keys.lock).decode(as: Int.self) == 0)
            let stream = try await admin.send("XRANGE", "lock:lockwatch:audit", entry, entry).decode(as: [[RESPToken]].self)
            let fields = try [String](fromRESP: try #require(stream.first?.last))
            #expect(fields.contains("tester") && fields.contains(other.keys.lock) && fields.contains(other.value))
            let log = try String(contentsOfFile: logFile, encoding: .utf8)
            #expect(log.contains("\"operator\":\"tester\"") && log.contains("force-release"))
            guard case .vanished = await releaser.release(key: shown.keyBytes, expecting: .value(shown.value)) else {
                Issue.record("a vanished key was not reported")
                return
            }
        }
    }
}
