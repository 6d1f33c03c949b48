import RESP
import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// The same `Locker` on a real 3-master Redis Cluster: every lock's keys in one slot on the
/// primary that serves it, mutual exclusion, per-lock fences, and waiters woken through
/// sharded pub/sub.
@Suite("Locks on a cluster", .serialized)
struct LockOnClusterTests {
    /// Issue 14 item 6 on a cluster: the lock's primary restarts without persistence and
    /// loses the lock. With a 30 s TTL the next renewal is 10 s away; the node's dropped
    /// connection makes renewal verify the lease at once, so the loss is reported as soon as
    /// the node serves its slots again.
    @Test func restartOfTheLocksPrimaryIsReportedAtOnce() async throws {
        try await withRedisCluster { cluster in
            let (locker, client) = try clusterLocker(cluster, owner: "cluster-holder")
            let ttl = Duration.seconds(30)
            let lease = try #require(try await locker.tryLock("restarted", ttl: ttl).lease)
            let owner = try #require(try cluster.owner(ofSlot: Int(HashSlot(key: lease.keys.lock).rawValue), accordingTo: cluster.masters[0]))
            let renewal = Task { await locker.keepRenewed(lease, ttl: ttl) }
            try await owner.restart()
            let back = ContinuousClock.now
            let loss = try await within(.seconds(9), "renewal noticing the restart") { await renewal.value }
            let after = ContinuousClock.now - back
            renewal.cancel()
            #expect(loss == .expired, "\(String(describing: loss))")
            #expect(after < .seconds(5), "the loss was reported \(after) after the primary came back")
            await client.shutdown()
        }
    }

    @Test func locksLiveOnThePrimaryOfTheirSlotAndFencesCountPerLock() async throws {
        try await withRedisCluster { cluster in
            let (locker, client) = try clusterLocker(cluster, owner: "cluster-owner")
            // Names spread over the three primaries.
            let names = (0 ..< 12).map { "job:\($0)" }
            var owners: Set<Int> = []
            for name in names {
                let lease = try #require(try await locker.tryLock(name, ttl: .seconds(30)).lease)
                #expect(lease.fence == 1)
                let owner = try #require(try cluster.owner(ofSlot: Int(HashSlot(key: lease.keys.lock).rawValue), accordingTo: cluster.masters[0]))
                owners.insert(owner.port)
                #expect(try owner.cli(["GET", lease.keys.lock]).contains(lease.token), "the lock is not on its slot's primary")
                #expect(try owner.cli(["GET", lease.keys.fence]) == "1")
                #expect(try await locker.unlock(lease))
                let again = try #require(try await locker.tryLock(name, ttl: .seconds(30)).lease)
                #expect(again.fence == 2)
                #expect(try await !locker.extend(lease, ttl: .seconds(30)), "the old lease must not extend the new one")
                #expect(try await locker.extend(again, ttl: .seconds(30)))
                #expect(try await locker.unlock(again))
            }
            #expect(owners.count == 3, "the names did not reach every primary: \(owners)")
            await client.shutdown()
        }
    }

    @Test func tasksNeverOverlapAndFencesIncrease() async throws {
        try await withRedisCluster { cluster in
            let (locker, client) = try clusterLocker(cluster, owner: "exclusion", retryBackoff: .milliseconds(1) ... .milliseconds(20))
            let log = Locked<[(start: ContinuousClock.Instant, end: ContinuousClock.Instant, fence: Int64)]>([])
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0 ..< 8 {
                    group.addTask {
                        for _ in 0 ..< 25 {
                            let lease = try await locker.lock("shared", ttl: .seconds(5), wait: .seconds(30))
                            let start = ContinuousClock.now
                            await Task.yield()
                            let end = ContinuousClock.now
                            log.withLock { $0.append((start, end, lease.fence)) }
                            #expect(try await locker.unlock(lease))
                        }
                    }
                }
                try await group.waitForAll()
            }
            let intervals = log.value.sorted { $0.start < $1.start }
            #expect(intervals.count == 200)
            for (earlier, later) in zip(intervals, intervals.dropFirst()) {
                #expect(earlier.end <= later.start, "two holders at once")
                #expect(earlier.fence < later.fence, "fences must increase in acquisition order")
            }
            await client.shutdown()
        }
    }

    @Test func waiterIsWokenThroughShardedPubSub() async throws {
        try await withRedisCluster { cluster in
            let (holder, holderClient) = try clusterLocker(cluster, owner: "holder")
            // A retry timer of 10 s: only the release notice can wake the waiter in time.
            let (waiter, waiterClient) = try clusterLocker(cluster, owner: "waiter", retryBackoff: .seconds(10) ... .seconds(10))
            let lease = try #require(try await holder.tryLock("handoff", ttl: .seconds(30)).lease)
            let waiting = Task { try await waiter.lock("handoff", ttl: .seconds(10), wait: .seconds(20)) }
            let owner = try #require(try cluster.owner(ofSlot: Int(HashSlot(key: lease.keys.channel).rawValue), accordingTo: cluster.masters[0]))
            let subscribed = try await eventually(timeout: .seconds(10), interval: .milliseconds(20)) {
                try owner.cli(["PUBSUB", "SHARDNUMSUB", lease.keys.channel]).hasSuffix("1")
            }
            try #require(subscribed, "the waiter is not subscribed to the shard channel")
            let released = ContinuousClock.now
            #expect(try await holder.unlock(lease))
            let acquired = try await waiting.value
            #expect(ContinuousClock.now - released < .seconds(5), "woken by the retry timer, not the release")
            #expect(acquired.fence == lease.fence + 1)
            #expect(try await waiter.unlock(acquired))
            await holderClient.shutdown()
            await waiterClient.shutdown()
        }
    }
}
