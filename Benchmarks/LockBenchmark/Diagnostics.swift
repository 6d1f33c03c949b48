import BenchmarkSupport
import RESP
import RedisLock

/// Where the time of an uncontended cycle goes: the same two round trips without the lock
/// library around them. Shown under the main table, not compared with a target.
enum Diagnostics {
    static let ping = RESPCommand("PING")

    /// Two `PING`s per cycle through `RedisClient`: the client's own round-trip cost.
    static func clientPings(_ client: RedisClient, cycles: Int) async throws -> CycleMeasurement {
        try await timed(cycles: cycles) {
            _ = try await client.send(ping)
            _ = try await client.send(ping)
        }
    }

    /// The library's acquire and release scripts (copied verbatim from `LockScripts`) through
    /// `RedisClient.run`, with fixed arguments: the server's script cost plus the client's.
    static func rawScripts(_ client: RedisClient, cycles: Int) async throws -> CycleMeasurement {
        let keys = ["lock:{bench:raw}", "lock:{bench:raw}:fence"]
        return try await timed(cycles: cycles) {
            let reply = try await client.run(acquire, keys: keys, arguments: [recordPrefix, "10000"])
            guard case .array(let parts) = reply.value, parts.count == 3 else { throw BenchmarkError("unexpected acquire reply") }
            var iterator = parts.makeIterator()
            _ = iterator.next()
            let value = try String(fromRESP: iterator.next()!)
            _ = try await client.run(release, keys: [keys[0]], arguments: [value, "lock:{bench:raw}:released", "released", "PUBLISH"])
        }
    }

    private static func timed(cycles: Int, _ cycle: () async throws -> Void) async throws -> CycleMeasurement {
        CycleMeasurement(try await measureEach(cycles, warmUp: 1000, cycle))
    }

    /// The start of a record as `Locker` sends it to the acquire script.
    static let recordPrefix = #"{"v":1,"token":"0123456789abcdef0123456789abcdef","owner":"bench:1","acquired_ms":"#

    /// The library's own scripts, run without `Locker` around them.
    static let acquire = LockScripts.acquire
    static let release = LockScripts.release
}
