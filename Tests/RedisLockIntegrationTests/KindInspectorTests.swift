import Foundation
import RESP
import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// The inspector against a real server reads this library's fair locks, read-write locks and
/// semaphores as one row each, with their holders, queue and permits; their auxiliary keys are
/// never rows.
@Suite("Inspector: lock kinds")
struct KindInspectorTests {
    @Test func readWriteLockShowsEachReaderThenTheWriter() async throws {
        try await withLockServer { pool, admin in
            let rw = try ReadWriteLocker(try pool.locker(owner: "reader-host"))
            var readers: [LockLease] = []
            for _ in 0 ..< 3 { readers.append(try await rw.reading.lock("catalog", ttl: .seconds(30), wait: .seconds(5))) }
            let inspector = LockInspector(client: admin, selection: .prefix("lock:"))
            let read = try await inspector.refresh()
            #expect(read.locks.map(\.key) == [readers[0].keys.lock], "one row, no :fence/:expiries rows: \(read.locks.map(\.key))")
            let row = try #require(read.locks.first)
            let kind = try #require(row.kind)
            #expect(kind.kind == .readWrite && kind.mode == .read)
            #expect(kind.summary == "rw: 3 readers")
            #expect(Set(kind.readers.compactMap(\.token)) == Set(readers.map(\.token)))
            #expect(kind.readers.allSatisfy { $0.owner == "reader-host" && ($0.ttlMilliseconds ?? 0) > 25_000 })
            #expect(Set(kind.readers.map { String(decoding: $0.field, as: UTF8.self) }) == Set(readers.map { "r:" + $0.token }))
            #expect(row.format == .lockwatch && row.owner?.hasPrefix("reader-host") == true)

            for lease in readers { _ = try await rw.reading.unlock(lease) }
            let writer = try await rw.writing.lock("catalog", ttl: .seconds(20), wait: .seconds(5))
            let written = try #require(try await inspector.refresh().locks.first)
            #expect(written.kind?.summary == "rw: writer")
            #expect(written.kind?.mode == .write)
            #expect(written.kind?.writer?.token == writer.token)
            #expect(written.token == writer.token && written.fence == writer.fence)
        }
    }

    @Test func semaphoreShowsPermitsUsedOfTotalAndItsHolders() async throws {
        try await withLockServer { pool, admin in
            let semaphore = try Semaphore(try pool.locker(owner: "batch"))
            let first = try await semaphore.permits(5).lock("exports", ttl: .seconds(30), wait: .seconds(5))
            let second = try await semaphore.permits(5).lock("exports", ttl: .seconds(30), wait: .seconds(5))
            let inspector = LockInspector(client: admin, selection: .prefix("lock:"))
            let snapshot = try await inspector.refresh()
            #expect(snapshot.locks.map(\.key) == [first.keys.lock], "the :permits count is no row: \(snapshot.locks.map(\.key))")
            let kind = try #require(snapshot.locks.first?.kind)
            #expect(kind.summary == "semaphore 2/5")
            #expect(kind.permitsTotal == 5)
            #expect(Set(kind.holders.compactMap(\.token)) == [first.token, second.token])
            #expect(Set(kind.holders.compactMap(\.fence)) == [first.fence, second.fence])

            _ = try await semaphore.setPermits("exports", to: 3)
            _ = try await semaphore.permits(5).unlock(first)
            #expect(try await inspector.refresh().locks.first?.kind?.summary == "semaphore 1/3")
        }
    }

    @Test func fairLockShowsItsHolderQueueLengthAndHead() async throws {
        try await withLockServer { pool, admin in
            let key = try await KindFixtures.writeFairLock(
                admin, name: "payroll", token: "holder-token", owner: "web-1", fence: 9,
                waiters: [.init(token: "first-waiter", owner: "web-2"), .init(token: "second-waiter", owner: "web-3"),
                          .init(token: "third-waiter", owner: "web-4")])
            let inspector = LockInspector(client: admin, selection: .prefix("lock:"))
            let snapshot = try await inspector.refresh()
            #expect(snapshot.locks.map(\.key) == [key], "queue, seq, deadlines, waiters, fence are no rows: \(snapshot.locks.map(\.key))")
            let row = try #require(snapshot.locks.first)
            #expect(row.token == "holder-token" && row.owner == "web-1" && row.fence == 9)
            let kind = try #require(row.kind)
            #expect(kind.summary == "fair: 3 queued")
            #expect(kind.queueHead?.token == "first-waiter")
            #expect(kind.queueHead?.owner == "web-2")
            #expect(kind.holders.first?.token == "holder-token")

            _ = try await admin.send("DEL", key + ":queue", key + ":waiters", key + ":deadlines")
            #expect(try await inspector.refresh().locks.first?.kind?.summary == "fair: no queue")
        }
    }

    @Test func onlyRowsOfAKindCostExtraCommands() async throws {
        try await withLockServer { pool, admin in
            let locker = try pool.locker(owner: "plain")
            for index in 0 ..< 20 { _ = try await locker.tryLock("plain-\(index)", ttl: .seconds(30)) }
            let inspector = LockInspector(client: admin, selection: .prefix("lock:"))
            let plain = try await inspector.refresh()
            let rw = try ReadWriteLocker(try pool.locker(owner: "r"))
            _ = try await rw.reading.lock("one-rw", ttl: .seconds(30), wait: .seconds(5))
            let mixed = try await inspector.refresh()
            #expect(mixed.locks.count == plain.locks.count + 1)
            // The rw row costs its TYPE + HGETALL (as any hash) and one ZRANGE of :expiries.
            #expect(mixed.commandCount - plain.commandCount <= 5, "\(plain.commandCount) -> \(mixed.commandCount)")
        }
    }
}
