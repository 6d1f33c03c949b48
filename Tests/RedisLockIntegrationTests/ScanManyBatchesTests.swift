import NIOCore
import RESP
@testable import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// A full scan over many pipelined batches (small `SCAN` pages and read batches, Redisson
/// hashes and lock kinds whose extra reads interleave with the walk): every lock is found once,
/// with its exact key bytes and its kind, as reading the same keys without the walk finds it;
/// a 3-primary cluster is walked on every primary; a refused read ends the scan with its error.
@Suite("Scan: many batches, exact keys, every kind")
struct ScanManyBatchesTests {
    /// `lock:` + bytes that are not UTF-8 (a NUL among them), and a key with terminal escapes.
    static let binaryKey: [UInt8] = Array("lock:".utf8) + [0xFF, 0xFE, 0x00, 0x80, 0x41]
    static let escapeKey: [UInt8] = Array("lock:\u{1B}[31mred\u{1B}[0m\r\n\u{07}".utf8)

    @Test func keysKeepTheirExactBytesThroughManyBatches() async throws {
        try await withLockServer { _, admin in
            var writes: [RESPCommand] = []
            for index in 0 ..< 1_500 {
                writes.append(RESPCommand("SET", "lock:n:\(index)", "holder-\(index)", "PX", 60_000))
                writes.append(RESPCommand("SET", "other:\(index)", "x"))
            }
            writes.append(RESPCommand("SET", ByteBuffer(bytes: Self.binaryKey), ByteBuffer(bytes: [0xC3, 0x28, 0x00]), "PX", 60_000))
            writes.append(RESPCommand("SET", ByteBuffer(bytes: Self.escapeKey), "\u{1B}]0;title\u{07}", "PX", 60_000))
            for reply in try await admin.send(batch: writes) { _ = try reply.get() }

            let snapshot = try await LockInspector(client: admin, selection: .prefix("lock:"), scanCount: 40, batchSize: 16).refresh()
            #expect(snapshot.locks.count == 1_502)
            #expect(Set(snapshot.locks.map(\.keyBytes)).count == 1_502, "each lock once")
            let binary = try #require(snapshot.locks.first { $0.keyBytes == Self.binaryKey })
            #expect(binary.value == [0xC3, 0x28, 0x00] && (binary.ttlMilliseconds ?? 0) > 0)
            let escaped = try #require(snapshot.locks.first { $0.keyBytes == Self.escapeKey })
            #expect(escaped.value == Array("\u{1B}]0;title\u{07}".utf8))
            #expect(snapshot.locks.filter { $0.key.hasPrefix("lock:n:") }.allSatisfy { $0.value == Array("holder-\($0.key.dropFirst(7))".utf8) })
            // About 3,000 keys at COUNT 40: the batches were many, each one round trip.
            #expect(snapshot.roundTrips >= 50)
        }
    }

    @Test func mixedKindsAreFoundAsReadingTheKeysWithoutTheWalkFindsThem() async throws {
        try await withLockServer { pool, admin in
            let locker = try pool.locker(owner: "scan-host")
            let rw = try ReadWriteLocker(try pool.locker(owner: "reader-host"))
            let semaphore = try Semaphore(try pool.locker(owner: "batch"))
            var leases: [LockLease] = []
            for index in 0 ..< 8 {
                leases.append(try await rw.reading.lock("catalog-\(index)", ttl: .seconds(60), wait: .seconds(5)))
                leases.append(try await semaphore.permits(3).lock("exports-\(index)", ttl: .seconds(60), wait: .seconds(5)))
                leases.append(try #require(try await locker.tryLock("job-\(index)", ttl: .seconds(60)).lease))
                _ = try await admin.send("HSET", "lock:redisson-\(index)", "8743c9c0-0795-4907-87fd-6c719a6b4586:\(index)", "1")
                _ = try await admin.send("PEXPIRE", "lock:redisson-\(index)", "60000")
            }
            var writes: [RESPCommand] = []
            for index in 0 ..< 400 { writes.append(RESPCommand("SET", "lock:plain:\(index)", "v\(index)", "PX", 60_000)) }
            writes.append(RESPCommand("SET", ByteBuffer(bytes: Self.binaryKey), "binary", "PX", 60_000))
            for reply in try await admin.send(batch: writes) { _ = try reply.get() }

            let scanner = NodeScanner(client: admin, label: nil, mode: .standalone, selection: .prefix("lock:"), scanCount: 10, batchSize: 4)
            let walked = try await scanner.scan()
            let keys = try await admin.send("KEYS", "lock:*").decode(as: [ByteBuffer].self).map { Array($0.readableBytesView) }
            let read = try await scanner.read(keys)
            #expect(walked.locks.count == 8 * 4 + 401)
            #expect(Self.rows(walked) == Self.rows(read))
            let kinds = Self.rows(walked).compactMap(\.kind)
            #expect(kinds.filter { $0 == "rw: 1 reader" }.count == 8, "\(kinds)")
            #expect(kinds.filter { $0 == "semaphore 1/3" }.count == 8, "\(kinds)")
            #expect(walked.locks.filter { $0.type == "hash" && $0.format == .redisson }.count == 8)
            #expect(walked.locks.contains { $0.keyBytes == Self.binaryKey && $0.value == Array("binary".utf8) })
            _ = leases
        }
    }

    @Test func everyPrimaryOfAClusterIsWalkedToTheEnd() async throws {
        try await withRedisCluster { cluster in
            let client = try RedisClusterClient(url: cluster.url)
            defer { Task { await client.shutdown() } }
            let expected = (0 ..< 600).map { "lock:{n\($0)}" }
            let commands = expected.map { RESPCommand("SET", $0, "holder", "PX", 60_000) }
            for reply in try await client.send(batch: commands, routedBy: expected) { _ = try reply.get() }
            _ = try await client.send(routedBy: "lock:{h}", "HSET", "lock:{h}", "8743c9c0-0795-4907-87fd-6c719a6b4586:1", "1")

            let inspector = LockInspector(servers: .cluster(client), selection: .prefix("lock:"), scanCount: 10, batchSize: 8)
            let snapshot = try await inspector.refresh()
            #expect(snapshot.unreachableNodes.isEmpty)
            #expect(snapshot.locks.count == 601)
            #expect(Set(snapshot.locks.map(\.key)) == Set(expected + ["lock:{h}"]))
            #expect(Set(snapshot.locks.compactMap(\.placement)).count == 3, "each of the 3 primaries holds some")
        }
    }

    @Test func aRefusedReadEndsTheScanWithItsError() async throws {
        try await withLockServer { pool, admin in
            var writes: [RESPCommand] = []
            for index in 0 ..< 300 {
                writes.append(RESPCommand("SET", "lock:s:\(index)", "v", "PX", 60_000))
                writes.append(RESPCommand("HSET", "lock:h:\(index)", "8743c9c0-0795-4907-87fd-6c719a6b4586:1", "1"))
            }
            for reply in try await admin.send(batch: writes) { _ = try reply.get() }
            // May list and read strings, but not ask a hash's TYPE: the first hash's read fails.
            try await addViewer(admin, ["-type"])
            let viewer = try RedisClient(url: "redis://viewer:viewpw@127.0.0.1:\(pool.server.port)")
            defer { Task { await viewer.shutdown() } }
            let scanner = NodeScanner(client: viewer, label: nil, mode: .standalone, selection: .prefix("lock:"), scanCount: 10, batchSize: 4)
            let outcome = try await within(.seconds(20), "the scan with a refused read") {
                do throws(RedisError) {
                    _ = try await scanner.scan()
                    return "no error"
                } catch {
                    return "\(error.code) \(error.message)"
                }
            }
            #expect(outcome?.hasPrefix("permissionDenied") == true, "\(outcome ?? "timed out")")
        }
    }

    /// What a row shows, without its TTL (it runs down between the two reads).
    struct Row: Hashable {
        var key: [UInt8]
        var format: LockFormat
        var type: String
        var owner: String?
        var token: String?
        var value: [UInt8]?
        var kind: String?
    }

    static func rows(_ scan: NodeScan) -> [Row] {
        scan.locks.map { lock in
            Row(key: lock.keyBytes, format: lock.format, type: lock.type, owner: lock.owner, token: lock.token, value: lock.value, kind: lock.kind?.summary)
        }.sorted { $0.key.lexicographicallyPrecedes($1.key) }
    }
}
