import BenchmarkSupport
import NIOCore
import RESP

/// The floor under any refresh: SCAN alone, one `SCAN cursor MATCH P COUNT C` after another
/// as `redis-cli --scan --pattern P --count C > /dev/null` does it (this machine's redis-cli
/// 7.0 has no `--count`, so it runs here on its own connection): no reads, no decoding. A
/// refresh that must see every key cannot beat the server's time to answer these SCANs.
enum ScanFloor {
    /// The median wall time of `rounds` full scans.
    static func measure(_ connection: RedisConnection, pattern: String, count: Int, rounds: Int) async throws -> Duration {
        let clock = ContinuousClock()
        var samples: [Duration] = []
        for _ in 0..<max(rounds, 1) {
            let start = clock.now
            var cursor = ByteBuffer(string: "0")
            repeat {
                let reply = try await connection.send(RESPCommand("SCAN", cursor, "MATCH", pattern, "COUNT", count))
                guard case .array(let parts) = reply.value, parts.count == 2 else { throw BenchmarkError("unexpected SCAN reply") }
                var iterator = parts.makeIterator()
                cursor = try ByteBuffer(fromRESP: iterator.next()!)
            } while !cursor.readableBytesView.elementsEqual("0".utf8)
            samples.append(clock.now - start)
        }
        return Statistics.median(samples)
    }
}
