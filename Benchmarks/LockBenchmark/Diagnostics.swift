import RESP

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
            let reply = try await client.run(acquire, keys: keys, arguments: ["0123456789abcdef0123456789abcdef", "bench:1", "10000"])
            guard case .array(let parts) = reply.value, parts.count == 3 else { throw LockBenchmarkError("unexpected acquire reply") }
            var iterator = parts.makeIterator()
            _ = iterator.next()
            let value = try String(fromRESP: iterator.next()!)
            _ = try await client.run(release, keys: [keys[0]], arguments: [value, "lock:{bench:raw}:released"])
        }
    }

    private static func timed(cycles: Int, _ cycle: () async throws -> Void) async throws -> CycleMeasurement {
        for _ in 0 ..< 1000 { try await cycle() }
        let clock = ContinuousClock()
        var recorder = LatencyRecorder()
        let start = clock.now
        for _ in 0 ..< cycles {
            let before = clock.now
            try await cycle()
            recorder.record(clock.now - before)
        }
        return recorder.measurement(cycles: cycles, elapsed: clock.now - start)
    }

    static let acquire = RedisScript("""
        local holder = redis.call('GET', KEYS[1])
        if holder then
          return {0, holder, redis.call('PTTL', KEYS[1])}
        end
        local fence = redis.call('INCR', KEYS[2])
        local now = redis.call('TIME')
        local at = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
        local value = '{"v":1,"token":"' .. ARGV[1] .. '","owner":"' .. ARGV[2] ..
          '","acquired_ms":' .. string.format('%d', at) .. ',"fence":' .. string.format('%d', fence) .. '}'
        redis.call('SET', KEYS[1], value, 'PX', ARGV[3])
        return {1, value, fence}
        """)

    static let release = RedisScript("""
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          redis.call('DEL', KEYS[1])
          redis.call('PUBLISH', ARGV[2], 'released')
          return 1
        end
        return 0
        """)
}
