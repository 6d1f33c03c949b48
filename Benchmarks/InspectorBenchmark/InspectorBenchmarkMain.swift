import BenchmarkSupport
import Foundation
import NIOCore
import NIOPosix
import RESP
import RedisLock

/// The dashboard's costs at scale, against one private server (started by
/// `scripts/benchmark-inspector.sh`): 100k lock keys among 1M keys. Prints the full refresh
/// time next to the naive way (`redis-cli --scan` + one PTTL and one GET per key) and their
/// ratio, keypress-to-frame times with 100k rows, and, running the real `lockwatch` in tmux,
/// its resident memory, keypress-to-screen latency and the commands per second it adds.
@main
enum InspectorBenchmark {
    static func main() async {
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        do {
            try await run()
        } catch {
            FileHandle.standardError.write(Data("inspector-benchmark: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run() async throws {
        if CommandLine.arguments.contains("live") {  // issue 12's benchmark (scripts/benchmark-live.sh)
            return try await LiveDashboardBenchmark.run(arguments: CommandLine.arguments.dropFirst().filter { $0 != "live" })
        }
        let options = try InspectorBenchmarkOptions(arguments: CommandLine.arguments)
        let url = "redis://127.0.0.1:\(options.port)"
        let client = try RedisClient(url: url)
        let clock = ContinuousClock()

        say("populating…")
        var start = clock.now
        let mix = try await Population.fill(client, locks: options.locks, total: options.keys)
        let dbsize = try await client.send("DBSIZE").decode(as: Int.self)
        say("server: \(mix) (DBSIZE \(dbsize)), written in \(Statistics.format(clock.now - start))")

        // One full refresh (SCAN + pipelined reads + decode), as the dashboard does it.
        let inspector = options.scanCount.map { LockInspector(client: client, selection: .prefix("lock:"), scanCount: $0) }
            ?? LockInspector(client: client, selection: .prefix("lock:"))
        var refreshes: [Duration] = []
        var snapshot = try await inspector.refresh()  // warm-up
        let serverCPUBefore = try await CPUTime.server(client)
        let ownCPUBefore = CPUTime.ownProcess()
        for _ in 0..<options.rounds {
            start = clock.now
            snapshot = try await inspector.refresh()
            refreshes.append(clock.now - start)
        }
        let refresh = Statistics.median(refreshes)
        let serverCPU = (try await CPUTime.server(client) - serverCPUBefore) / Double(options.rounds)
        let ownCPU = (CPUTime.ownProcess() - ownCPUBefore) / Double(options.rounds)
        say("full refresh (LockInspector: SCAN COUNT \(inspector.scanCount) pipelined with MGET/PTTL + decode): median \(Statistics.format(refresh)) "
            + "(min \(Statistics.format(refreshes.min()!)), max \(Statistics.format(refreshes.max()!)), \(options.rounds) runs); "
            + "\(snapshot.locks.count) locks of \(snapshot.scannedKeys) keys scanned, \(snapshot.commandCount) commands in "
            + "\(snapshot.roundTrips) round trips  [target < 1 s: \(Statistics.verdict(refresh < .seconds(1)))]")

        say("  CPU per refresh: Redis \(String(format2: serverCPU, unit: "s")), this process (receive, parse, decode) \(String(format2: ownCPU, unit: "s")); "
            + "\(ProcessInfo.processInfo.activeProcessorCount) cores")
        // The floor: the server's SCAN alone, as redis-cli does it (same pattern and COUNT).
        let floorConnection = try await RedisConnection.connect(RedisConfiguration(url: url))
        let floor = try await ScanFloor.measure(floorConnection, pattern: "lock:*", count: inspector.scanCount, rounds: options.rounds)
        await floorConnection.close()
        let overFloor = refresh.seconds / floor.seconds
        say("floor (SCAN alone: SCAN MATCH lock:* COUNT \(inspector.scanCount) until the cursor is 0, as redis-cli --scan): median \(Statistics.format(floor)); "
            + "the refresh takes \(String(format2: overFloor, unit: "x")) the floor  "
            + "[< 1 s reachable here: \(Self.reachability(scanFloor: floor, serverCPU: serverCPU))]")

        if options.naive {
            let naiveConnection = try await RedisConnection.connect(RedisConfiguration(url: url))
            let naive = try await NaiveRefresh.run(port: options.port, pattern: "lock:*", connection: naiveConnection)
            await naiveConnection.close()
            let ratio = naive.duration.seconds / refresh.seconds
            say("naive (redis-cli --scan --pattern 'lock:*', then PTTL + GET per key, sequential): \(Statistics.format(naive.duration)) "
                + "for \(naive.keys) keys, \(naive.commands) commands; the inspector is \(String(format2: ratio, unit: "x")) faster")
        }

        let timings = InProcessKeys.measure(snapshot, width: options.width, height: options.height)
        say("keypress → frame in process (state + full \(options.width)x\(options.height) render, \(snapshot.locks.count) rows):")
        for timing in timings {
            let p99 = Statistics.percentile(timing.samples, 99)
            say("  \(timing.name): p50 \(Statistics.format(Statistics.median(timing.samples))), p99 \(Statistics.format(p99)), "
                + "n=\(timing.samples.count)  [target < 50 ms: \(Statistics.verdict(p99 < .milliseconds(50)))]")
        }

        if let binary = options.lockwatch {
            try await measureDashboard(binary: binary, url: url, client: client, options: options, locks: snapshot.locks.count)
        }
        await client.shutdown()
    }

    /// Whether a refresh under 1 s is possible on this server: Redis runs commands on one
    /// thread, so neither SCAN alone nor the CPU Redis spends per refresh can be beaten.
    static func reachability(scanFloor: Duration, serverCPU: Double) -> String {
        if scanFloor >= .seconds(1) { return "no, SCAN alone takes longer" }
        if serverCPU >= 1 { return "no, Redis itself spends \(String(format2: serverCPU, unit: "s")) of CPU per refresh" }
        return "yes, SCAN and Redis's CPU per refresh are both under it"
    }

    static func measureDashboard(binary: String, url: String, client: RedisClient, options: InspectorBenchmarkOptions, locks: Int) async throws {
        let probe = DashboardProbe(binary: binary, url: url, width: options.width, height: options.height)
        try probe.start()
        defer { probe.stop() }
        let pid = try probe.pid()
        _ = try await probe.waitForScreen(limit: .seconds(60), "the first scan") { $0.contains("locks \(locks)/\(locks)") }
        try await Task.sleep(for: .seconds(3))  // a few more refreshes
        let before = try await DashboardProbe.commandCalls(client)
        let window = ContinuousClock.now
        try await Task.sleep(for: .seconds(options.watchSeconds))
        let after = try await DashboardProbe.commandCalls(client)
        let elapsed = (ContinuousClock.now - window).seconds
        let perSecond = Double(after - before - 1) / elapsed  // less the first INFO itself
        let screen = try probe.screen()
        let summary = screen.split(separator: "\n").first { $0.contains("cmds/refresh") }.map(String.init) ?? "(no summary line)"
        let memory = DashboardProbe.memory(of: pid)
        say("dashboard (release lockwatch in tmux \(options.width)x\(options.height), default 1 s interval):")
        say("  resident memory: \(memory.resident / 1024) MB (peak \(memory.peak / 1024) MB)  [target < 150 MB: \(Statistics.verdict(memory.peak < 150 * 1024))]")
        say("  commands/s it adds to Redis: \(Int(perSecond.rounded())) (INFO commandstats over \(String(format2: elapsed, unit: "s")))")
        say("  its own summary line: \(summary.trimmingCharacters(in: .whitespaces))")
        let latencies = try await probe.keypressLatencies(count: options.keypresses)
        let p99 = Statistics.percentile(latencies, 99)
        say("  keypress → repainted screen (tmux send-keys → capture-pane shows it, polling included): "
            + "p50 \(Statistics.format(Statistics.median(latencies))), p99 \(Statistics.format(p99)), n=\(latencies.count)  "
            + "[target < 50 ms: \(Statistics.verdict(p99 < .milliseconds(50)))]")
        let afterKeys = DashboardProbe.memory(of: pid)
        say("  resident memory at the end: \(afterKeys.resident / 1024) MB (peak \(afterKeys.peak / 1024) MB)")
    }
}

/// Command-line options of the benchmark.
struct InspectorBenchmarkOptions {
    var port = 6379
    var locks = 100_000
    var keys = 1_000_000
    var rounds = 5
    var width = 120
    var height = 40
    var watchSeconds = 10
    var keypresses = 40
    var lockwatch: String?
    var naive = true
    /// The inspector's SCAN COUNT (its default when not given).
    var scanCount: Int?

    init(arguments: [String]) throws {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            if flag == "--no-naive" {
                naive = false
                continue
            }
            guard let value = iterator.next() else { throw BenchmarkError("\(flag) needs a value") }
            if flag == "--lockwatch" {
                lockwatch = value
                continue
            }
            guard let number = Int(value), number > 0 else { throw BenchmarkError("\(flag) needs a positive number") }
            switch flag {
            case "--port": port = number
            case "--locks": locks = number
            case "--keys": keys = number
            case "--rounds": rounds = number
            case "--watch-seconds": watchSeconds = number
            case "--keypresses": keypresses = number
            case "--scan-count": scanCount = number
            default:
                throw BenchmarkError("unknown option \(flag); known: --port N --locks N --keys N --rounds N --watch-seconds N --keypresses N --scan-count N --lockwatch PATH --no-naive")
            }
        }
    }
}
