import Foundation
import RESP
import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// Redisson's read-write lock: each reader's own lease, the longest PTTL of its latest
/// `{name}:<uuid>:<tid>:rwlock_timeout:<n>` keys, shown per holder; the writer's is the hash's.
@Suite("Redisson read-write lock: per-reader TTLs")
struct KindRedissonReaderTTLTests {
    private let clientA = "b1f5c3c2-1a2b-4c3d-8e9f-0123456789ab"
    private let clientB = "0c2d8e11-7f3a-4b5c-9d6e-fedcba987654"

    @Test func eachReaderShowsTheLongestOfItsHoldsTTLs() async throws {
        try await withLockServer { _, admin in
            // Reader A holds twice (leases 10 s, then 50 s), reader B once (5 s); the hash
            // lives as long as the longest (RedissonReadLock's pexpire of the hash).
            let readerA = "\(clientA):57", readerB = "\(clientB):12"
            for reply in try await admin.send(batch: [
                RESPCommand("HSET", "catalog", "mode", "read"), RESPCommand("HSET", "catalog", readerA, "2"),
                RESPCommand("HSET", "catalog", readerB, "1"),
                RESPCommand("SET", "{catalog}:\(readerA):rwlock_timeout:1", "1", "PX", "10000"),
                RESPCommand("SET", "{catalog}:\(readerA):rwlock_timeout:2", "1", "PX", "50000"),
                RESPCommand("SET", "{catalog}:\(readerB):rwlock_timeout:1", "1", "PX", "5000"),
                RESPCommand("PEXPIRE", "catalog", "50000"),
            ]) { _ = try reply.get() }
            let row = try #require(try await LockInspector(client: admin, selection: .glob("*")).refresh().locks.first)
            #expect(row.kind?.summary == "rw: 2 readers")
            let ttls = Dictionary(uniqueKeysWithValues: (row.kind?.readers ?? []).map { ($0.token ?? "", $0.ttlMilliseconds) })
            let a = try #require(ttls[readerA] ?? nil), b = try #require(ttls[readerB] ?? nil)
            #expect(a > 40_000 && a <= 50_000, "reader A: \(a) ms")
            #expect(b > 0 && b <= 5_000, "reader B: \(b) ms")

            // A reader whose hold keys are gone (its lease ended) shows no TTL.
            _ = try await admin.send("DEL", "{catalog}:\(readerB):rwlock_timeout:1")
            let later = try #require(try await LockInspector(client: admin, selection: .glob("*")).refresh().locks.first)
            #expect(later.kind?.readers.first { $0.token == readerB }?.ttlMilliseconds == nil)
        }
    }

    @Test func theWritersTTLIsTheLocks() async throws {
        try await withLockServer { _, admin in
            for reply in try await admin.send(batch: [
                RESPCommand("HSET", "schema", "mode", "write"), RESPCommand("HSET", "schema", "\(clientA):3:write", "1"),
                RESPCommand("PEXPIRE", "schema", "30000"),
            ]) { _ = try reply.get() }
            let row = try #require(try await LockInspector(client: admin, selection: .glob("*")).refresh().locks.first)
            let ttl = try #require(row.kind?.writer?.ttlMilliseconds)
            #expect(ttl > 20_000 && ttl <= 30_000)
        }
    }
}
