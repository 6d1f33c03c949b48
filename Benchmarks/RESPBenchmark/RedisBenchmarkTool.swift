import Foundation

/// Runs Debian's `redis-benchmark` against the same server, as the reference.
struct RedisBenchmarkTool {
    let port: Int

    /// Runs `PING_MBULK` with the given concurrency and pipelining and parses its CSV line.
    func run(clients: Int, pipeline: Int, requests: Int) throws -> Measurement {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-benchmark")
        process.arguments = ["-h", "127.0.0.1", "-p", String(port), "-c", String(clients), "-P", String(pipeline),
                             "-n", String(requests), "-t", "ping_mbulk", "--csv"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
        let text = String(decoding: data, as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("\"PING_MBULK\"") }) else {
            throw BenchmarkError("redis-benchmark printed no PING_MBULK line: \(text)")
        }
        let fields = line.split(separator: ",").map { Double($0.trimmingCharacters(in: CharacterSet(charactersIn: "\""))) }
        guard fields.count >= 7, let rps = fields[1], let p50 = fields[4], let p99 = fields[6] else {
            throw BenchmarkError("cannot parse redis-benchmark output: \(line)")
        }
        return Measurement(operationsPerSecond: rps, p50Microseconds: p50 * 1000, p99Microseconds: p99 * 1000)
    }
}
