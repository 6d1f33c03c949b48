import Foundation
import RESP
import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// The inspector and force-release across several servers: every primary of a real 3-master
/// cluster, and a Redlock set of three independent servers.
@Suite("Inspector across nodes", .serialized)
struct InspectorAcrossNodesTests {
    static let audit = ForceRelease.Audit(streamKey: "lock:lockwatch:audit", logFile: nil, operatorName: "tester", host: "test-host")

    /// Refreshes until `condition` holds for the snapshot (the server's state is the event:
    /// a waiter's subscription shows up when the server has it), failing after `limit`.
    static func refresh(
        _ inspector: LockInspector, until condition: (InspectionSnapshot) -> Bool, limit: Duration = .seconds(10)
    ) async throws -> InspectionSnapshot {
        let deadline = ContinuousClock.now + limit
        while true {
            let snapshot = try await inspector.refresh()
            if condition(snapshot) || ContinuousClock.now > deadline { return snapshot }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test func clusterScanFindsTheLocksOfEveryPrimaryWithTheirNodeAndShardWaiters() async throws {
        try await withRedisCluster { cluster in
            let (locker, client) = try clusterLocker(cluster, owner: "inspected")
            // The waiter's fallback retry is 20 s: only the release's SPUBLISH wakes it sooner.
            let (waitingLocker, waitingClient) = try clusterLocker(cluster, owner: "waiter", retryBackoff: .seconds(20) ... .seconds(20))
            for index in 0 ..< 12 {
                _ = try #require(try await locker.tryLock("job:\(index)", ttl: .seconds(60)).lease)
            }
            // A Redisson-style hash: a cluster node answers GET with WRONGTYPE, read as a hash.
            _ = try await client.send(routedBy: "lock:redisson", "HSET", "lock:redisson", "8743c9c0-0795-4907-87fd-6c719a6b4586:1", "1")
            _ = try await client.send(routedBy: "lock:redisson", "PEXPIRE", "lock:redisson", "60000")
            let waiter = Task { try await waitingLocker.lock("job:0", ttl: .seconds(30), wait: .seconds(30)) }

            let inspector = LockInspector(servers: .cluster(client), selection: .prefix("lock:"))
            let snapshot = try await Self.refresh(inspector) { $0.locks.first { $0.key == "lock:{job:0}" }?.waiters == 1 }
            #expect(snapshot.unreachableNodes.isEmpty)
            #expect(Set(snapshot.locks.map(\.key)) == Set((0 ..< 12).map { "lock:{job:\($0)}" } + ["lock:redisson"]), "fence counters must be hidden and every primary scanned")
            let map = try await client.slotMap()
            var nodes: Set<String> = []
            for lock in snapshot.locks {
                let owner = try #require(map.primary(for: HashSlot(key: lock.key)))
                #expect(lock.placement == .node(owner.endpoint.description), "\(lock.key) is on \(owner.endpoint), not \(String(describing: lock.placement))")
                nodes.insert(owner.endpoint.description)
            }
            #expect(nodes.count == 3, "the locks did not spread over the three primaries")
            let job0 = try #require(snapshot.locks.first { $0.key == "lock:{job:0}" })
            #expect(job0.waiters == 1, "SHARDNUMSUB did not count the waiter's shard subscription")
            #expect(job0.owner == "inspected")
            #expect(job0.fence == 1)
            #expect(snapshot.locks.first { $0.key == "lock:redisson" }?.format == .redisson)

            let released = ContinuousClock.now
            let outcome = await inspector.forceRelease(job0, audit: Self.audit)
            guard case .released(let entry) = outcome else {
                Issue.record("force-release on the cluster: \(outcome)")
                return
            }
            #expect(entry != nil, "the audit entry was not written on the cluster")
            let handedOver = try await waiter.value
            #expect(ContinuousClock.now - released < .seconds(10), "the waiter was not woken by the force-release's SPUBLISH")
            #expect(handedOver.fence == 2)
            let after = try await inspector.refresh()
            #expect(after.events.contains { $0.kind == .forceReleased && $0.key == "lock:{job:0}" } || after.events.contains { $0.kind == .acquired && $0.key == "lock:{job:0}" })
            #expect(after.locks.first { $0.key == "lock:{job:0}" }?.owner == "waiter")
            await waitingClient.shutdown()
            await client.shutdown()
        }
    }

    @Test func redlockSetShowsOneRowPerLockWithItsCopiesQuorumAndHolders() async throws {
        try await withRedlockNodes(3) { nodes in
            let redlock = try nodes.redlock(owner: "rl-owner")
            let lease = try #require(try await redlock.tryLock("orders:1", ttl: .seconds(30)).lease)
            // Held by "a" on two nodes (TTLs 40 s and 20 s) and by "b" on the third.
            _ = try await nodes.admins[0].send("SET", "lock:split", "a", "PX", 40_000)
            _ = try await nodes.admins[1].send("SET", "lock:split", "a", "PX", 20_000)
            _ = try await nodes.admins[2].send("SET", "lock:split", "b", "PX", 60_000)
            _ = try await nodes.admins[2].send("SET", "lock:lonely", "x", "PX", 60_000)

            let clients = try nodes.servers.map { try RedisClient(url: $0.url) }
            let inspector = LockInspector(servers: .redlock(clients), selection: .prefix("lock:"))
            let snapshot = try await inspector.refresh()
            #expect(snapshot.locks.count == 3, "one row per key across the nodes: \(snapshot.locks.map(\.key))")

            let ours = try #require(snapshot.locks.first { $0.key == "lock:{orders:1}" })
            guard case .copies(let copies) = ours.placement else { Issue.record("no copies"); return }
            #expect(copies.copies.count == 3 && copies.nodeCount == 3)
            #expect(copies.holdersAgree, "one token on every node: one holder, though each node's record has its own clock and fence")
            #expect(copies.hasQuorum)
            #expect(ours.token == lease.token)
            #expect(ours.owner == "rl-owner")
            #expect(Set(copies.copies.map(\.address)) == Set(nodes.servers.map { "127.0.0.1:\($0.port)" }))

            let split = try #require(snapshot.locks.first { $0.key == "lock:split" })
            guard case .copies(let splitCopies) = split.placement else { Issue.record("no copies"); return }
            #expect(!splitCopies.holdersAgree)
            #expect(splitCopies.hasQuorum, "'a' holds two of three")
            #expect(split.token == "a")
            // How long 'a' keeps its majority: the second-longest of its TTLs, 20 s, not 40 s.
            #expect(split.ttlMilliseconds.map { $0 > 15_000 && $0 <= 20_000 } == true, "ttl \(String(describing: split.ttlMilliseconds))")
            #expect(splitCopies.summary == "3/3≠")

            let lonely = try #require(snapshot.locks.first { $0.key == "lock:lonely" })
            guard case .copies(let lonelyCopies) = lonely.placement else { Issue.record("no copies"); return }
            #expect(!lonelyCopies.hasQuorum)
            #expect(lonelyCopies.summary == "1/3")

            // The first node's copy changes hands after the scan: only the other two go.
            _ = try await nodes.admins[0].send("SET", "lock:split", "c", "PX", 40_000)
            let outcome = await inspector.forceRelease(split, audit: Self.audit)
            #expect(outcome == .releasedCopies(released: 2, held: 3, others: ["127.0.0.1:\(nodes.servers[0].port): changed hands"]))
            #expect(try await nodes.admins[0].send("GET", "lock:split").decode(as: String?.self) == "c", "a copy that changed hands was deleted")
            for index in 1 ... 2 {
                #expect(try await nodes.admins[index].send("EXISTS", "lock:split").decode(as: Int.self) == 0)
                #expect(try await nodes.admins[index].send("XLEN", "lock:lockwatch:audit").decode(as: Int.self) == 1, "node \(index) has no audit entry")
                let entry = try nodes.servers[index].cli(["XRANGE", "lock:lockwatch:audit", "-", "+"])
                #expect(entry.contains("127.0.0.1:\(nodes.servers[index].port)"), "the audit entry does not name its node: \(entry)")
            }
            let after = try await inspector.refresh()
            let splitAfter = try #require(after.locks.first { $0.key == "lock:split" })
            #expect(splitAfter.token == "c")

            // Our own lock, released on every node by the inspector's force-release.
            guard case .releasedCopies(3, 3, []) = await inspector.forceRelease(ours, audit: Self.audit) else {
                Issue.record("our Redlock lock was not released on all three nodes")
                return
            }
            #expect(try await nodes.values("orders:1") == [nil, nil, nil])
            for client in clients { await client.shutdown() }
        }
    }

    @Test func aNodeDownLeavesTheOthersShownAndReportsNoReleases() async throws {
        try await withRedlockNodes(3) { nodes in
            let redlock = try nodes.redlock(owner: "rl-owner")
            _ = try #require(try await redlock.tryLock("orders:2", ttl: .seconds(30)).lease)
            let clients = try nodes.servers.map { try RedisClient(url: $0.url) }
            let inspector = LockInspector(servers: .redlock(clients), selection: .prefix("lock:"))
            let first = try await inspector.refresh()
            #expect(first.locks.count == 1)

            await nodes.servers[2].stop()
            let second = try await inspector.refresh()
            #expect(second.unreachableNodes.count == 1)
            #expect(second.unreachableNodes.first?.hasPrefix("127.0.0.1:\(nodes.servers[2].port)") == true)
            let row = try #require(second.locks.first)
            guard case .copies(let copies) = row.placement else { Issue.record("no copies"); return }
            #expect(copies.summary == "2/3")
            #expect(copies.hasQuorum)
            #expect(!second.events.contains { $0.kind == .released || $0.kind == .expired }, "a node that did not answer is not a release: \(second.events)")
            for client in clients { await client.shutdown() }
        }
    }
}
