import BenchmarkSupport
import RESP
import LocalRedis

/// The way a script would do it: `redis-cli --scan --pattern 'lock:*'`, then one `PTTL` and
/// one `GET` per key, each waiting for its reply (no pipelining, no decoding).
enum NaiveRefresh {
    /// What one naive refresh did and how long it took.
    struct Result {
        var keys: Int
        var commands: Int
        var duration: Duration
    }

    static func run(port: Int, pattern: String, connection: RedisConnection) async throws -> Result {
        let clock = ContinuousClock()
        let start = clock.now
        let scan = try ProcessRunner.run(
            "/usr/bin/env", ["redis-cli", "-p", "\(port)", "--scan", "--pattern", pattern],
            timeout: .seconds(300))
        guard scan.status == 0, !scan.timedOut else { throw BenchmarkError("redis-cli --scan failed: \(scan.combinedOutput)") }
        let keys = scan.standardOutput.split(separator: "\n").map(String.init)
        var commands = 0
        for key in keys {
            _ = try await connection.send(RESPCommand("PTTL", key))
            _ = try? await connection.send(RESPCommand("GET", key))  // hashes answer WRONGTYPE
            commands += 2
        }
        return Result(keys: keys.count, commands: commands, duration: clock.now - start)
    }
}
