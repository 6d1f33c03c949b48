import Foundation
import RESP
@testable import RedisLock
import RedisTestSupport
import Synchronization
import Testing
import LockTestSupport

/// `Semaphore` against a real server: never more holders than permits, per-permit leases
/// and fences, crashed holders' permits returning, wake-ups, run-time permit changes.
@Suite("Semaphore with expiring permits")
struct SemaphoreTests {
    /// Three permits: three holders with increasing fences, the fourth refused, the layout is
    /// the contract's (hash `kind`/`h:<token>`, expiries, `:permits`), a release lets it in.
    @Test func permitsAreCountedAndLaidOut() async throws {
        try await withLockServer { pool, admin in
            let semaphore = try HolderKindTesting.semaphore(pool, owner: "sem-layout")
            let three = semaphore.permits(3)
            var leases: [LockLease] = []
            for _ in 0 ..< 3 { leases.append(try await three.lock("pool", ttl: .seconds(10), wait: .zero)) }
            #expect(leases.map(\.fence) == [1, 2, 3])
            let refused = await lockError { () async throws(LockError) in try await three.lock("pool", ttl: .seconds(10), wait: .zero) }
            #expect(refused?.code == .notAcquired)
            #expect(refused?.message.contains("all 3 permits are taken") == true, "\(String(describing: refused))")
            let stored = try await HolderKindTesting.hash(admin, "lock:{pool}")
            #expect(stored["kind"] == "semaphore")
            #expect(stored.count == 4)
            for lease in leases {
                #expect(stored["h:" + lease.token] == lease.value)
                #expect(lease.value.hasPrefix("{\"v\":1,\"kind\":\"semaphore\",\"token\":\"\(lease.token)\""))
            }
            #expect(try await admin.get("lock:{pool}:permits") == "3")
            #expect(try await admin.pttl("lock:{pool}:permits") == -1, "the permit count never expires")
            #expect(try await semaphore.permitCount("pool") == 3)
            // A larger count from a later caller does not override the stored one.
            #expect(await lockError { () async throws(LockError) in try await semaphore.permits(5).lock("pool", ttl: .seconds(10), wait: .zero) }?.code == .notAcquired)

            #expect(try await three.unlock(leases[1]))
            let fourth = try await three.lock("pool", ttl: .seconds(10), wait: .zero)
            #expect(fourth.fence == 4)
            for lease in [leases[0], leases[2], fourth] { #expect(try await three.unlock(lease)) }
            #expect(try await admin.exists("lock:{pool}") == false)
            #expect(try await admin.exists("lock:{pool}:expiries") == false)
            #expect(await lockError { () async throws(LockError) in try await semaphore.permits(0).lock("zero", ttl: .seconds(1), wait: .zero) }?.code == .invalidArgument)
        }
    }

    /// 16 tasks × 20 rounds on 3 permits through two clients: never more than 3 inside, and
    /// 3 at once at some point.
    @Test func sixteenTasksNeverExceedThePermits() async throws {
        try await withLockServer { pool, admin in
            let semaphores = [try HolderKindTesting.semaphore(pool, owner: "sem-a"), try HolderKindTesting.semaphore(pool, owner: "sem-b")]
            let occupancy = Occupancy()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0 ..< 16 {
                    let semaphore = semaphores[index % 2]
                    group.addTask {
                        for _ in 0 ..< 20 {
                            try await semaphore.withPermit(of: 3, "limited", ttl: .seconds(5), wait: .seconds(60)) { _ in
                                occupancy.enterHolder(permits: 3)
                                try await Task.sleep(for: .milliseconds(3))
                                occupancy.leaveReader()
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(occupancy.violations.isEmpty, "\(occupancy.violations.prefix(5))")
            #expect(occupancy.maxHolders == 3, "the permits were never all used at once: \(occupancy.maxHolders)")
            #expect(try await admin.get("lock:{limited}:fence") == "320")
            #expect(try await admin.exists("lock:{limited}") == false)
        }
    }

    /// A holder that crashed (never renews, never releases) keeps its permit only until its
    /// TTL ends; a waiter is woken by a release without its retry timer.
    @Test func aCrashedHoldersPermitReturnsAndWaitersAreWoken() async throws {
        try await withLockServer { pool, admin in
            let crashed = try HolderKindTesting.semaphore(pool, owner: "sem-crashed")
            // Retry timers of 10 s: only a release message (or the TTL bound) wakes it.
            let waiter = try HolderKindTesting.semaphore(pool, owner: "sem-waiter", retryBackoff: .seconds(10) ... .seconds(10))
            let lost = try await crashed.permits(1).lock("crash", ttl: .milliseconds(600), wait: .zero)
            let start = ContinuousClock.now
            let next = try await waiter.permits(1).lock("crash", ttl: .seconds(10), wait: .seconds(10))
            let waited = ContinuousClock.now - start
            #expect(waited < .seconds(3), "waited \(waited) for a 600 ms permit")
            #expect(next.fence == lost.fence + 1)
            #expect(try await crashed.permits(1).extend(lost, ttl: .seconds(10)) == false)
            #expect(try await crashed.permits(1).unlock(lost) == false)

            let waiting = Task { try await waiter.permits(1).lock("crash", ttl: .seconds(10), wait: .seconds(20)) }
            try #require(try await admin.waitUntilAWaiterRetried(), "the waiter never subscribed and tried again")
            let released = ContinuousClock.now
            #expect(try await waiter.permits(1).unlock(next))
            let woken = try await waiting.value
            #expect(ContinuousClock.now - released < .seconds(2), "woken by the retry timer, not the release")
            #expect(try await waiter.permits(1).unlock(woken))
        }
    }

    /// With every permit taken, a waiter tries again when the first permit expires by itself
    /// (the holder that expires first, not the last): a crashed 1.5 s holder next to a 30 s
    /// one lets it in well before its 10 s retry timer.
    @Test func aWaiterRetriesWhenTheFirstPermitExpires() async throws {
        try await withLockServer { pool, admin in
            let crashed = try HolderKindTesting.semaphore(pool, owner: "sem-first-crashed")
            let waiter = try HolderKindTesting.semaphore(pool, owner: "sem-first-waiter", retryBackoff: .seconds(10) ... .seconds(10))
            let lasting = try await crashed.permits(2).lock("first", ttl: .seconds(30), wait: .zero)
            let short = try await crashed.permits(2).lock("first", ttl: .milliseconds(1500), wait: .zero)
            let refused = await lockError { () async throws(LockError) in try await waiter.permits(2).lock("first", ttl: .seconds(10), wait: .zero) }
            #expect(refused?.holder?.record?.token == short.token, "the holder in the way is the one that expires first")
            let start = ContinuousClock.now
            let next = try await waiter.permits(2).lock("first", ttl: .seconds(10), wait: .seconds(10))
            #expect(ContinuousClock.now - start < .seconds(5), "the waiter slept past the first expiry: \(ContinuousClock.now - start)")
            #expect(try await crashed.permits(2).unlock(lasting))
            #expect(try await waiter.permits(2).unlock(next))
        }
    }

    /// Lowering the count keeps both holders; new acquires wait until the holders are below
    /// it. Raising it wakes a waiter at once.
    @Test func permitsChangeAtRunTime() async throws {
        try await withLockServer { pool, admin in
            let semaphore = try HolderKindTesting.semaphore(pool, owner: "sem-change")
            let waiterSide = try HolderKindTesting.semaphore(pool, owner: "sem-change-waiter", retryBackoff: .seconds(10) ... .seconds(10))
            let a = try await semaphore.permits(2).lock("change", ttl: .seconds(30), wait: .zero)
            let b = try await semaphore.permits(2).lock("change", ttl: .seconds(30), wait: .zero)
            #expect(try await semaphore.setPermits("change", to: 1) == 2)
            #expect(try await semaphore.permitCount("change") == 1)
            #expect(try await semaphore.permits(2).extend(a, ttl: .seconds(30)), "a holder above the lowered count keeps its permit")
            #expect(await lockError { () async throws(LockError) in try await semaphore.permits(2).lock("change", ttl: .seconds(30), wait: .zero) }?.code == .notAcquired)
            #expect(try await semaphore.permits(2).unlock(a))
            #expect(await lockError { () async throws(LockError) in try await semaphore.permits(2).lock("change", ttl: .seconds(30), wait: .zero) }?.code == .notAcquired,
                    "one holder on one permit: still full")
            let waiting = Task { try await waiterSide.permits(2).lock("change", ttl: .seconds(30), wait: .seconds(20)) }
            try #require(try await admin.waitUntilAWaiterRetried(), "the waiter never subscribed and tried again")
            let raised = ContinuousClock.now
            #expect(try await semaphore.setPermits("change", to: 2) == 1)
            let c = try await waiting.value
            #expect(ContinuousClock.now - raised < .seconds(2), "raising the count did not wake the waiter")
            #expect(try await HolderKindTesting.hash(admin, "lock:{change}").count == 3)
            #expect(try await semaphore.permits(2).unlock(b))
            #expect(try await waiterSide.permits(2).unlock(c))
            #expect(await lockError { () async throws(LockError) in try await semaphore.setPermits("change", to: 0) }?.code == .invalidArgument)
        }
    }

    /// A waiter that times out or is cancelled leaves nothing behind: no holder field, no
    /// subscription.
    @Test func cancellationAndTimeoutsLeaveNothingBehind() async throws {
        try await withLockServer { pool, admin in
            let semaphore = try HolderKindTesting.semaphore(pool, owner: "sem-cancel")
            let held = try await semaphore.permits(1).lock("busy", ttl: .seconds(30), wait: .zero)
            let timedOut = await lockError { () async throws(LockError) in try await semaphore.permits(1).lock("busy", ttl: .seconds(30), wait: .milliseconds(200)) }
            #expect(timedOut?.code == .waitTimedOut)
            #expect(timedOut?.holder?.record?.token == held.token)
            let waiting = Task { try await semaphore.permits(1).lock("busy", ttl: .seconds(30), wait: .seconds(30)) }
            try #require(try await eventually { try await admin.subscriberCount("lock:{busy}:released") == 1 })
            waiting.cancel()
            do {
                _ = try await waiting.value
                Issue.record("the cancelled waiter got a permit")
            } catch let error as LockError {
                #expect(error.code == .cancelled, "\(error)")
            }
            #expect(try await eventually { try await admin.subscriberCount("lock:{busy}:released") == 0 })
            #expect(try await HolderKindTesting.hash(admin, "lock:{busy}").count == 2, "only the holder's field and kind")
            #expect(try await semaphore.permits(1).unlock(held))
        }
    }

    /// On a 3-master cluster: the semaphore's keys on one primary, permits counted, a waiter
    /// woken through sharded pub/sub.
    @Test func onAThreeMasterCluster() async throws {
        try await withRedisCluster { cluster in
            let (holderLocker, holderClient) = try clusterLocker(cluster, owner: "cluster-holder")
            let (waiterLocker, waiterClient) = try clusterLocker(cluster, owner: "cluster-waiter", retryBackoff: .seconds(10) ... .seconds(10))
            defer { Task { await holderClient.shutdown(); await waiterClient.shutdown() } }
            let holders = try Semaphore(holderLocker)
            let waiters = try Semaphore(waiterLocker)
            for name in (0 ..< 6).map({ "api:\($0)" }) {
                let first = try await holders.permits(2).lock(name, ttl: .seconds(30), wait: .zero)
                let second = try await holders.permits(2).lock(name, ttl: .seconds(30), wait: .zero)
                let owner = try #require(try cluster.owner(ofSlot: Int(HashSlot(key: first.keys.lock).rawValue), accordingTo: cluster.masters[0]))
                #expect(try owner.cli(["HGET", first.keys.lock, "kind"]) == "semaphore")
                #expect(try owner.cli(["GET", first.keys.permits]) == "2")
                #expect(try owner.cli(["ZCARD", first.keys.expiries]) == "2")
                let waiting = Task { try await waiters.permits(2).lock(name, ttl: .seconds(30), wait: .seconds(20)) }
                try #require(try await eventually(timeout: .seconds(10), interval: .milliseconds(20)) {
                    try owner.cli(["PUBSUB", "SHARDNUMSUB", first.keys.channel]).hasSuffix("1")
                }, "the waiter is not subscribed to the shard channel")
                let released = ContinuousClock.now
                #expect(try await holders.permits(2).unlock(first))
                let third = try await waiting.value
                #expect(ContinuousClock.now - released < .seconds(5), "woken by the retry timer, not the release")
                #expect(third.fence == 3)
                #expect(try await holders.permits(2).unlock(second))
                #expect(try await waiters.permits(2).unlock(third))
            }
        }
    }
}
