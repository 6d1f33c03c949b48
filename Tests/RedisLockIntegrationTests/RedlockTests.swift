import Foundation
import RESP
import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// Redlock over real, independent redis-servers: the quorum matrix, a dead node, a stopped
/// node, a node restarted empty, extend, release everywhere, waiting and withLock.
@Suite("Redlock", .serialized)
struct RedlockTests {
    /// For every subset of nodes already held by someone else, acquiring succeeds exactly
    /// when the free nodes are a majority, and a failed acquire leaves nothing behind.
    @Test(arguments: [3, 5])
    func quorumMatrix(nodeCount: Int) async throws {
        try await withRedlockNodes(nodeCount) { nodes in
            let redlock = try nodes.redlock(owner: "matrix")
            for subset in 0 ..< (1 << nodeCount) {
                let held = (0 ..< nodeCount).filter { subset & (1 << $0) != 0 }
                for node in held {
                    _ = try await nodes.admins[node].send("SET", "lock:{m}", "someone-else", "PX", 60_000)
                }
                let attempt = try await redlock.tryLock("m", ttl: .seconds(10))
                let free = nodeCount - held.count
                #expect((attempt.lease != nil) == (free >= nodeCount / 2 + 1), "pre-held \(held) of \(nodeCount): \(attempt)")
                let values = try await nodes.values("m")
                for node in 0 ..< nodeCount where held.contains(node) {
                    #expect(values[node] == "someone-else", "a refused node's lock was touched (pre-held \(held))")
                }
                if let lease = attempt.lease {
                    #expect(lease.nodeLeases.keys.sorted() == (0 ..< nodeCount).filter { !held.contains($0) })
                    #expect(await redlock.unlock(lease))
                } else {
                    for node in 0 ..< nodeCount where !held.contains(node) {
                        #expect(values[node] == nil, "a failed acquire left its lock on node \(node) (pre-held \(held))")
                    }
                }
                for admin in nodes.admins { _ = try await admin.send("DEL", "lock:{m}") }
            }
        }
    }

    @Test func oneNodeDownStillAcquiresWithAMajority() async throws {
        try await withRedlockNodes(3) { nodes in
            await nodes.servers[2].stop()
            let redlock = try nodes.redlock(owner: "two-of-three")
            let lease = try #require(try await redlock.tryLock("down", ttl: .seconds(10)).lease)
            #expect(lease.nodeLeases.keys.sorted() == [0, 1])
            #expect(lease.isValid)
            #expect(await redlock.unlock(lease))
        }
    }

    /// A SIGSTOPped node answers nothing: the acquire must not wait for it beyond the
    /// per-node timeout, and a majority of the others is enough.
    @Test func stoppedNodeDoesNotStallTheAcquire() async throws {
        try await withRedlockNodes(3) { nodes in
            let redlock = try nodes.redlock(owner: "stopped", nodeTimeout: .milliseconds(200))
            // Connect first, so the stop hits an open connection (the realistic case).
            if let warm = try await redlock.tryLock("warm", ttl: .seconds(5)).lease { await redlock.unlock(warm) }
            nodes.servers[1].pause()
            defer { nodes.servers[1].resume() }
            let start = ContinuousClock.now
            let attempt = try await redlock.tryLock("stalled", ttl: .seconds(30))
            let elapsed = ContinuousClock.now - start
            let lease = try #require(attempt.lease, "\(attempt)")
            #expect(lease.nodeLeases.keys.sorted() == [0, 2])
            // Bounded by the 200 ms node timeout (plus slack for a loaded machine), not by the
            // stopped node, which would hold it until the 5 s command timeout.
            #expect(elapsed < .seconds(4), "the acquire took \(elapsed) with one node stopped")
            #expect(lease.validUntil - start > .seconds(27))
        }
    }

    /// The failure the delayed-restart rule prevents: A holds nodes 0 and 1 (node 2 down);
    /// node 1 restarts empty and node 2 returns, so B assembles nodes 1 and 2 while A's lease
    /// is still valid: two holders. Keeping node 1 away until A's TTL has passed prevents it.
    @Test func nodeRestartedEmptyBreaksSafetyUnlessItsRestartIsDelayed() async throws {
        try await withRedlockNodes(3) { nodes in
            let ttl = Duration.seconds(3)
            let a = try nodes.redlock(owner: "a")
            let b = try nodes.redlock(owner: "b")

            // Without the rule.
            nodes.servers[2].kill()
            let first = try #require(try await a.tryLock("r", ttl: ttl).lease)
            #expect(first.nodeLeases.keys.sorted() == [0, 1])
            try await nodes.servers[1].restart()  // comes back at once, empty
            try await nodes.servers[2].restart()
            let second = try await b.tryLock("r", ttl: ttl).lease
            #expect(second != nil, "expected the restarted node to let B in")
            #expect(first.isValid, "A's lease should still be valid: the test shows two holders at once")
            if let second { await b.unlock(second) }
            await a.unlock(first)

            // With the rule: node 1 stays down until A's lease (TTL) is over.
            nodes.servers[2].kill()
            let held = try #require(try await a.tryLock("r2", ttl: ttl).lease)
            nodes.servers[1].kill()
            try await nodes.servers[2].restart()
            #expect(try await b.tryLock("r2", ttl: ttl).lease == nil, "B must not get a majority while node 1 is away")
            // Node 1 returns only once A's copy on node 0 has expired by its TTL. A's validity
            // (TTL minus acquire time and drift) must be over by then, or A could still act
            // while B holds the lock.
            let expired = try await eventually(timeout: ttl + .seconds(2)) {
                try await nodes.admins[0].send("PTTL", "lock:{r2}").decode(as: Int.self) == -2
            }
            try #require(expired, "A's lock on node 0 never expired")
            #expect(!held.isValid, "A's lease claimed validity after its lock had expired on the server")
            try await nodes.servers[1].restart()
            let later = try #require(try await b.tryLock("r2", ttl: ttl).lease)
            await b.unlock(later)
        }
    }

    @Test func extendNeedsAMajority() async throws {
        try await withRedlockNodes(3) { nodes in
            let redlock = try nodes.redlock(owner: "extender")
            let lease = try #require(try await redlock.tryLock("e", ttl: .seconds(4)).lease)
            // One node lost it: a majority still extends.
            _ = try await nodes.admins[0].send("DEL", "lock:{e}")
            #expect(try await redlock.extend(lease, ttl: .seconds(10)))
            #expect(lease.validUntil - .now > .seconds(8))
            for node in 1 ..< 3 {
                #expect(try await nodes.admins[node].send("PTTL", "lock:{e}").decode(as: Int.self) > 8000)
            }
            // A second node lost it: no majority, the lease is lost, and nothing is re-created.
            _ = try await nodes.admins[1].send("DEL", "lock:{e}")
            #expect(try await !redlock.extend(lease, ttl: .seconds(10)))
            #expect(lease.isLost)
            #expect(try await nodes.values("e")[0] == nil)
            #expect(try await nodes.values("e")[1] == nil)
        }
    }

    @Test func unlockReleasesEveryNodeButNeverSomeoneElsesLock() async throws {
        try await withRedlockNodes(3) { nodes in
            let redlock = try nodes.redlock(owner: "releaser")
            let lease = try #require(try await redlock.tryLock("u", ttl: .seconds(10)).lease)
            // Node 2's copy expired and someone else took it there.
            _ = try await nodes.admins[2].send("SET", "lock:{u}", "other", "PX", 10_000)
            #expect(await redlock.unlock(lease))
            #expect(try await nodes.values("u") == [nil, nil, "other"])
        }
    }

    @Test func waiterIsWokenByTheRelease() async throws {
        try await withRedlockNodes(3) { nodes in
            let holder = try nodes.redlock(owner: "holder")
            let waiter = try Redlock(
                clients: try nodes.servers.map { try RedisClient(url: $0.url) },
                lockConfiguration: LockConfiguration(owner: "waiter", acceptedRisks: [.noPersistence]),
                configuration: RedlockConfiguration(nodeTimeout: .seconds(2), retryBackoff: .seconds(5) ... .seconds(5)))
            let lease = try #require(try await holder.tryLock("w", ttl: .seconds(30)).lease)
            let waiting = Task { try await waiter.lock("w", ttl: .seconds(10), wait: .seconds(20)) }
            // The waiter subscribes on every node only after its first try failed: once every
            // node counts its subscriber, it is waiting on the 5 s retry timer or the release.
            let channel = lease.nodeLeases[0]!.keys.channel
            let subscribed = try await eventually(timeout: .seconds(10)) {
                for admin in nodes.admins {
                    if try await admin.subscriberCount(channel) != 1 { return false }
                }
                return true
            }
            try #require(subscribed, "the waiter never subscribed on every node")
            let released = ContinuousClock.now
            #expect(await holder.unlock(lease))
            let acquired = try await waiting.value
            // Woken by the release notice, not by the 5 s retry timer.
            #expect(ContinuousClock.now - released < .seconds(2))
            #expect(acquired.nodeLeases.count == 3)
            await waiter.unlock(acquired)
            for locker in waiter.lockers { await locker.backend.shutdown() }
        }
    }

    /// Nodes that refuse connections until the wait ends: the wait says Redis was
    /// unavailable (`connectionFailed`), not that someone held the lock.
    @Test func waitWithEveryNodeDownReportsUnavailable() async throws {
        try await withRedlockNodes(3) { nodes in
            let redlock = try nodes.redlock(owner: "stranded", nodeTimeout: .milliseconds(200))
            for server in nodes.servers { server.kill() }
            let start = ContinuousClock.now
            do {
                let lease = try await redlock.lock("down", ttl: .seconds(5), wait: .milliseconds(400))
                Issue.record("acquired \(lease) with every node down")
            } catch let error as LockError {
                #expect(error.code == .connectionFailed, "\(error)")
                #expect(error.message.contains("unavailable"), "\(error)")
            }
            #expect(ContinuousClock.now - start >= .milliseconds(400))
        }
    }

    @Test func withLockRunsTheBodyAndCancelsItWhenTheMajorityIsLost() async throws {
        try await withRedlockNodes(3) { nodes in
            let redlock = try nodes.redlock(owner: "body")
            let value = try await redlock.withLock("b", ttl: .seconds(5)) { lease in lease.nodeLeases.count }
            #expect(value == 3)
            #expect(try await nodes.values("b") == [nil, nil, nil])

            let quick = try nodes.redlock(owner: "quick", nodeTimeout: .milliseconds(200))
            await #expect {
                try await quick.withLock("lost", ttl: .milliseconds(900)) { _ in
                    for admin in nodes.admins { _ = try await admin.send("DEL", "lock:{lost}") }
                    try await Task.sleep(for: .seconds(30))  // cancelled when the renewal finds it gone
                }
            } throws: { error in
                (error as? LockError)?.code == .leaseLost
            }
        }
    }
}
