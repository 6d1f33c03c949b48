import RESP
import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// The fair lock on a real 3-master Redis Cluster: every script's keys in one slot, mutual
/// exclusion with fences increasing, and hand-offs told through sharded pub/sub (`SPUBLISH`).
@Suite("Fair lock on a cluster", .serialized)
struct FairLockOnClusterTests {
    private func fairLocker(_ cluster: RedisCluster, owner: String, waiterDeadline: Duration = .seconds(2)) throws -> (FairLocker, RedisClusterClient) {
        let client = try RedisClusterClient(url: cluster.url)
        let locker = try FairLocker(backend: client, configuration: LockConfiguration(owner: owner, acceptedRisks: [.noPersistence]), waiterDeadline: waiterDeadline)
        return (locker, client)
    }

    /// 8 tasks on two cluster clients × 15 acquisitions of each of three names (spread over
    /// the primaries): no overlaps, fences increasing per name, queues empty afterwards.
    @Test func tasksNeverOverlapOnEveryPrimary() async throws {
        try await withRedisCluster { cluster in
            let (first, firstClient) = try fairLocker(cluster, owner: "fair-cluster-a")
            let (second, secondClient) = try fairLocker(cluster, owner: "fair-cluster-b")
            let names = ["job:0", "job:1", "job:2"]
            let sections = Locked<[String: [FairSection]]>([:])
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0 ..< 8 {
                    let locker = index % 2 == 0 ? first : second
                    group.addTask {
                        for round in 0 ..< 15 {
                            let name = names[(index + round) % names.count]
                            let lease = try await locker.lock(name, ttl: .seconds(5), wait: .seconds(60))
                            let start = ContinuousClock.now
                            await Task.yield()
                            sections.withLock { $0[name, default: []].append(FairSection(start: start, end: .now, fence: lease.fence, contender: index)) }
                            #expect(try await locker.unlock(lease))
                        }
                    }
                }
                try await group.waitForAll()
            }
            var primaries: Set<Int> = []
            for name in names {
                let (overlaps, inversions) = overlapsAndInversions(sections.value[name] ?? [])
                #expect(overlaps == 0, "\(name)")
                #expect(inversions == 0, "\(name)")
                let keys = first.keys(for: name)
                let owner = try #require(try cluster.owner(ofSlot: Int(HashSlot(key: keys.lock.lock).rawValue), accordingTo: cluster.masters[0]))
                primaries.insert(owner.port)
                #expect(try owner.cli(["ZCARD", keys.queue]) == "0")
                #expect(try owner.cli(["GET", keys.lock.fence]) == "\(sections.value[name]?.count ?? -1)")
            }
            #expect(primaries.count >= 2, "the names should reach more than one primary: \(primaries)")
            await firstClient.shutdown()
            await secondClient.shutdown()
        }
    }

    /// With a 30 s waiter deadline (renewal every 10 s) and a 30 s holder TTL, only the
    /// hand-off message on the shard channel can give the waiter the lock soon after release.
    @Test func handOffIsToldThroughShardedPubSub() async throws {
        try await withRedisCluster { cluster in
            let (holder, holderClient) = try fairLocker(cluster, owner: "holder")
            let (waiter, waiterClient) = try fairLocker(cluster, owner: "waiter", waiterDeadline: .seconds(30))
            let keys = holder.keys(for: "handoff")
            let lease = try await holder.lock("handoff", ttl: .seconds(30), wait: .zero)
            let waiting = Task { try await waiter.lock("handoff", ttl: .seconds(10), wait: .seconds(20)) }
            let owner = try #require(try cluster.owner(ofSlot: Int(HashSlot(key: keys.lock.lock).rawValue), accordingTo: cluster.masters[0]))
            #expect(try await eventually(timeout: .seconds(10), interval: .milliseconds(20)) {
                try owner.cli(["PUBSUB", "SHARDNUMSUB", keys.lock.channel]).hasSuffix("1") && owner.cli(["ZCARD", keys.queue]) == "1"
            })
            let released = ContinuousClock.now
            #expect(try await holder.unlock(lease))
            let acquired = try await waiting.value
            #expect(ContinuousClock.now - released < .seconds(2), "the waiter was not told of the hand-off")
            #expect(acquired.fence == lease.fence + 1)
            #expect(try await eventually { Int(try owner.cli(["PTTL", keys.lock.lock])) ?? 0 > 9_000 }, "the hand-off is confirmed with the full TTL")
            #expect(try await waiter.unlock(acquired))
            await holderClient.shutdown()
            await waiterClient.shutdown()
        }
    }
}
