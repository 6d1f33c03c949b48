import BenchmarkSupport
import Foundation
import RESP
import RedisLock
import LocalRedis

/// Issue 12's benchmark (`inspector-benchmark live …`, run by `scripts/benchmark-live.sh`): on
/// one private server holding 100k locks among 1M keys, with a generator changing 2,000 locks/s,
/// windows of the same length one after the other: nothing watching (the baseline), the live
/// inspector (change stream), today's rescanning refresh (the reference), and the sweeping
/// inspector with the change stream turned off (`--max-load`). For each: the Redis CPU it adds
/// over the baseline (`INFO cpu`), change → row latency against the generator's clock, and
/// what the inspector reports about itself; then the live inspector's initial load against
/// the SCAN-alone floor, and the resident memory of the real dashboard and of `lockwatch list`.
enum LiveDashboardBenchmark {
    static func run(arguments: [String]) async throws {
        let options = try LiveBenchmarkOptions(arguments: arguments)
        let url = "redis://127.0.0.1:\(options.port)"
        let client = try RedisClient(url: url)
        say("populating…")
        let mix = try await Population.fill(client, locks: options.locks, total: options.keys)
        say("server: \(mix); \(ProcessInfo.processInfo.activeProcessorCount) cores (shared with other work: figures are noisy)")

        let generatorClient = try RedisClient(url: url)
        let generator = ChurnGenerator(client: generatorClient, rate: options.changesPerSecond)
        let churn = Task { await generator.run() }
        defer { churn.cancel() }
        try await Task.sleep(for: .seconds(2))  // let the churn reach its rate before measuring
        let window = Duration.seconds(options.seconds)
        say("churn: \(options.changesPerSecond) lock changes/s (acquire, extend, release, let expire); windows of \(options.seconds) s, \(options.rounds) round(s)")

        var baseline: [Double] = []
        var results: [String: [WindowResult]] = [:]
        var initialLoads: [Duration] = []
        for round in 0 ..< options.rounds {
            baseline.append(try await Self.idleWindow(client, generator: generator, window: window))
            say("round \(round + 1): baseline Redis CPU \(percent(baseline.last!)) of a core (the generator alone)")
            if options.parts.contains("live") {
                let live = try await LiveWindow.run(url: url, client: client, generator: generator, window: window, changeStream: true, maxLoad: options.maxLoad)
                initialLoads.append(live.initialLoad)
                results["live", default: []].append(live.result)
            }
            if options.parts.contains("reference") {
                let reference = try await ReferenceWindow.run(url: url, client: client, generator: generator, window: window)
                results["reference", default: []].append(reference)
            }
            if options.parts.contains("sweeping") {
                let budget = try await LiveWindow.run(url: url, client: client, generator: generator, window: window, changeStream: false, maxLoad: options.maxLoad)
                results["sweeping", default: []].append(budget.result)
            }
            for name in ["live", "reference", "sweeping"] {
                guard let last = results[name]?.last else { continue }
                say("  \(name): \(last.summary(baseline: baseline.last!))")
            }
        }
        // The SCAN-alone floor, with the churn still running as during the initial loads.
        let floorConnection = try await RedisConnection.connect(RedisConfiguration(url: url))
        let floor = try await ScanFloor.measure(floorConnection, pattern: "lock:*", count: LockInspector(client: client, selection: .prefix("lock:")).scanCount, rounds: 3)
        await floorConnection.close()
        let idle = Statistics.median(baseline)
        say("")
        say("summary (median of \(options.rounds) round(s); Redis CPU added = window's INFO cpu rate − baseline's \(percent(idle))):")
        for (name, goal) in [("live", "goal ≤ 3% of a core, p99 ≤ 100 ms"), ("reference", "today's rescanning refresh"), ("sweeping", "goal: ≤ --max-load \(options.maxLoad)%")] {
            guard let rows = results[name] else { continue }
            let median = rows.sorted { $0.cpuRate < $1.cpuRate }[rows.count / 2]
            say("  \(name): \(median.summary(baseline: idle))  [\(goal)]")
        }

        // Initial load against the SCAN-alone floor, same server, same run.
        let initial = Statistics.median(initialLoads)
        let ratio = initial.seconds / floor.seconds
        if !initialLoads.isEmpty { say("initial load (live inspector's first refresh: full scan + streams opened, under the churn): \(Statistics.format(initial)); SCAN alone (under the churn) \(Statistics.format(floor)); "
            + "\(String(format2: ratio, unit: "x")) the floor  [goal ≤ 1.3x: \(Statistics.verdict(ratio <= 1.3))]") }

        if options.parts.contains("initial") {
            say("initial load against the SCAN-alone floor, alternated, under the churn:")
            for count in options.scanCounts {
                let measured = try await InitialLoad.measure(url: url, rounds: max(options.rounds, 5), scanCount: count)
                say("COUNT \(count): initial load median \(Statistics.format(measured.load)), SCAN alone \(Statistics.format(measured.floor)); median ratio \(String(format2: measured.ratio, unit: "x"))  [goal ≤ 1.3x: \(Statistics.verdict(measured.ratio <= 1.3))]")
            }
        }
        churn.cancel()

        if let binary = options.lockwatch, options.parts.contains("memory") {
            try await Self.memory(binary: binary, url: url)
        }
        await generatorClient.shutdown()
        await client.shutdown()
    }

    /// The server's CPU rate over a window with nothing but the generator.
    static func idleWindow(_ client: RedisClient, generator: ChurnGenerator, window: Duration) async throws -> Double {
        let before = try await CPUTime.server(client)
        let start = ContinuousClock.now
        try await Task.sleep(for: window)  // the baseline is a span of time without an inspector
        let rate = (try await CPUTime.server(client) - before) / (ContinuousClock.now - start).seconds
        _ = generator.take()
        return rate
    }

    /// Resident memory of the real dashboard (live mode, in tmux, after its first screen and
    /// a few refreshes) and of `lockwatch list` (its peak, from `/usr/bin/time`).
    static func memory(binary: String, url: String) async throws {
        let probe = DashboardProbe(binary: binary, url: url, width: 120, height: 40)
        try probe.start()
        defer { probe.stop() }
        let pid = try probe.pid()
        _ = try await probe.waitForScreen(limit: .seconds(120), "the dashboard's first screen in live mode") { $0.contains("live ·") }
        try await Task.sleep(for: .seconds(5))  // a few refreshes, with the churn stopped
        let dashboard = DashboardProbe.memory(of: pid)
        probe.stop()
        let list = try ProcessRunner.run("/usr/bin/time", ["-f", "%M %e", binary, "list", "--url", url, "--prefix", "lock:"], timeout: .seconds(300))
        let figures = list.standardError.split(whereSeparator: \.isNewline).last.map { $0.split(separator: " ") } ?? []
        let listPeak = figures.first.flatMap { Int($0) } ?? 0
        say("resident memory: dashboard \(dashboard.resident / 1024) MB (peak \(dashboard.peak / 1024) MB); lockwatch list peak \(listPeak / 1024) MB in \(figures.dropFirst().first ?? "?") s  "
            + "[goal ≤ 150 MB: \(Statistics.verdict(dashboard.peak < 150 * 1024 && listPeak < 150 * 1024))]")
    }
}

/// What one window measured.
struct WindowResult {
    /// The server's CPU seconds per second over the window.
    var cpuRate: Double
    var observed: ChurnGenerator.Observed
    var changes: Int
    /// What the inspector said about itself (live inspectors only).
    var reported: InspectionLoad?
    var reportedStaleness: (median: Duration, max: Duration)?
    var note = ""

    func summary(baseline: Double) -> String {
        let latency = observed.latencies
        var text = "Redis CPU added \(percent(cpuRate - baseline)) of a core; change → row "
        text += latency.isEmpty ? "not seen" : "p50 \(ms(latency.microseconds(atPercentile: 50))), p99 \(ms(latency.microseconds(atPercentile: 99))), max \(ms(latency.maxMicroseconds))"
        text += " (\(observed.matched) of \(changes) changes seen as their own event, \(observed.expiries) expiries)"
        if let reported {
            text += "; reports +\(Int(reported.commandsPerSecond.rounded())) cmd/s, \(String(format2: reported.serverMillisecondsPerSecond, unit: "ms/s")) (\(String(format2: reported.percent, unit: "%")), by \(reported.measure.rawValue))"
            if let period = reported.sweepPeriod { text += ", sweeps every \(Statistics.format(period))" }
        }
        if let reportedStaleness {
            text += "; rows ≤ \(Statistics.format(reportedStaleness.median)) old (median), ≤ \(Statistics.format(reportedStaleness.max)) (max)"
        }
        return text + note
    }

    private func ms(_ microseconds: Double) -> String { Statistics.format(.microseconds(Int64(microseconds))) }
}

func percent(_ fraction: Double) -> String { String(format2: fraction * 100, unit: "%") }
