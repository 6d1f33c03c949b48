/// Debian's `redis-benchmark` against a private server: the reference for round trips.
public struct RedisBenchmarkTool: Sendable {
    /// The server's port on 127.0.0.1.
    public let port: Int

    /// A runner for the server on `port`.
    public init(port: Int) { self.port = port }

    /// `PING` as a multibulk (`-t ping_mbulk`) from `clients` connections, `pipeline` at a time.
    public func ping(clients: Int, pipeline: Int = 1, requests: Int) async throws -> Throughput {
        try await run(clients: clients, requests: requests, ["-P", String(pipeline), "-t", "ping_mbulk"], line: "\"PING_MBULK\"")
    }

    /// Runs `workload` (extra redis-benchmark arguments) and reads requests/s and p50/p99 in µs
    /// from the CSV line that starts with `prefix`.
    public func run(clients: Int, requests: Int, _ workload: [String], line prefix: String) async throws -> Throughput {
        let arguments = ["-h", "127.0.0.1", "-p", String(port), "-c", String(clients), "-n", String(requests), "--csv"] + workload
        let text = try await runProcess("/usr/bin/redis-benchmark", arguments)
        // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
        guard let line = text.split(separator: "\n").last(where: { $0.hasPrefix(prefix) }) else {
            throw BenchmarkError("redis-benchmark printed no \(prefix) line: \(text)")
        }
        let fields = line.split(separator: ",").map { Double(String($0).trimmingCharacters(in: ["\""])) }
        guard fields.count >= 8, let rps = fields[fields.count - 7], let p50 = fields[fields.count - 4], let p99 = fields[fields.count - 2] else {
            throw BenchmarkError("cannot parse redis-benchmark output: \(line)")
        }
        return Throughput(perSecond: rps, p50Microseconds: p50 * 1000, p99Microseconds: p99 * 1000)
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Set<Character>) -> String {
        String(drop(while: set.contains).reversed().drop(while: set.contains).reversed())
    }
}
