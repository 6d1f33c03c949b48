import Foundation
import RESP
@testable import RedisLock
import RedisTestSupport
import Synchronization
import Testing
import LockTestSupport

/// `lock(…, wait:)`: timeouts, queues of waiters, cancellation, and wake-up by release.
@Suite("Waiting")
struct WaitingTests {
    @Test func waitTimesOutWithTheHolder() async throws {
        try await withLockServer { pool, _ in
            let holder = try pool.locker(owner: "long-holder")
            let waiter = try pool.locker(owner: "impatient")
            let lease = try #require(try await holder.tryLock("busy", ttl: .seconds(60)).lease)

            let start = ContinuousClock.now
            let error = await lockError { () throws(LockError) in try await waiter.lock("busy", ttl: .seconds(5), wait: .milliseconds(200)) }
            let elapsed = ContinuousClock.now - start
            #expect(error?.code == .waitTimedOut)
            #expect(error?.holder?.record?.owner == "long-holder")
            #expect(error?.holder?.record?.fence == lease.fence)
            #expect((error?.holder?.remaining ?? .zero) > .seconds(50))
            #expect(elapsed >= .milliseconds(200), "gave up after only \(elapsed)")
            #expect(elapsed < .seconds(2), "waited \(elapsed) for a 200 ms wait")

            let immediate = await lockError { () throws(LockError) in try await waiter.lock("busy", ttl: .seconds(5), wait: .zero) }
            #expect(immediate?.code == .notAcquired)
            #expect(immediate?.holder?.owner == "long-holder")
            #expect(immediate?.message.contains("long-holder") == true)
        }
    }

    @Test func eightWaitersAllGetTheLockInTurn() async throws {
        try await withLockServer { pool, admin in
            let holder = try pool.locker(owner: "gatekeeper")
            let lease = try #require(try await holder.tryLock("queue", ttl: .seconds(60)).lease)
            let waiters = try (0..<8).map { try pool.locker(owner: "waiter-\($0)") }
            let intervals = Locked<[(start: ContinuousClock.Instant, end: ContinuousClock.Instant, fence: Int64)]>([])

            try await withThrowingTaskGroup(of: Void.self) { group in
                for waiter in waiters {
                    group.addTask {
                        let mine = try await waiter.lock("queue", ttl: .seconds(10), wait: .seconds(20))
                        let start = ContinuousClock.now
                        await Task.yield()
                        intervals.withLock { $0.append((start, ContinuousClock.now, mine.fence)) }
                        #expect(try await waiter.unlock(mine))
                    }
                }
                // Each waiter has its own connection: all eight are subscribed and waiting.
                let allWaiting = try await eventually { try await admin.subscriberCount(lease.keys.channel) == 8 }
                #expect(allWaiting)
                let released = ContinuousClock.now
                #expect(try await holder.unlock(lease))
                try await group.waitForAll()
                #expect(ContinuousClock.now - released < .seconds(5), "eight hand-overs took too long")
            }
            let sorted = intervals.withLock { $0 }.sorted { $0.start < $1.start }
            #expect(sorted.count == 8)
            for (earlier, later) in zip(sorted, sorted.dropFirst()) {
                #expect(earlier.end < later.start, "two waiters held the lock at once")
                #expect(earlier.fence < later.fence)
            }
            #expect(sorted.first.map { $0.fence > lease.fence } == true)
            #expect(try await eventually { try await admin.subscriberCount(lease.keys.channel) == 0 }, "waiters stayed subscribed")
        }
    }

    @Test func cancellingAWaiterThrowsCancelledAndUnsubscribes() async throws {
        try await withLockServer { pool, admin in
            let holder = try pool.locker(owner: "holder")
            // A long retry pause keeps the waiter parked in its wait rather than in a retry
            // (cancellation during a retry is `cancellingAWaiterMidRetryThrowsCancelled`).
            let waiter = try pool.locker(owner: "waiter", retryBackoff: .seconds(20) ... .seconds(20))
            let lease = try #require(try await holder.tryLock("cancel-wait", ttl: .seconds(60)).lease)
            let task = Task { () async throws -> LockLease in
                try await waiter.lock("cancel-wait", ttl: .seconds(5), wait: .seconds(30))
            }
            try #require(try await eventually { try await admin.subscriberCount(lease.keys.channel) == 1 }, "the waiter never subscribed")
            try #require(try await admin.waitUntilAWaiterRetried(), "the waiter never made its second try")
            // Whether it is still reading that try's reply or already waiting, cancelling it
            // must end the wait with `cancelled`.
            let cancelled = ContinuousClock.now
            task.cancel()
            let result = try await within(.seconds(2), "the cancelled waiter") { await task.result }
            let reaction = ContinuousClock.now - cancelled
            switch result {
            case .failure(let error)?:
                #expect((error as? LockError)?.code == .cancelled, "\(error)")
            case .success(let acquired)?:
                Issue.record("a cancelled waiter acquired the lock (fence \(acquired.fence))")
            case nil:
                break
            }
            #expect(reaction < .seconds(2), "cancellation took \(reaction)")
            #expect(try await eventually { try await admin.subscriberCount(lease.keys.channel) == 0 },
                    "the cancelled waiter stayed subscribed")
            #expect(try await admin.get(lease.keys.lock) == lease.value)
        }
    }

    /// `lock(…, wait:)` documents `cancelled` for a cancelled wait, also when the cancellation
    /// lands while a retry's acquire is in flight (the RESP client then fails it with its own
    /// `.cancelled`). Made deterministic with a proxy that holds the server's replies back
    /// from the next retry on: the test cancels once that retry's acquire is on its way.
    @Test func cancellingAWaiterMidRetryThrowsCancelled() async throws {
        try await withLockServer { pool, admin in
            let proxy = try FaultProxy(forwardingTo: pool.server.port)
            defer { proxy.stop() }
            let holder = try pool.locker(owner: "holder")
            let holdNext = Locked(false)
            let heldAcquires = EventCounter()
            let client = try RedisClient(url: proxy.url)
            let backend = InterposedBackend(client: client) { call, proceed throws(RedisError) -> RESPToken in
                // Once armed, the next retry's reply is held back: the hold precedes its write.
                if call.runs(LockScripts.acquire), holdNext.value {
                    proxy.holdReplies()
                    heldAcquires.record()
                }
                return try await proceed()
            }
            var configuration = LockConfiguration(owner: "eager-waiter", acceptedRisks: [.noPersistence])
            configuration.retryBackoff = .milliseconds(1) ... .milliseconds(5)
            let waiter = try Locker(backend: backend, configuration: configuration)
            let lease = try #require(try await holder.tryLock("cancel-retry", ttl: .seconds(60)).lease)
            let task = Task { () async throws -> LockLease in
                try await waiter.lock("cancel-retry", ttl: .seconds(5), wait: .seconds(30))
            }
            try #require(try await eventually { try await admin.subscriberCount(lease.keys.channel) == 1 })
            holdNext.withLock { $0 = true }
            _ = try await within(.seconds(2), "a retry whose reply is held") { await heldAcquires.wait() }
            task.cancel()
            let result = try await within(.seconds(2), "the cancelled waiter") { await task.result }
            proxy.releaseReplies()
            switch result {
            case .failure(let error)?:
                #expect((error as? LockError)?.code == .cancelled, "\(error)")
            case .success(let acquired)?:
                Issue.record("a cancelled waiter acquired the lock (fence \(acquired.fence))")
            case nil:
                break
            }
            #expect(try await eventually { try await admin.subscriberCount(lease.keys.channel) == 0 })
            #expect(try await admin.get(lease.keys.lock) == lease.value)
            await client.shutdown()
        }
    }

    /// A waiter must be woken by the release message, not by its fallback retry timer. With
    /// `retryBackoff` 20 s … 20 s every timer pause is uniformly random in 0 … 20 s, so a
    /// waiter that only polled would take over, on average, many seconds after the release,
    /// and within 1 s with a probability of about 5 % per round. Requiring four of five
    /// rounds under 1 s (one may be delayed by a scheduling stall on a loaded machine)
    /// leaves a chance of about 3·10⁻⁵ for a timer-only waiter to pass. The holder's TTL
    /// (60 s) never caps the pause.
    @Test func releaseWakesTheWaiterPromptly() async throws {
        try await withLockServer { pool, admin in
            let holder = try pool.locker(owner: "holder")
            let waiter = try pool.locker(owner: "waiter", retryBackoff: .seconds(20) ... .seconds(20))
            var gaps: [Duration] = []
            for round in 0..<5 {
                let lease = try #require(try await holder.tryLock("wake", ttl: .seconds(60)).lease)
                let task = Task { () async throws -> (LockLease, ContinuousClock.Instant) in
                    let acquired = try await waiter.lock("wake", ttl: .seconds(10), wait: .seconds(60))
                    return (acquired, ContinuousClock.now)
                }
                try #require(try await eventually { try await admin.subscriberCount(lease.keys.channel) == 1 }, "round \(round): never subscribed")
                try #require(try await admin.waitUntilAWaiterRetried(), "round \(round): the waiter never made its second try")
                // Subscribed before that try: a release from now on wakes it, waiting or not.
                let released = ContinuousClock.now
                #expect(try await holder.unlock(lease))
                guard let (acquired, at) = try await within(.seconds(5), "round \(round): the waiter taking over after the release", { try await task.value }) else {
                    task.cancel()
                    return
                }
                gaps.append(at - released)
                #expect(acquired.fence > lease.fence)
                #expect(try await waiter.unlock(acquired))
            }
            #expect(gaps.count == 5)
            #expect(gaps.filter { $0 < .seconds(1) }.count >= 4,
                    "release-to-acquire gaps \(gaps.map { "\(Int($0.inMilliseconds)) ms" }): waiters followed their retry timer, not the release")
        }
    }

    /// A holder whose lock simply expires (no release message) is replaced by the fallback
    /// retry, which never sleeps past the holder's remaining TTL.
    @Test func waiterTakesOverAnExpiredLock() async throws {
        try await withLockServer { pool, _ in
            let holder = try pool.locker(owner: "vanishing")
            let waiter = try pool.locker(owner: "patient", retryBackoff: .seconds(5) ... .seconds(5))
            let lease = try #require(try await holder.tryLock("expiring", ttl: .milliseconds(300)).lease)
            let start = ContinuousClock.now
            let acquired = try await waiter.lock("expiring", ttl: .seconds(5), wait: .seconds(10))
            let elapsed = ContinuousClock.now - start
            #expect(acquired.fence > lease.fence)
            #expect(elapsed < .seconds(3), "took \(elapsed) to take over a lock with 300 ms left")
        }
    }

    /// Cancelling an acquire whose reply has not arrived yet: the lock may have been taken on
    /// the server, so it is released in the background from a Task that is not cancelled.
    /// A proxy holds the reply back; the test cancels once the server has run the acquire
    /// (the lock exists and its fence counter moved), so the clean-up has something to do.
    @Test func cancellingAnAcquireInFlightLeavesNoLockBehind() async throws {
        try await withLockServer { pool, admin in
            let proxy = try FaultProxy(forwardingTo: pool.server.port)
            defer { proxy.stop() }
            let client = try RedisClient(url: proxy.url)
            let locker = try Locker(client: client, configuration: LockConfiguration(owner: "cancelled-acquire", acceptedRisks: [.noPersistence]))
            // Warm up: the connection and the acquire script are ready.
            let warm = try #require(try await locker.tryLock("warm-up", ttl: .seconds(5)).lease)
            try await locker.unlock(warm)
            let keys = locker.keys(for: "in-flight")

            proxy.holdReplies()
            let task = Task { () async throws -> LockAttempt in
                try await locker.tryLock("in-flight", ttl: .seconds(30))
            }
            try #require(try await eventually { try await admin.exists(keys.lock) }, "the acquire never ran on the server")
            task.cancel()
            let result = try await within(.seconds(2), "the cancelled acquire") { await task.result }
            proxy.releaseReplies()
            switch result {
            case .failure(let error)?:
                #expect((error as? LockError)?.code == .cancelled, "\(error)")
            case .success(let attempt)?:
                Issue.record("a cancelled acquire returned \(attempt)")
            case nil:
                break
            }
            let cleaned = try await eventually(timeout: .seconds(3)) { try await admin.exists(keys.lock) == false }
            let remaining = try await admin.pttl(keys.lock)
            #expect(cleaned, "a cancelled acquire left the lock held for its whole TTL (PTTL \(remaining) ms)")
            #expect(try await admin.get(keys.fence) == "1", "the acquire was never applied, so the clean-up proved nothing")
            await client.shutdown()
        }
    }
}
