import RedisTestSupport

/// The floor under any refresh: `redis-cli --scan --pattern P --count C > /dev/null`, which
/// only walks the keyspace (one SCAN after another, no reads, no decoding). A refresh cannot
/// be faster than the server takes to answer its SCANs.
enum ScanFloor {
    /// The median wall time of `rounds` such scans.
    static func measure(port: Int, pattern: String, count: Int, rounds: Int) throws -> Duration {
        let clock = ContinuousClock()
        var samples: [Duration] = []
        for _ in 0..<max(rounds, 1) {
            let start = clock.now
            let scan = try ProcessRunner.run(
                "/bin/sh", ["-c", "redis-cli -p \(port) --scan --pattern '\(pattern)' --count \(count) > /dev/null"],
                timeout: .seconds(300))
            guard scan.status == 0, !scan.timedOut else { throw BenchmarkError("redis-cli --scan failed: \(scan.combinedOutput)") }
            samples.append(clock.now - start)
        }
        return Statistics.median(samples)
    }
}
