import RESP

/// The client side of each benchmark case; every operation is a `PING` (sent as a multibulk,
/// like redis-benchmark's `PING_MBULK`).
enum Workloads {
    static let ping = RESPCommand("PING")

    /// One caller, one round trip at a time, isolated to the connection (no thread hops).
    static func sequential(_ connection: RedisConnection, requests: Int) async throws -> Measurement {
        try await connection.withIsolation { connection in
            let clock = ContinuousClock()
            var recorder = LatencyRecorder()
            for _ in 0 ..< 1000 { _ = try await connection.send(ping) }  // warm-up
            let start = clock.now
            for _ in 0 ..< requests {
                let before = clock.now
                _ = try await connection.send(ping)
                recorder.record(clock.now - before)
            }
            return recorder.measurement(operations: requests, elapsed: clock.now - start)
        }
    }

    /// `tasks` callers sharing one pipelined connection.
    static func concurrent(_ connection: RedisConnection, tasks: Int, requests: Int) async throws -> Measurement {
        let perTask = requests / tasks
        let clock = ContinuousClock()
        let start = clock.now
        let recorder = try await withThrowingTaskGroup(of: LatencyRecorder.self) { group in
            for _ in 0 ..< tasks {
                group.addTask {
                    var recorder = LatencyRecorder()
                    for _ in 0 ..< perTask {
                        let before = clock.now
                        _ = try await connection.send(ping)
                        recorder.record(clock.now - before)
                    }
                    return recorder
                }
            }
            var total = LatencyRecorder()
            for try await part in group { total.merge(part) }
            return total
        }
        return recorder.measurement(operations: perTask * tasks, elapsed: clock.now - start)
    }

    /// One caller sending explicit batches of `size` commands in one flush each.
    static func batches(_ connection: RedisConnection, size: Int, requests: Int) async throws -> Measurement {
        let batch = Array(repeating: ping, count: size)
        let rounds = requests / size
        return try await connection.withIsolation { connection in
            let clock = ContinuousClock()
            var recorder = LatencyRecorder()
            let start = clock.now
            for _ in 0 ..< rounds {
                let before = clock.now
                _ = try await connection.send(batch: batch)
                recorder.record(clock.now - before)
            }
            return recorder.measurement(operations: rounds * size, elapsed: clock.now - start)
        }
    }
}
