import Foundation
import NIOCore
import RESP
import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// Redisson's read-write lock, fair lock and permit-expirable semaphore, written with the raw
/// commands of Redisson's own scripts (see /work/notes/redisson-layouts.md: RedissonReadLock
/// and RedissonWriteLock `tryLockInnerAsync`, RedissonFairLock `tryLockInnerAsync`,
/// RedissonPermitExpirableSemaphore `tryAcquireAsync`), are one row each with their holders,
/// queue or permits; their auxiliary keys are folded into that row.
@Suite("Inspector: Redisson's lock kinds")
struct RedissonKindsTests {
    private let clientA = "b1f5c3c2-1a2b-4c3d-8e9f-0123456789ab"
    private let clientB = "0c2d8e11-7f3a-4b5c-9d6e-fedcba987654"

    @Test func readWriteLockShowsItsReadersThenItsWriter() async throws {
        try await withLockServer { _, admin in
            // RedissonReadLock: hset mode read; hset <id> 1; set {name}:<id>:rwlock_timeout:1 1 px; pexpire name.
            for (index, id) in ["\(clientA):57", "\(clientB):12"].enumerated() {
                let timeout = "{catalog}:\(id):rwlock_timeout:1"
                for reply in try await admin.send(batch: [
                    RESPCommand("HSET", "catalog", "mode", "read"), RESPCommand("HSET", "catalog", id, "1"),
                    RESPCommand("SET", timeout, "1"), RESPCommand("PEXPIRE", timeout, String(30_000 + index)),
                    RESPCommand("PEXPIRE", "catalog", "30000"),
                ]) { _ = try reply.get() }
            }
            let inspector = LockInspector(client: admin, selection: .glob("*"))
            let read = try await inspector.refresh()
            #expect(read.locks.map(\.key) == ["catalog"], "the rwlock_timeout keys are folded: \(read.locks.map(\.key))")
            let row = try #require(read.locks.first)
            #expect(row.format == .redisson)
            #expect(row.kind?.kind == .readWrite && row.kind?.mode == .read)
            #expect(row.kind?.summary == "rw: 2 readers")
            #expect(Set(row.kind?.readers.compactMap(\.token) ?? []) == ["\(clientA):57", "\(clientB):12"])

            // RedissonWriteLock on a free lock: hset mode write; hset <id>:write 1; pexpire.
            _ = try await admin.send("DEL", "catalog")
            for reply in try await admin.send(batch: [
                RESPCommand("HSET", "catalog", "mode", "write"), RESPCommand("HSET", "catalog", "\(clientA):3:write", "1"),
                RESPCommand("PEXPIRE", "catalog", "30000"),
            ]) { _ = try reply.get() }
            let written = try #require(try await inspector.refresh().locks.first { $0.key == "catalog" })
            #expect(written.kind?.summary == "rw: writer")
            #expect(written.kind?.writer?.token == "\(clientA):3:write")
        }
    }

    @Test func fairLockShowsItsQueueAndAPlainRLockStaysPlain() async throws {
        try await withLockServer { _, admin in
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            // RedissonFairLock: the RLock hash, rpush queue id, zadd timeout deadline id.
            for reply in try await admin.send(batch: [
                RESPCommand("HSET", "payroll", "\(clientA):1", "1"), RESPCommand("PEXPIRE", "payroll", "30000"),
                RESPCommand("RPUSH", "redisson_lock_queue:{payroll}", "\(clientB):5", "\(clientB):7"),
                RESPCommand("ZADD", "redisson_lock_timeout:{payroll}", String(now + 330_000), "\(clientB):5",
                            String(now + 630_000), "\(clientB):7"),
                RESPCommand("HSET", "plain", "\(clientA):2", "1"), RESPCommand("PEXPIRE", "plain", "30000"),
            ]) { _ = try reply.get() }
            let snapshot = try await LockInspector(client: admin, selection: .glob("*")).refresh()
            #expect(Set(snapshot.locks.map(\.key)) == ["payroll", "plain"], "\(snapshot.locks.map(\.key))")
            let fair = try #require(snapshot.locks.first { $0.key == "payroll" })
            #expect(fair.format == .redisson)
            #expect(fair.kind?.summary == "fair: 2 queued")
            #expect(fair.kind?.queueHead?.token == "\(clientB):5")
            #expect(fair.kind?.holders.first?.token == "\(clientA):1")
            #expect(snapshot.locks.first { $0.key == "plain" }?.kind == nil)
        }
    }

    @Test func permitExpirableSemaphoreShowsPermitsUsedOfTotal() async throws {
        try await withLockServer { _, admin in
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let rawID = (0 ..< 16).map { UInt8($0 * 17) }  // 3.17+: 16 raw bytes (ByteArrayCodec)
            // trySetPermits(5) then two acquires: decrby name 1; zadd {name}:timeout deadline id.
            var writes = [
                RESPCommand("SET", "exports", "3"),
                RESPCommand("ZADD", "{exports}:timeout", String(now + 30_000), ByteBuffer(bytes: rawID)),
                RESPCommand("ZADD", "{exports}:timeout", "922337203685477", "0123456789abcdef0123456789abcdef"),
                // An expired permit not reclaimed yet: counts in the total, holds nothing.
                RESPCommand("ZADD", "{exports}:timeout", String(now - 5_000), "fedcba9876543210fedcba9876543210"),
            ]
            // Another object's integer with a :timeout set of other members is no semaphore.
            writes += [RESPCommand("SET", "visits", "42"), RESPCommand("ZADD", "{visits}:timeout", "1", "not-a-permit")]
            for reply in try await admin.send(batch: writes) { _ = try reply.get() }
            let snapshot = try await LockInspector(client: admin, selection: .glob("*")).refresh()
            #expect(Set(snapshot.locks.map(\.key)) == ["exports", "visits"], "\(snapshot.locks.map(\.key))")
            let row = try #require(snapshot.locks.first { $0.key == "exports" })
            #expect(row.format == .redisson)
            #expect(row.kind?.summary == "semaphore 2/6")
            #expect(Set(row.kind?.holders.compactMap(\.token) ?? []) == ["00112233445566778899aabbccddeeff", "0123456789abcdef0123456789abcdef"])
            #expect(row.kind?.holders.first { $0.field == rawID }?.ttlMilliseconds.map { $0 > 20_000 } == true)
            #expect(!row.isStuck, "the count never expires; its permits do")
            let visits = try #require(snapshot.locks.first { $0.key == "visits" })
            #expect(visits.format == .unknownString && visits.kind == nil)
        }
    }
}
