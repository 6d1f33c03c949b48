import BenchmarkSupport
import RESP

/// Server time per lock cycle from `INFO commandstats` (the method of
/// `Benchmarks/server-cost.py`): the `usec` of the commands the clients send (a script's
/// `EVALSHA` includes the commands it runs, which are therefore not added again), divided by
/// the cycles. Reset with `CONFIG RESETSTAT` before each run.
struct ServerCost: Sendable {
    let connection: RedisConnection

    /// The top-level commands of this library's locks (scripts only).
    static let scripts: Set<String> = ["evalsha", "eval"]

    /// Resets the statistics.
    func reset() async throws {
        _ = try await connection.send("CONFIG", "RESETSTAT")
    }

    /// Calls and µs per command since the last reset, by lowercase name.
    func commands() async throws -> [String: (calls: Double, usec: Double)] {
        let text = try await connection.send("INFO", "commandstats").decode(as: String.self)
        var result: [String: (calls: Double, usec: Double)] = [:]
        for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix("cmdstat_") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            var fields: [Substring: Double] = [:]
            for pair in line[line.index(after: colon)...].split(separator: ",") {
                let parts = pair.split(separator: "=")
                if parts.count == 2, let number = Double(parts[1]) { fields[parts[0]] = number }
            }
            if let calls = fields["calls"], let usec = fields["usec"] {
                result[String(line[line.index(line.startIndex, offsetBy: 8) ..< colon]).lowercased()] = (calls, usec)
            }
        }
        return result
    }

    /// Who ran the lock cycles of a run, which says what a cycle's server time is.
    enum Cycles: Sendable {
        /// This library: an acquire and a release script per cycle.
        case scripts
        /// redis-py: `SET NX PX` plus a release script per cycle.
        case redisPy
    }

    /// µs per lock cycle since the reset: the script time over half the script calls, or for
    /// redis-py the `SET` and script time over the `SET` calls (a script's inner `SET` is
    /// counted under `SET` as well, so the two cannot be told apart by the counts alone).
    func microsecondsPerCycle(of cycles: Cycles) async throws -> Double? {
        let commands = try await commands()
        let scripts = Self.scripts.compactMap { commands[$0] }
        let scriptCalls = scripts.reduce(0) { $0 + $1.calls }, scriptTime = scripts.reduce(0) { $0 + $1.usec }
        switch cycles {
        case .scripts:
            return scriptCalls > 0 ? scriptTime / (scriptCalls / 2) : nil
        case .redisPy:
            guard let set = commands["set"], set.calls > 0 else { return nil }
            return (scriptTime + set.usec) / set.calls
        }
    }

    /// µs of `topLevel` commands since the reset, per cycle.
    func microsecondsPerCycle(_ topLevel: Set<String>, cycles: Int) async throws -> Double {
        guard cycles > 0 else { return 0 }
        let usec = try await commands().filter { topLevel.contains($0.key) }.reduce(0) { $0 + $1.value.usec }
        return usec / Double(cycles)
    }
}
