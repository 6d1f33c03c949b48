import Foundation
import RESP
@testable import RedisLock
import RedisTestSupport
import Synchronization
import Testing
import LockTestSupport

/// The fair lock (`FairLocker`) on one real server: mutual exclusion, arrival order with
/// fences increasing in hand-off order, the dead-waiter bound, queue entries removed at once
/// on cancellation and timeout, a crashed holder's lock going to the next waiter, and the
/// storage layout of the contract.
@Suite("Fair lock", .serialized)
struct FairLockTests {
    /// 16 tasks on two lockers (two connections) × 25 acquisitions; a non-atomic counter
    /// is protected by the lock, no sections overlap, fences increase in acquisition order.
    @Test func sixteenTasksNeverOverlap() async throws {
        try await withLockServer { pool, admin in
            let lockers = [try pool.fairLocker(owner: "fair-a").0, try pool.fairLocker(owner: "fair-b").0]
            let counter = UnprotectedCounter()
            let sections = Locked<[FairSection]>([])
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0 ..< 16 {
                    let locker = lockers[index % 2]
                    group.addTask {
                        for _ in 0 ..< 25 {
                            let lease = try await locker.lock("mutex", ttl: .seconds(5), wait: .seconds(60))
                            let start = ContinuousClock.now
                            let value = counter.read()
                            await Task.yield()
                            counter.write(value + 1)
                            sections.withLock { $0.append(FairSection(start: start, end: .now, fence: lease.fence, contender: index)) }
                            guard try await locker.unlock(lease) else { throw LockError(.leaseLost, "a lease expired in a microsecond section") }
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(counter.read() == 16 * 25, "lost updates: two tasks held the lock at once")
            let (overlaps, inversions) = overlapsAndInversions(sections.value)
            #expect(overlaps == 0)
            #expect(inversions == 0)
            let keys = lockers[0].keys(for: "mutex")
            #expect(try await admin.exists(keys.lock.lock) == false)
            #expect(try await admin.queueSizes(keys) == [0, 0, 0], "the queue must be empty after the last hand-off")
        }
    }

    /// Waiters queued one after another on three lockers get the lock in that order, each
    /// by a hand-off from the previous holder, with fences 1, 2, 3, … in that order.
    @Test func handOffFollowsArrivalOrderWithIncreasingFences() async throws {
        try await withLockServer { pool, admin in
            let lockers = try (0 ..< 3).map { try pool.fairLocker(owner: "fair-\($0)").0 }
            let keys = lockers[0].keys(for: "ordered")
            let first = try await lockers[0].lock("ordered", ttl: .seconds(10), wait: .zero)
            let order = Locked<[(Int, Int64)]>([])
            let count = 8
            var waiters: [Task<Void, any Error>] = []
            for index in 0 ..< count {
                let locker = lockers[index % 3]
                waiters.append(Task {
                    let lease = try await locker.lock("ordered", ttl: .seconds(10), wait: .seconds(30))
                    order.withLock { $0.append((index, lease.fence)) }
                    try await Task.sleep(for: .milliseconds(2))
                    _ = try await locker.unlock(lease)
                })
                // The next waiter arrives only once this one is queued.
                #expect(try await eventually { try await admin.zcard(keys.queue) == index + 1 })
            }
            #expect(try await lockers[0].unlock(first))
            for waiter in waiters { try await waiter.value }
            #expect(order.value.map(\.0) == Array(0 ..< count), "acquisition order was not arrival order")
            #expect(order.value.map(\.1) == (0 ..< count).map { first.fence + 1 + Int64($0) }, "fences did not increase in hand-off order")
        }
    }

    /// A waiter whose process stopped renewing (its own connection closed) while queued ahead
    /// of a live one: the release hands the lock to the dead waiter (its deadline has not
    /// passed), with that deadline as TTL, so the live waiter gets it within the deadline.
    @Test func aLockHandedToADeadWaiterReturnsWithinItsDeadline() async throws {
        try await withLockServer { pool, admin in
            let deadline = Duration.milliseconds(800)
            let (holder, _) = try pool.fairLocker(owner: "holder")
            let (doomed, doomedClient) = try pool.fairLocker(owner: "doomed", waiterDeadline: deadline)
            let (live, _) = try pool.fairLocker(owner: "live", waiterDeadline: deadline)
            let keys = holder.keys(for: "dead-waiter")
            let lease = try await holder.lock("dead-waiter", ttl: .seconds(30), wait: .zero)
            let dead = Task { try await doomed.lock("dead-waiter", ttl: .seconds(30), wait: .seconds(30)) }
            #expect(try await eventually { try await admin.zcard(keys.queue) == 1 })
            let survivor = Task { try await live.lock("dead-waiter", ttl: .seconds(30), wait: .seconds(30)) }
            #expect(try await eventually { try await admin.zcard(keys.queue) == 2 })
            await doomedClient.shutdown()  // no more renewals, no clean-up
            let released = ContinuousClock.now
            #expect(try await holder.unlock(lease))
            let handedTo = try #require(try await admin.get(keys.lock.lock))
            #expect(handedTo.contains("\"owner\":\"doomed\""), "the release must hand the lock to the (dead) head: \(handedTo)")
            #expect(try await admin.pttl(keys.lock.lock) <= Int(deadline.milliseconds), "a hand-off lives at most the waiter's deadline until confirmed")
            let next = try #require(try await within(.seconds(5), "the live waiter's acquire") { try await survivor.value })
            let gap = ContinuousClock.now - released
            #expect(gap < deadline + .milliseconds(400), "the dead waiter cost \(gap), more than its deadline \(deadline)")
            #expect(next.fence == lease.fence + 2, "the dead waiter's hand-off took one fence, the live one the next")
            dead.cancel()
            _ = await dead.result
        }
    }

    /// A dead waiter whose deadline passed before the release is skipped at hand-off.
    @Test func aDeadWaiterPastItsDeadlineIsSkipped() async throws {
        try await withLockServer { pool, admin in
            let deadline = Duration.milliseconds(500)
            let (holder, _) = try pool.fairLocker(owner: "holder")
            let (doomed, doomedClient) = try pool.fairLocker(owner: "doomed", waiterDeadline: deadline)
            let (live, _) = try pool.fairLocker(owner: "live", waiterDeadline: deadline)
            let keys = holder.keys(for: "skipped")
            let lease = try await holder.lock("skipped", ttl: .seconds(30), wait: .zero)
            let dead = Task { try await doomed.lock("skipped", ttl: .seconds(30), wait: .seconds(30)) }
            #expect(try await eventually { try await admin.zcard(keys.queue) == 1 })
            let survivor = Task { try await live.lock("skipped", ttl: .seconds(30), wait: .seconds(30)) }
            #expect(try await eventually { try await admin.zcard(keys.queue) == 2 })
            await doomedClient.shutdown()
            // The live waiter's renewals drop the dead entry once its deadline passes.
            #expect(try await eventually(timeout: .seconds(3)) { try await admin.zcard(keys.queue) == 1 })
            let released = ContinuousClock.now
            #expect(try await holder.unlock(lease))
            let next = try #require(try await within(.seconds(5), "the live waiter's acquire") { try await survivor.value })
            let gap = ContinuousClock.now - released
            #expect(gap < .milliseconds(250), "the hand-off to the live waiter took \(gap)")
            #expect(next.fence == lease.fence + 1, "nothing was handed to the dead waiter")
            dead.cancel()
            _ = await dead.result
        }
    }

    /// Cancelling a waiting Task and a wait that times out both remove the queue entry
    /// before `lock` throws.
    @Test func cancellationAndTimeoutRemoveTheEntryAtOnce() async throws {
        try await withLockServer { pool, admin in
            let (holder, _) = try pool.fairLocker(owner: "holder")
            let (waiting, _) = try pool.fairLocker(owner: "waiting", waiterDeadline: .seconds(30))
            let keys = holder.keys(for: "leaving")
            let lease = try await holder.lock("leaving", ttl: .seconds(30), wait: .zero)

            let cancelled = Task { try await waiting.lock("leaving", ttl: .seconds(30), wait: .seconds(30)) }
            #expect(try await eventually { try await admin.queueSizes(keys) == [1, 1, 1] })
            cancelled.cancel()
            guard case .failure(let error) = await cancelled.result else { Issue.record("a cancelled waiter got the lock"); return }
            #expect((error as? LockError)?.code == .cancelled, "\(error)")
            #expect(try await admin.queueSizes(keys) == [0, 0, 0], "the cancelled waiter's entry must be gone when lock throws")

            let timedOut = await lockError { () async throws(LockError) in try await waiting.lock("leaving", ttl: .seconds(30), wait: .milliseconds(300)) }
            #expect(timedOut?.code == .waitTimedOut)
            #expect(try await admin.queueSizes(keys) == [0, 0, 0], "the timed-out waiter's entry must be gone when lock throws")
            #expect(try await holder.unlock(lease))
            #expect(try await admin.exists(keys.lock.lock) == false, "nobody queued: the release leaves the lock free")
        }
    }

    /// A holder that crashed (its connection closed, no release): its lock expires with its
    /// TTL and the waiter's script hands it on at once.
    @Test func aCrashedHoldersLockGoesToTheNextWaiterAtItsTTL() async throws {
        try await withLockServer { pool, admin in
            let (crashing, crashingClient) = try pool.fairLocker(owner: "crashing")
            let (waiting, _) = try pool.fairLocker(owner: "waiting", waiterDeadline: .seconds(10))
            let ttl = Duration.milliseconds(600)
            let lease = try await crashing.lock("crash", ttl: ttl, wait: .zero)
            let acquired = ContinuousClock.now
            await crashingClient.shutdown()
            let next = try await waiting.lock("crash", ttl: .seconds(10), wait: .seconds(10))
            let waited = ContinuousClock.now - acquired
            #expect(waited >= ttl - .milliseconds(50), "the lock was taken before the crashed holder's TTL ended (\(waited))")
            #expect(waited < ttl + .milliseconds(400), "the next waiter got the lock \(waited) after the crash, TTL \(ttl)")
            #expect(next.fence == lease.fence + 1)
            #expect(try await admin.queueSizes(waiting.keys(for: "crash")) == [0, 0, 0])
        }
    }

    /// The storage contract: a STRING record of kind fair (an ordinary held lock to a plain
    /// `Locker`), two ZSETs and a HASH with `TTL|TAG|record prefix` (`TAG` naming the waiting locker's grant
    /// channel), all expiring, the arrival
    /// counter not; `tryLock` on a free lock with a live waiter queued hands it to the waiter.
    @Test func storageLayoutFollowsTheContract() async throws {
        try await withLockServer { pool, admin in
            let (holder, _) = try pool.fairLocker(owner: "holder")
            let (waiting, _) = try pool.fairLocker(owner: "waiting", waiterDeadline: .seconds(2))
            let keys = holder.keys(for: "layout")
            let lease = try await holder.lock("layout", ttl: .seconds(30), wait: .zero)
            #expect(lease.value.hasPrefix("{\"v\":1,\"kind\":\"fair\",\"token\":\"\(lease.token)\""))
            #expect(LockRecord(parsing: lease.value)?.fence == lease.fence)
            let plain = try pool.locker(owner: "plain")
            guard case .held(let seen) = try await plain.tryLock("layout", ttl: .seconds(1)) else { Issue.record("a plain Locker took a held fair lock"); return }
            #expect(seen.record?.token == lease.token)

            let queued = Task { try await waiting.lock("layout", ttl: .seconds(7), wait: .seconds(30)) }
            #expect(try await eventually { try await admin.zcard(keys.queue) == 1 })
            for (key, type) in [(keys.lock.lock, "string"), (keys.queue, "zset"), (keys.deadlines, "zset"), (keys.waiters, "hash"), (keys.sequence, "string")] {
                #expect(try await admin.send("TYPE", key).decode(as: String.self) == type, "\(key)")
            }
            for key in [keys.queue, keys.deadlines, keys.waiters] {
                #expect((1 ... 3_000).contains(try await admin.pttl(key)), "\(key) must expire (deadline + margin)")
            }
            #expect(try await admin.pttl(keys.sequence) == -1)
            let fields = try await admin.send("HKEYS", keys.waiters).decode(as: [String].self)
            let entries = try fields + [await admin.send("HGET", keys.waiters, fields.first ?? "").decode(as: String.self)]
            #expect(entries.count == 2 && entries[1].hasPrefix("2000|\(waiting.grantTag)|{\"v\":1,\"kind\":\"fair\",\"token\":\"\(entries[0])\",\"owner\":\"waiting\",\"acquired_ms\":"), "\(entries)")
            #expect(waiting.grantTag.count == 16 && waiting.grantTag.allSatisfy(\.isHexDigit))
            let score = try await admin.send("ZSCORE", keys.deadlines, entries[0]).decode(as: Double.self)
            let now = try await admin.serverMilliseconds()
            #expect((now ... now + 2_000).contains(Int64(score)), "the deadline is the server's clock plus the waiter deadline")

            // The holder's lease lapses without a release; a one-shot try finds the lock free
            // and hands it to the queued waiter first.
            _ = try await admin.send("DEL", keys.lock.lock)
            guard case .held(let other) = try await holder.tryLock("layout", ttl: .seconds(5)) else { Issue.record("tryLock barged ahead of a live waiter"); return }
            #expect(other.record?.owner == "waiting")
            let handed = try await queued.value
            #expect(handed.fence == lease.fence + 1)
            #expect(try await eventually { try await admin.pttl(keys.lock.lock) > 2_000 }, "the waiter confirms the hand-off with its full TTL")
            #expect(try await waiting.unlock(handed))
        }
    }
}
