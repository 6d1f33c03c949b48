import RESP

/// One reading of a server's counters, to estimate what the inspector's own commands cost it:
/// `INFO commandstats` (the time the server spent executing each command kind) and `INFO cpu`
/// (its process's CPU time, which also counts reading requests and writing replies).
package struct ServerCostSample: Sendable {
    /// When it was read (this process's clock).
    package var instant: ContinuousClock.Instant
    /// The server's `used_cpu_user` + `used_cpu_sys`, in seconds.
    package var cpuSeconds: Double
    /// The server's execution time of the command kinds the inspector sends, in seconds. Other
    /// clients' commands of the same kinds count too, so a difference of two samples is an upper
    /// bound on what the inspector's commands took to execute.
    package var inspectorCommandSeconds: Double

    /// The command kinds the inspector sends (`pubsub` covers `pubsub|numsub` and
    /// `pubsub|shardnumsub`; `info` is these samples themselves).
    static let inspectorCommands: Set<Substring> = ["scan", "mget", "get", "pttl", "type", "hgetall", "pubsub", "time", "info"]

    /// How many commands a sample sends.
    static let commandCount = 2

    /// A sample with these counters.
    package init(instant: ContinuousClock.Instant, cpuSeconds: Double, inspectorCommandSeconds: Double) {
        self.instant = instant
        self.cpuSeconds = cpuSeconds
        self.inspectorCommandSeconds = inspectorCommandSeconds
    }

    /// Reads a sample from `client` (one round trip); `nil` when the server refuses or does not
    /// know `INFO` (an ACL, a proxy), and the cost is then estimated by request timing.
    static func read(_ client: RedisClient) async -> ServerCostSample? {
        guard let replies = try? await client.send(batch: [RESPCommand("INFO", "commandstats"), RESPCommand("INFO", "cpu")]),
            replies.count == 2,
            let commandstats = try? replies[0].get().decode(as: String.self),
            let cpu = try? replies[1].get().decode(as: String.self)
        else { return nil }
        return parse(commandstats: commandstats, cpu: cpu, at: .now)
    }

    /// The sample these `INFO` sections give; `nil` when the CPU time is missing (not a Redis
    /// `INFO` reply).
    package static func parse(commandstats: String, cpu: String, at instant: ContinuousClock.Instant) -> ServerCostSample? {
        var cpuSeconds = 0.0
        var cpuFields = 0
        for line in cpu.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0] == "used_cpu_user" || parts[0] == "used_cpu_sys",
                let seconds = Double(parts[1].trimmingCharacters(in: .whitespaces))
            else { continue }
            cpuSeconds += seconds
            cpuFields += 1
        }
        guard cpuFields == 2 else { return nil }
        // cmdstat_pubsub|numsub:calls=2,usec=15,usec_per_call=7.50,rejected_calls=0,failed_calls=0
        var microseconds = 0.0
        for line in commandstats.split(whereSeparator: \.isNewline) where line.hasPrefix("cmdstat_") {
            let parts = line.dropFirst("cmdstat_".count).split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let kind = parts[0].split(separator: "|").first ?? parts[0]
            guard inspectorCommands.contains(Substring(kind.lowercased())) else { continue }
            for field in parts[1].split(separator: ",") where field.hasPrefix("usec=") {
                microseconds += Double(field.dropFirst("usec=".count)) ?? 0
            }
        }
        return ServerCostSample(instant: instant, cpuSeconds: cpuSeconds, inspectorCommandSeconds: microseconds / 1e6)
    }

    /// The server time a full sweep between `before` and `after` cost, at least the execution
    /// time of the inspector's command kinds meanwhile, and the server's CPU time meanwhile less
    /// what it spends without the sweep (`background`, CPU seconds per second, measured between
    /// sweeps) when that is larger: `INFO commandstats` leaves out reading requests and writing
    /// replies, which `INFO cpu` counts.
    package static func sweepCost(from before: ServerCostSample, to after: ServerCostSample, background: Double?) -> Double {
        let executed = max(after.inspectorCommandSeconds - before.inspectorCommandSeconds, 0)
        let wall = (after.instant - before.instant).secondsValue
        let cpu = after.cpuSeconds - before.cpuSeconds - max(background ?? 0, 0) * wall
        return max(executed, cpu)
    }
}
