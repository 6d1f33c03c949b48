import BenchmarkSupport
import Foundation
import NIOPosix
import RESP

/// The round-trip limit: Debian's `redis-benchmark` sending `PING` (as a multibulk,
/// `-t ping_mbulk`) against the same server. An acquire+release cycle is two round trips, so
/// the limit in cycles/s is its requests/s divided by 2.
struct RoundTripLimit: Sendable {
    let port: Int

    func cyclesPerSecond(clients: Int, requests: Int) async throws -> CycleMeasurement {
        let (rps, p50, p99) = try await run(clients: clients, requests: requests, ["-t", "ping_mbulk"], line: "\"PING_MBULK\"")
        // Per cycle: two round trips, so twice the per-request latency.
        return CycleMeasurement(cyclesPerSecond: rps / 2, p50Microseconds: p50 * 2, p99Microseconds: p99 * 2)
    }

    /// A limit that counts the scripts' server cost too: `redis-benchmark` running the lock's
    /// acquire script on free keys, then its release script on keys that do not match (which
    /// skips the `DEL` and `PUBLISH` of a real release, so this is an upper bound). Cycles/s is
    /// `1 / (1 / acquires per s + 1 / releases per s)`. The scripts must be loaded.
    func scriptCyclesPerSecond(clients: Int, requests: Int) async throws -> CycleMeasurement {
        let acquire = try await run(clients: clients, requests: requests, [
            "-r", "100000000", "EVALSHA", Diagnostics.acquire.sha1, "2", "lock:{rb:__rand_int__}", "lock:{rb:__rand_int__}:fence",
            Diagnostics.recordPrefix, "50",
        ], line: "\"EVALSHA")
        let release = try await run(clients: clients, requests: requests, [
            "-r", "100000000", "EVALSHA", Diagnostics.release.sha1, "1", "lock:{rb:__rand_int__}", "{\"v\":1}", "lock:{rb:__rand_int__}:released",
            "released", "PUBLISH",
        ], line: "\"EVALSHA")
        return CycleMeasurement(
            cyclesPerSecond: 1 / (1 / acquire.rps + 1 / release.rps),
            p50Microseconds: acquire.p50 + release.p50, p99Microseconds: acquire.p99 + release.p99)
    }

    /// Runs redis-benchmark and returns requests/s and p50/p99 latency in µs from its CSV line.
    private func run(clients: Int, requests: Int, _ workload: [String], line prefix: String) async throws -> (rps: Double, p50: Double, p99: Double) {
        let result = try await RedisBenchmarkTool(port: port).run(clients: clients, requests: requests, workload, line: prefix)
        return (result.perSecond, result.p50Microseconds ?? 0, result.p99Microseconds ?? 0)
    }
}

/// redis-py's `Lock`, run by `python/redis_py_lock_bench.py` in the benchmark's virtualenv.
struct RedisPyPeer: Sendable {
    let python: String
    let script: String
    let port: Int

    private struct Sequential: Decodable {
        var cycles_per_second: Double
        var p50_us: Double
        var p99_us: Double
    }

    private struct HandOff: Decodable {
        var intervals: [[Int64]]
        var wait_timeouts: Int
        var errors: [String]
    }

    /// (a) `r.lock(name, timeout=10).acquire(blocking=False)` then `.release()`, in a loop.
    func sequential(cycles: Int) async throws -> CycleMeasurement {
        let reply: Sequential = try await run(["sequential", "--cycles", String(cycles)])
        return CycleMeasurement(cyclesPerSecond: reply.cycles_per_second, p50Microseconds: reply.p50_us, p99Microseconds: reply.p99_us)
    }

    /// (c) `tasks` threads on one lock, with redis-py's default polling sleep (0.1 s).
    func handOff(tasks: Int, hold: Duration, window: Duration, pauseAfterRelease: Duration) async throws -> HandOffRun {
        let reply: HandOff = try await run([
            "handoff", "--tasks", String(tasks), "--hold-ms", String(hold.seconds * 1000), "--seconds", String(window.seconds),
            "--pause-ms", String(pauseAfterRelease.seconds * 1000),
        ])
        if let error = reply.errors.first { throw BenchmarkError("redis-py hand-off failed: \(error)") }
        return HandOffRun(
            intervals: reply.intervals.map { HeldInterval(acquired: $0[0], released: $0[1], unlocked: nil, holder: Int($0[2]), fence: nil) },
            waitTimeouts: reply.wait_timeouts)
    }

    private func run<Reply: Decodable>(_ arguments: [String]) async throws -> Reply {
        let text = try await runProcess(python, [script] + arguments + ["--port", String(port)])
        guard let line = text.split(separator: "\n").last else {
            throw BenchmarkError("the redis-py peer printed nothing (is the venv set up? run scripts/benchmark-lock.sh)")
        }
        do {
            return try JSONDecoder().decode(Reply.self, from: Data(line.utf8))
        } catch {
            throw BenchmarkError("cannot read the redis-py peer's result (\(error)): \(line.prefix(300))")
        }
    }
}

/// Reads redis-server's CPU time (`INFO cpu`) and per-command time (`INFO commandstats`,
/// reset first) around a run, to tell whether and where the server was the bottleneck.
struct ServerProbe: Sendable {
    let connection: RedisConnection

    func measure(cycles: ServerCost.Cycles? = nil, _ body: @Sendable () async throws -> CycleMeasurement) async throws -> CycleMeasurement {
        _ = try await connection.send("CONFIG", "RESETSTAT")
        let before = try await cpuSeconds()
        let clientBefore = Self.clientCPUSeconds()
        let clock = ContinuousClock()
        let start = clock.now
        var result = try await body()
        let elapsed = clock.now - start
        let clientAfter = Self.clientCPUSeconds()
        let after = try await cpuSeconds()
        result.serverCores = (after - before) / elapsed.seconds
        result.clientCores = (clientAfter - clientBefore) / elapsed.seconds
        result.serverCommands = try await commandTimes()
        if let cycles { result.serverMicrosecondsPerCycle = try await ServerCost(connection: connection).microsecondsPerCycle(of: cycles) }
        return result
    }

    private func info(_ section: String) async throws -> [(key: Substring, value: Substring)] {
        let text = try await connection.send("INFO", section).decode(as: String.self)
        return text.split(whereSeparator: \.isNewline).compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (line[..<colon], line[line.index(after: colon)...])
        }
    }

    /// CPU seconds of this process plus its finished child processes.
    private static func clientCPUSeconds() -> Double {
        func seconds(_ who: Int32) -> Double {
            var usage = rusage()
            guard getrusage(__rusage_who_t(who), &usage) == 0 else { return 0 }
            return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
                + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        }
        return seconds(RUSAGE_SELF.rawValue) + seconds(RUSAGE_CHILDREN.rawValue)
    }

    private func cpuSeconds() async throws -> Double {
        try await info("cpu")
            .filter { $0.key == "used_cpu_sys" || $0.key == "used_cpu_user" }
            .compactMap { Double($0.value) }
            .reduce(0, +)
    }

    /// `EVALSHA 5.1 µs × 20000, …`: the commands that took most server time, with time per call.
    private func commandTimes() async throws -> String {
        let rows = try await ServerCost(connection: connection).commands()
            .filter { $0.key != "info" && $0.key != "config|resetstat" && $0.value.calls > 0 }
        return rows.sorted { $0.value.usec > $1.value.usec }.prefix(3)
            .map { String(format: "%@ %.1f µs × %.0f", $0.key.uppercased(), $0.value.usec / $0.value.calls, $0.value.calls) }
            .joined(separator: ", ")
    }
}
