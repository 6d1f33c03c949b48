import BenchmarkSupport
import RESP

/// Round trips through the client as a service makes them; every operation is a `PING` (sent
/// as a multibulk, like redis-benchmark's `PING_MBULK`) unless said otherwise.
enum PingWorkloads {
    static let ping = RESPCommand("PING")

    /// One caller, one round trip at a time, through `RedisClient.send`: the plain way.
    static func sequential(_ client: RedisClient, requests: Int) async throws -> Throughput {
        try await measureEach(requests, warmUp: 1000) { _ = try await client.send(ping) }
    }

    /// The opt-in for a tight loop on the default executor: the caller prefers the connection's
    /// event loop (`withTaskExecutorPreference(connection.taskExecutor)`), so no command
    /// changes threads.
    static func sequentialPreferred(_ client: RedisClient, requests: Int) async throws -> Throughput {
        let executor = try await client.connection().taskExecutor
        return try await withTaskExecutorPreference(executor) {
            try await sequential(client, requests: requests)
        }
    }

    /// `SET key v NX PX 10000` then `DEL key`, one pair after the other, through
    /// `RedisClient.send`: two plain round trips, the shape of the simplest (unsafe) lock.
    static func setDeletePairs(_ client: RedisClient, pairs: Int) async throws -> Throughput {
        let key = "bench:pair"
        return try await measureEach(pairs, warmUp: 500) {
            _ = try await client.send("SET", key, "v", "NX", "PX", 10_000)
            _ = try await client.send("DEL", key)
        }
    }

    /// One caller isolated to the connection (no thread hops): the tuned way.
    static func sequentialIsolated(_ connection: RedisConnection, requests: Int) async throws -> Throughput {
        try await connection.withIsolation { connection in
            try await measureEach(requests, warmUp: 1000) { _ = try await connection.send(ping) }
        }
    }

    /// `tasks` callers sharing one pipelined connection.
    static func concurrent(_ client: RedisClient, tasks: Int, requests: Int) async throws -> Throughput {
        _ = try await client.send(ping)  // warm-up: connect
        return try await measureConcurrently(tasks: tasks, perTask: requests / tasks) { _ in _ = try await client.send(ping) }
    }

    /// One caller sending explicit batches of `size` commands in one flush each.
    static func batches(_ client: RedisClient, size: Int, requests: Int) async throws -> Throughput {
        let batch = Array(repeating: ping, count: size)
        let rounds = requests / size
        var result = try await measureEach(rounds, warmUp: 10) { _ = try await client.send(batch: batch) }
        result.perSecond *= Double(size)  // commands, not batches
        return result
    }
}
