import NIOCore
import RESP
@testable import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// How often the library's calls make the caller's task change threads. The caller runs on a
/// ``HopCountingExecutor`` (as a service's task runs on Swift's cooperative pool, away from
/// the socket's event loop); each job that executor receives is one trip of the task to the
/// loop and back, two hops. One hop costs about 29 µs p50 on the benchmark machine
/// (`library-user hop`), so these counts are the floor under every figure of the default
/// executor.
@Suite("Hop counts")
struct HopCountTests {
    /// `RedisClient.send`: to the connection's loop and back, at most once per command.
    @Test func aCommandGoesToTheLoopAndBackOnce() async throws {
        try await withLockServer { pool, _ in
            let client = try pool.client()
            let caller = HopCountingExecutor(in: client.eventLoopGroup, avoiding: try await client.connection().channel.eventLoop)
            let returns = try await caller.returns(warmUp: { _ = try await client.send("PING") }) {
                for _ in 0 ..< 20 { _ = try await client.send("PING") }
            }
            // At most: a reply that comes before the caller has finished suspending lets it go on
            // where it is, without coming back at all. Before, each command came back twice.
            #expect(returns <= 20, "20 commands brought the caller back \(returns) times")
        }
    }

    /// `tryLock` and `unlock` are one script each (the `NOSCRIPT` fallback
    /// after a restart adds one more): at most once there and back each.
    @Test func tryLockAndUnlockGoToTheLoopAndBackOnceEach() async throws {
        try await withLockServer { pool, _ in
            let locker = try pool.locker(owner: "hops")
            let caller = try await Self.caller(for: locker)
            let cycle: @Sendable () async throws -> Void = {
                let lease = try #require(try await locker.tryLock("hops", ttl: .seconds(30)).lease)
                #expect(try await locker.unlock(lease))
            }
            // The warm-up runs the server safety check and loads both scripts.
            let returns = try await caller.returns(warmUp: { try await cycle(); try await cycle() }) {
                for _ in 0 ..< 10 { try await cycle() }
            }
            #expect(returns <= 20, "10 cycles brought the caller back \(returns) times")
        }
    }

    /// A release by the same locker wakes its waiter on the connection's loop, and the
    /// waiter's next try is written there: from the release to `lock` returning, the waiter's
    /// task comes back once (it came back twice when it woke on its own executor and then
    /// went to the loop for its try).
    @Test func aLocalHandOffBringsTheWaiterBackOnce() async throws {
        try await withLockServer { pool, _ in
            let locker = try pool.locker(owner: "hops", retryBackoff: .seconds(20) ... .seconds(20))
            try await Self.expectOneReturn(holder: locker, waiter: locker)
        }
    }

    /// A release by another process (here: another client) reaches the waiter as a release
    /// message; the listener and the waiter both run on the connection's loop, so the
    /// waiter's task again comes back once.
    @Test func aReleaseMessageBringsTheWaiterBackOnce() async throws {
        try await withLockServer { pool, _ in
            let holder = try pool.locker(owner: "holder")
            let waiter = try pool.locker(owner: "waiter", retryBackoff: .seconds(20) ... .seconds(20))
            try await Self.expectOneReturn(holder: holder, waiter: waiter)
        }
    }

    /// Holds lock `hops` with `holder`, parks a `lock` of `waiter` on it from a counted
    /// task, releases, and expects the waiter's task to come back once before `lock` returns.
    private static func expectOneReturn(holder: Locker, waiter: Locker) async throws {
        _ = try await waiter.tryLock("warm-up", ttl: .seconds(1))  // connects, checks the server
        let lease = try #require(try await holder.tryLock("hops", ttl: .seconds(30)).lease)
        let caller = try await caller(for: waiter)
        let task = Task(executorPreference: caller) {
            try await waiter.lock("hops", ttl: .seconds(30), wait: .seconds(30))
        }
        defer { task.cancel() }
        try #require(try await eventually { waiter.waitQueue.headIsParked(lease.keys.lock) }, "the waiter never parked")
        let before = caller.received
        #expect(try await holder.unlock(lease))
        let mine = try await task.value
        let returns = caller.received - before
        #expect(mine.fence > lease.fence)
        #expect(returns <= 1, "from the release to holding the lock, the waiter's task came back \(returns) times")
        #expect(try await waiter.unlock(mine))
    }

    /// A counting executor for `locker`'s task, on a loop other than its connection's.
    private static func caller(for locker: Locker) async throws -> HopCountingExecutor {
        let client = try #require(locker.backend as? RedisClient)
        return HopCountingExecutor(in: client.eventLoopGroup, avoiding: try await client.connection().channel.eventLoop)
    }
}
