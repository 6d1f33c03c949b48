import NIOCore
@testable import RESP
import RedisTestSupport
import Testing

/// `RedisClient.scan` over a large keyspace.
@Suite("IntegrationScanTests")
struct IntegrationScanTests {
    @Test func scanReturnsEveryKeyExactlyOnceAndFilters() async throws {
        try await withRedisServer { server in
            let client = RedisClient(configuration: try Integration.configuration(server))
            let total = 50_000
            // 50 MSETs of 1,000 keys, sent as one batch.
            let batch = stride(from: 0, to: total, by: 1_000).map { start in
                RESPCommand("MSET", (start ..< start + 1_000).flatMap { ["key:\($0)", "v"] })
            }
            for result in try await client.send(batch: batch, timeout: .seconds(30)) {
                #expect(try result.get().decode(as: String.self) == "OK")
            }
            #expect(try await client.send("DBSIZE").decode(as: Int.self) == total)

            var seen = Set<String>()
            var count = 0
            for try await key in client.scan(count: 1_000) {
                seen.insert(String(buffer: key))
                count += 1
            }
            #expect(count == total)
            #expect(seen == Set((0 ..< total).map { "key:\($0)" }))

            // MATCH: key:1234 and key:12340 … key:12349.
            var matched: [String] = []
            for try await key in client.scan(match: "key:1234*", count: 5_000) {
                matched.append(String(buffer: key))
            }
            #expect(matched.sorted() == (["key:1234"] + (0 ... 9).map { "key:1234\($0)" }).sorted())

            // TYPE: only the hashes, among 50,000 strings.
            let hashes = (0 ..< 100).map { RESPCommand("HSET", "hash:\($0)", "f", "v") }
            for result in try await client.send(batch: hashes) { _ = try result.get() }
            var hashKeys: [String] = []
            for try await key in client.scan(count: 5_000, type: "hash") {
                hashKeys.append(String(buffer: key))
            }
            #expect(hashKeys.count == 100)
            #expect(Set(hashKeys) == Set((0 ..< 100).map { "hash:\($0)" }))

            // MATCH and TYPE together; and a scan that matches nothing ends cleanly.
            var both: [String] = []
            for try await key in client.scan(match: "hash:9*", count: 5_000, type: "hash") {
                both.append(String(buffer: key))
            }
            #expect(Set(both) == Set(["hash:9"] + (90 ... 99).map { "hash:\($0)" }))
            #expect(both.count == 11)
            var none = 0
            for try await _ in client.scan(match: "no-such-prefix:*", count: 10_000) { none += 1 }
            #expect(none == 0)
            await client.shutdown()
        }
    }

    @Test func scanOfEmptyDatabaseAndBinaryKeys() async throws {
        try await withRedisServer { server in
            let client = RedisClient(configuration: try Integration.configuration(server))
            var empty = 0
            for try await _ in client.scan() { empty += 1 }
            #expect(empty == 0)

            let binary = ByteBuffer(bytes: [0xFF, 0x00, 0x0D, 0x0A, 0x41])
            _ = try await client.send("SET", binary, "v")
            var keys: [ByteBuffer] = []
            for try await key in client.scan() { keys.append(key) }
            #expect(keys == [binary])
            await client.shutdown()
        }
    }
}
