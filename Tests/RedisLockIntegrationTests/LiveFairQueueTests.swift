import Foundation
import RESP
import RedisLock
import RedisTestSupport
import Synchronization
import Testing
import LockTestSupport

/// Live mode and the lock kinds' auxiliary keys: a change to a fair lock's `:queue` (or a
/// read-write lock's `:expiries`) alone refreshes the lock's row from the change stream,
/// without a rescan, and tells the dashboard there is news.
@Suite("Live inspector and fair queues")
struct LiveFairQueueTests {
    @Test func aWaiterJoiningAndLeavingTheQueueUpdatesTheRowWithoutARescan() async throws {
        try await withLockServer { pool, admin in
            let (holder, _) = try pool.fairLocker(owner: "holder")
            let (waiter, _) = try pool.fairLocker(owner: "waiter")
            let held = try await holder.lock("payroll", ttl: .seconds(60), wait: .zero)
            let live = LiveInspector(inspector: LockInspector(client: admin, selection: .prefix("lock:")), sweepInterval: .seconds(3600))
            defer { Task { await live.stop() } }
            let first = try await live.refresh()
            #expect(first.mode == .live)
            let row = try #require(first.locks.first { $0.kind?.kind == .fair })
            #expect(row.kind?.queueLength == 0)
            let news = Mutex(0)
            let watcher = Task {
                for await _ in live.changes() { news.withLock { $0 += 1 } }
            }
            defer { watcher.cancel() }

            // Only the queue's keys change: the lock's own value and TTL stay as they are.
            let waiting = Task { try await waiter.lock("payroll", ttl: .seconds(30), wait: .seconds(60)) }
            var seen: InspectedLock?
            let joined = try await eventually(timeout: .seconds(10), interval: .milliseconds(20)) {
                seen = try await live.refresh().locks.first { $0.keyBytes == row.keyBytes }
                return seen?.kind?.queueLength == 1
            }
            #expect(joined, "the row never showed the waiter: \(String(describing: seen?.kind))")
            #expect(seen?.kind?.queueHead?.owner == "waiter")
            #expect(seen?.token == held.token, "the holder did not change")
            #expect(news.withLock { $0 } > 0, "the dashboard was not told")
            #expect(live.fullScans == 1, "the queue was found by rescanning, not by the stream")

            waiting.cancel()
            _ = try? await waiting.value
            let left = try await eventually(timeout: .seconds(10), interval: .milliseconds(20)) {
                try await live.refresh().locks.first { $0.keyBytes == row.keyBytes }?.kind?.queueLength == 0
            }
            #expect(left, "the row still shows the waiter that gave up")
            #expect(live.fullScans == 1)
            #expect(try await holder.unlock(held))
        }
    }

    @Test func aReadersExpiryChangeRefreshesTheReadWriteRow() async throws {
        try await withLockServer { pool, admin in
            let rw = try ReadWriteLocker(try pool.locker(owner: "reader"))
            let lease = try await rw.reading.lock("catalog", ttl: .seconds(60), wait: .seconds(5))
            let live = LiveInspector(inspector: LockInspector(client: admin, selection: .prefix("lock:")), sweepInterval: .seconds(3600))
            defer { Task { await live.stop() } }
            let row = try #require(try await live.refresh().locks.first { $0.kind?.kind == .readWrite })
            let before = try #require(row.kind?.readers.first?.ttlMilliseconds)
            #expect(before > 50_000)
            // Only the expiries ZSET changes: the reader's lease now ends within 10 s.
            let now = try await admin.send("TIME").decode(as: [String].self)
            let nowMilliseconds = Int64(now[0])! * 1000 + Int64(now[1])! / 1000
            _ = try await admin.send("ZADD", lease.keys.lock + ":expiries", nowMilliseconds + 10_000, "r:" + lease.token)
            var seen: Int64?
            let updated = try await eventually(timeout: .seconds(10), interval: .milliseconds(20)) {
                seen = try await live.refresh().locks.first { $0.keyBytes == row.keyBytes }?.kind?.readers.first?.ttlMilliseconds
                return (seen ?? .max) <= 10_000
            }
            #expect(updated, "the reader's TTL stayed \(String(describing: seen)) ms")
            #expect(live.fullScans == 1)
        }
    }
}
