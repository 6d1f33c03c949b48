import RESP
@testable import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// Waiters of one `Locker` for one lock: one shared subscription, and a hand-over from one
/// to the next that needs no release message.
@Suite("Local hand-off")
struct LocalHandOffTests {
    /// Four waiters of one locker subscribe once; each release by one of them wakes the next
    /// directly (their own release messages are skipped), so with retry timers of 0 … 20 s
    /// the four hand-overs still take milliseconds, not seconds. The last waiter to leave
    /// unsubscribes.
    @Test func waitersOfOneLockerShareOneSubscriptionAndHandOverDirectly() async throws {
        try await withLockServer { pool, admin in
            let holder = try pool.locker(owner: "holder")
            let waiters = try pool.locker(owner: "waiters", retryBackoff: .seconds(20) ... .seconds(20))
            let lease = try #require(try await holder.tryLock("shared", ttl: .seconds(60)).lease)
            _ = try await admin.send("CONFIG", "RESETSTAT")
            let fences = Locked<[Int64]>([])

            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0 ..< 4 {
                    group.addTask {
                        let mine = try await waiters.lock("shared", ttl: .seconds(10), wait: .seconds(60))
                        fences.withLock { $0.append(mine.fence) }
                        #expect(try await waiters.unlock(mine))
                    }
                }
                try #require(try await eventually { waiters.waitQueue.count(lease.keys.lock) == 4 }, "the four never queued")
                #expect(try await admin.subscribeCalls() == 1, "each waiter subscribed on its own")
                let released = ContinuousClock.now
                #expect(try await holder.unlock(lease))
                try await group.waitForAll()
                let elapsed = ContinuousClock.now - released
                #expect(elapsed < .seconds(2), "four local hand-overs took \(elapsed): waiters followed their retry timers")
            }
            let sorted = fences.withLock { $0 }
            #expect(sorted.count == 4)
            #expect(zip(sorted, sorted.dropFirst()).allSatisfy { $0 < $1 }, "fences \(sorted)")
            #expect(try await eventually { try await admin.subscriberCount(lease.keys.channel) == 0 }, "the shared subscription stayed")
        }
    }
}

extension RedisClient {
    /// How many `SUBSCRIBE` commands the server ran since the last `CONFIG RESETSTAT`.
    func subscribeCalls() async throws -> Int {
        let stats = try await send("INFO", "commandstats").decode(as: String.self)
        guard let line = stats.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix("cmdstat_subscribe:") }),
              let calls = line.split(separator: ",").first?.split(separator: "=").last else { return 0 }
        return Int(calls) ?? 0
    }
}
