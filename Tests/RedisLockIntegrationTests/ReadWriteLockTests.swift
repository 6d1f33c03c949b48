import Foundation
import RESP
@testable import RedisLock
import RedisTestSupport
import Synchronization
import Testing
import LockTestSupport

/// `ReadWriteLocker` against a real server: readers share, the writer is alone, a waiting
/// writer stops new readers, crashed readers expire, fences, cancellation and timeouts.
@Suite("Read-write lock")
struct ReadWriteLockTests {
    /// Two readers at once, the writer refused while they hold it and then alone; the stored
    /// layout is the contract's (hash `kind`/`mode`/`r:<token>`/`w`, expiries, PTTL).
    @Test func readersShareTheWriterIsAloneAndTheLayoutIsTheContracts() async throws {
        try await withLockServer { pool, admin in
            let rw = try HolderKindTesting.readWriteLocker(pool, owner: "rw-layout")
            let first = try await rw.reading.lock("catalog", ttl: .seconds(10), wait: .zero)
            let second = try await rw.reading.lock("catalog", ttl: .seconds(20), wait: .zero)
            #expect(first.fence == 0 && second.fence == 0, "readers before any writer see fence 0")
            let key = "lock:{catalog}"
            let stored = try await HolderKindTesting.hash(admin, key)
            #expect(stored["kind"] == "rw")
            #expect(stored["mode"] == "read")
            #expect(stored["r:" + first.token] == first.value)
            #expect(stored["r:" + second.token] == second.value)
            #expect(first.value.hasPrefix("{\"v\":1,\"kind\":\"rw\",\"token\":\"\(first.token)\",\"owner\":\"rw-layout\""))
            #expect(LockRecord(parsing: first.value)?.token == first.token)
            let now = try await admin.serverMilliseconds()
            let expiry = try #require(try await HolderKindTesting.score(admin, key + ":expiries", "r:" + second.token))
            #expect(abs(expiry - (now + 20_000)) < 2_000)
            let pttl = try await admin.pttl(key)
            #expect(pttl > 15_000 && pttl <= 20_000, "the key's PTTL is the latest holder's: \(pttl)")

            let refused = await lockError { () async throws(LockError) in try await rw.writing.lock("catalog", ttl: .seconds(10), wait: .zero) }
            #expect(refused?.code == .notAcquired)
            #expect(refused?.message.contains("readers hold it") == true, "\(String(describing: refused))")
            #expect(try await admin.exists(key + ":writer-waiting") == false, "a writer that gave up must not leave its marker")

            #expect(try await rw.reading.unlock(first))
            #expect(try await rw.reading.unlock(second))
            #expect(try await admin.exists(key) == false)
            #expect(try await admin.exists(key + ":expiries") == false)

            let writer = try await rw.writing.lock("catalog", ttl: .seconds(10), wait: .zero)
            #expect(writer.fence == 1)
            let written = try await HolderKindTesting.hash(admin, key)
            #expect(written["mode"] == "write" && written["w"] == writer.value)
            let blocked = await lockError { () async throws(LockError) in try await rw.reading.lock("catalog", ttl: .seconds(10), wait: .zero) }
            #expect(blocked?.code == .notAcquired)
            #expect(blocked?.holder?.record?.token == writer.token)
            #expect(await lockError { () async throws(LockError) in try await rw.writing.lock("catalog", ttl: .seconds(10), wait: .zero) }?.code == .notAcquired)
            #expect(try await rw.writing.unlock(writer))
            #expect(try await rw.writing.unlock(writer) == false, "a second release finds nothing")

            let after = try await rw.reading.lock("catalog", ttl: .seconds(10), wait: .zero)
            #expect(after.fence == 1, "a reader sees the fence of the last writer")
            #expect(try await rw.reading.unlock(after))
        }
    }

    /// 16 tasks (4 writers, 12 readers) × 15 rounds on one lock through two clients: never a
    /// writer with anyone else, readers together, writer fences increasing, every reader
    /// seeing the last writer's fence.
    @Test func sixteenTasksKeepTheReaderWriterInvariant() async throws {
        try await withLockServer { pool, admin in
            let lockers = [try HolderKindTesting.readWriteLocker(pool, owner: "rw-a"), try HolderKindTesting.readWriteLocker(pool, owner: "rw-b")]
            let occupancy = Occupancy()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0 ..< 16 {
                    let rw = lockers[index % 2]
                    let writes = index % 4 == 0
                    group.addTask {
                        for _ in 0 ..< 15 {
                            if writes {
                                try await rw.withWriteLock("invariant", ttl: .seconds(5), wait: .seconds(60)) { lease in
                                    occupancy.enterWriter(fence: lease.fence)
                                    try await Task.sleep(for: .milliseconds(2))
                                    occupancy.leaveWriter()
                                }
                            } else {
                                try await rw.withReadLock("invariant", ttl: .seconds(5), wait: .seconds(60)) { lease in
                                    occupancy.enterReader(fence: lease.fence)
                                    try await Task.sleep(for: .milliseconds(5))
                                    occupancy.leaveReader()
                                }
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(occupancy.violations.isEmpty, "\(occupancy.violations.prefix(5))")
            #expect(occupancy.maxReaders >= 2, "readers never held the lock together")
            #expect(try await admin.get("lock:{invariant}:fence") == "60")
            #expect(try await admin.exists("lock:{invariant}") == false)
            #expect(try await admin.exists("lock:{invariant}:writer-waiting") == false)
        }
    }

    /// A waiting writer stops new readers (its marker), gets the lock once the reader leaves
    /// (woken by the release), and new readers enter after it.
    @Test func aWaitingWriterBlocksNewReaders() async throws {
        try await withLockServer { pool, admin in
            let rw = try HolderKindTesting.readWriteLocker(pool, owner: "rw-reader")
            // Retry timers of 10 s: only the release message can wake the writer in time.
            let writerSide = try HolderKindTesting.readWriteLocker(pool, owner: "rw-writer", retryBackoff: .seconds(10) ... .seconds(10))
            let reader = try await rw.reading.lock("queue", ttl: .seconds(30), wait: .zero)
            let writing = Task { try await writerSide.writing.lock("queue", ttl: .seconds(30), wait: .seconds(20)) }
            defer { writing.cancel() }
            try #require(try await eventually { try await admin.exists("lock:{queue}:writer-waiting") }, "the writer never marked itself waiting")
            let late = await lockError { () async throws(LockError) in try await rw.reading.lock("queue", ttl: .seconds(30), wait: .milliseconds(300)) }
            #expect(late?.code == .waitTimedOut)
            #expect(late?.message.contains("a writer waits") == true, "\(String(describing: late))")
            #expect(try await HolderKindTesting.hash(admin, "lock:{queue}").count == 3, "only the first reader holds it (kind, mode, one reader)")

            let released = ContinuousClock.now
            #expect(try await rw.reading.unlock(reader))
            let writer = try #require(try await within(.seconds(5), "the writer after the release") { try await writing.value })
            #expect(ContinuousClock.now - released < .seconds(2), "woken by its retry timer, not the release")
            #expect(writer.fence == 1)
            #expect(try await admin.exists("lock:{queue}:writer-waiting") == false, "the writer dropped its marker when it took the lock")
            let readerWaits = Task { try await rw.reading.lock("queue", ttl: .seconds(30), wait: .seconds(10)) }
            #expect(try await writerSide.writing.unlock(writer))
            let next = try await readerWaits.value
            #expect(next.fence == 1)
            #expect(try await rw.reading.unlock(next))
        }
    }

    /// Nine readers on three clients re-enter back to back, so their shares always overlap:
    /// the writer still gets in, because its marker stops new readers until the current ones
    /// have left.
    @Test func aStreamOfReadersCannotStarveTheWriter() async throws {
        try await withLockServer { pool, admin in
            let readers = try (0 ..< 3).map { try HolderKindTesting.readWriteLocker(pool, owner: "stream-\($0)") }
            let writerSide = try HolderKindTesting.readWriteLocker(pool, owner: "stream-writer")
            let entered = Locked(0)
            let stream = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0 ..< 9 {
                        let rw = readers[index % 3]
                        group.addTask {
                            while !Task.isCancelled {
                                try await rw.withReadLock("stream", ttl: .seconds(5), wait: .seconds(30)) { _ in
                                    entered.withLock { $0 += 1 }
                                    try await Task.sleep(for: .milliseconds(100))
                                }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            defer { stream.cancel() }
            try #require(try await eventually { entered.value >= 20 }, "the readers never got going")
            let start = ContinuousClock.now
            let writer = try await writerSide.writing.lock("stream", ttl: .seconds(5), wait: .seconds(10))
            #expect(ContinuousClock.now - start < .seconds(3), "the writer waited \(ContinuousClock.now - start) behind the stream of readers")
            let during = entered.value
            #expect(try await HolderKindTesting.hash(admin, "lock:{stream}").keys.sorted() == ["kind", "mode", "w"], "readers inside with the writer")
            #expect(try await writerSide.writing.unlock(writer))
            #expect(try await eventually { entered.value > during }, "the readers did not come back after the writer")
        }
    }

    /// A reader that crashed (never renews, never releases) blocks the writer only until its
    /// own TTL ends; the scripts drop its share.
    @Test func aCrashedReadersShareExpires() async throws {
        try await withLockServer { pool, admin in
            let crashed = try HolderKindTesting.readWriteLocker(pool, owner: "rw-crashed")
            let healthy = try HolderKindTesting.readWriteLocker(pool, owner: "rw-healthy")
            let writerSide = try HolderKindTesting.readWriteLocker(pool, owner: "rw-writer")
            let lost = try await crashed.reading.lock("crash", ttl: .milliseconds(600), wait: .zero)
            let kept = try await healthy.reading.lock("crash", ttl: .seconds(30), wait: .zero)
            #expect(try await healthy.reading.unlock(kept))
            let start = ContinuousClock.now
            let writer = try await writerSide.writing.lock("crash", ttl: .seconds(10), wait: .seconds(10))
            let waited = ContinuousClock.now - start
            #expect(waited < .seconds(3), "the writer waited \(waited) for a 600 ms share")
            let stored = try await HolderKindTesting.hash(admin, "lock:{crash}")
            #expect(stored["r:" + lost.token] == nil, "the expired share is still stored")
            #expect(try await crashed.reading.extend(lost, ttl: .seconds(10)) == false, "an expired share must not come back")
            #expect(lost.isLost)
            #expect(try await crashed.reading.unlock(lost) == false)
            #expect(try await admin.send("HGET", "lock:{crash}", "w").decode(as: String?.self) == writer.value, "the stale reader touched the writer's lock")
            #expect(try await writerSide.writing.unlock(writer))
        }
    }

    /// A waiting writer that times out or is cancelled drops its marker at once (readers
    /// enter right after), leaves no subscription behind, and the reader stays untouched.
    @Test func aWriterThatStopsWaitingCleansUp() async throws {
        try await withLockServer { pool, admin in
            let rw = try HolderKindTesting.readWriteLocker(pool, owner: "rw-cleanup")
            let reader = try await rw.reading.lock("cleanup", ttl: .seconds(30), wait: .zero)
            let timedOut = await lockError { () async throws(LockError) in try await rw.writing.lock("cleanup", ttl: .seconds(10), wait: .milliseconds(300)) }
            #expect(timedOut?.code == .waitTimedOut)
            #expect(try await admin.exists("lock:{cleanup}:writer-waiting") == false, "the timed-out writer left its marker")
            let another = try await rw.reading.lock("cleanup", ttl: .seconds(30), wait: .zero)

            let waiting = Task { try await rw.writing.lock("cleanup", ttl: .seconds(10), wait: .seconds(30)) }
            try #require(try await eventually { try await admin.exists("lock:{cleanup}:writer-waiting") })
            waiting.cancel()
            do {
                _ = try await waiting.value
                Issue.record("the cancelled writer took the lock")
            } catch let error as LockError {
                #expect(error.code == .cancelled, "\(error)")
            }
            #expect(try await admin.exists("lock:{cleanup}:writer-waiting") == false, "the cancelled writer left its marker")
            #expect(try await eventually { try await admin.subscriberCount("lock:{cleanup}:released") == 0 }, "the cancelled writer stayed subscribed")
            let third = try await rw.reading.lock("cleanup", ttl: .seconds(30), wait: .zero)
            #expect(try await HolderKindTesting.hash(admin, "lock:{cleanup}")["w"] == nil)
            for lease in [reader, another, third] { #expect(try await rw.reading.unlock(lease)) }
        }
    }

    /// `withReadLock` renews a share far beyond its TTL while the body runs (a writer stays
    /// out), and a key of another kind is refused with a clear error and left untouched.
    @Test func withLockRenewsAndOtherKindsAreRefused() async throws {
        try await withLockServer { pool, admin in
            let rw = try HolderKindTesting.readWriteLocker(pool, owner: "rw-renewed")
            let other = try HolderKindTesting.readWriteLocker(pool, owner: "rw-other")
            let fence = try await rw.withReadLock("renewed", ttl: .seconds(2), wait: .zero) { lease in
                try await Task.sleep(for: .milliseconds(4500))
                let refused = await lockError { () async throws(LockError) in try await other.writing.lock("renewed", ttl: .seconds(5), wait: .zero) }
                #expect(refused?.code == .notAcquired, "the share expired while the body ran")
                return lease.fence
            }
            #expect(fence == 0)
            #expect(try await admin.exists("lock:{renewed}") == false)

            let exclusive = try pool.locker(owner: "exclusive")
            let plain = try #require(try await exclusive.tryLock("plain", ttl: .seconds(30)).lease)
            let wrongKind = await lockError { () async throws(LockError) in try await rw.reading.lock("plain", ttl: .seconds(5), wait: .seconds(1)) }
            #expect(wrongKind?.code == .invalidArgument)
            #expect(wrongKind?.message.contains("another kind") == true, "\(String(describing: wrongKind))")
            #expect(try await admin.get("lock:{plain}") == plain.value)
            let legacy = try Locker(client: try pool.client(), configuration: .legacy())
            #expect(throws: LockError.self) { try ReadWriteLocker(legacy) }
        }
    }

    /// On a 3-master cluster: every key of one lock on its slot's primary, the writer woken
    /// through sharded pub/sub, and readers sharing.
    @Test func onAThreeMasterCluster() async throws {
        try await withRedisCluster { cluster in
            let (readerLocker, readerClient) = try clusterLocker(cluster, owner: "cluster-reader")
            let (writerLocker, writerClient) = try clusterLocker(cluster, owner: "cluster-writer", retryBackoff: .seconds(10) ... .seconds(10))
            defer { Task { await readerClient.shutdown(); await writerClient.shutdown() } }
            let readers = try ReadWriteLocker(readerLocker)
            let writers = try ReadWriteLocker(writerLocker)
            for name in (0 ..< 6).map({ "table:\($0)" }) {
                let first = try await readers.reading.lock(name, ttl: .seconds(30), wait: .zero)
                let second = try await readers.reading.lock(name, ttl: .seconds(30), wait: .zero)
                let writing = Task { try await writers.writing.lock(name, ttl: .seconds(30), wait: .seconds(20)) }
                let owner = try #require(try cluster.owner(ofSlot: Int(HashSlot(key: first.keys.lock).rawValue), accordingTo: cluster.masters[0]))
                try #require(try await eventually(timeout: .seconds(10), interval: .milliseconds(20)) {
                    try owner.cli(["EXISTS", first.keys.writerWaiting]) == "1"
                }, "the writer's marker is not on the lock's primary")
                #expect(try owner.cli(["HGET", first.keys.lock, "kind"]) == "rw")
                #expect(try owner.cli(["ZCARD", first.keys.expiries]) == "2")
                #expect(try await readers.reading.unlock(first))
                let released = ContinuousClock.now
                #expect(try await readers.reading.unlock(second))
                let writer = try await writing.value
                #expect(ContinuousClock.now - released < .seconds(5), "woken by the retry timer, not the release")
                #expect(writer.fence == 1)
                #expect(try await writers.writing.unlock(writer))
            }
        }
    }
}
