import BenchmarkSupport
import RedisLock

/// Command-line options of `inspector-benchmark live`: `--flag value` pairs.
struct LiveBenchmarkOptions {
    var port = 6379
    var locks = 100_000
    var keys = 1_000_000
    var changesPerSecond = 2_000
    /// Each window's length (60 s; shorter for trial runs).
    var seconds = 60
    var rounds = 1
    var maxLoad = LoadBudget.standard.percent
    var lockwatch: String?
    /// What to run (a shorter run while iterating): the windows, `initial` (the initial load
    /// against the SCAN floor, alternated) and `memory` (the real dashboard and `list`).
    var parts: Set<String> = Self.allParts

    /// The `SCAN` COUNTs the `initial` part measures, each against the floor at the same COUNT.
    var scanCounts = [1000]

    static let allParts: Set<String> = ["live", "reference", "sweeping", "initial", "memory"]
    static let usage = "--port N --locks N --keys N --changes N --seconds N --rounds N --max-load PERCENT --lockwatch PATH --only live,reference,sweeping,initial,memory --scan-counts 1000,5000"

    init(arguments: [String]) throws {
        var given: [String: String] = [:]
        var remaining = arguments[...]
        while let flag = remaining.popFirst() {
            guard let value = remaining.popFirst() else { throw BenchmarkError("\(flag) needs a value; known: \(Self.usage)") }
            given[flag] = value
        }
        func number(_ flag: String, _ fallback: Int) throws -> Int {
            guard let text = given.removeValue(forKey: flag) else { return fallback }
            guard let value = Int(text), value > 0 else { throw BenchmarkError("\(flag) needs a positive number, not \(text)") }
            return value
        }
        port = try number("--port", port)
        locks = try number("--locks", locks)
        keys = try number("--keys", keys)
        changesPerSecond = try number("--changes", changesPerSecond)
        seconds = try number("--seconds", seconds)
        rounds = try number("--rounds", rounds)
        lockwatch = given.removeValue(forKey: "--lockwatch")
        if let text = given.removeValue(forKey: "--max-load") {
            guard let percent = Double(text), (try? LoadBudget(percent: percent)) != nil else { throw BenchmarkError("--max-load needs a percentage above 0, at most 100") }
            maxLoad = percent
        }
        if let text = given.removeValue(forKey: "--only") {
            parts = Set(text.split(separator: ",").map(String.init))
            guard !parts.isEmpty, parts.isSubset(of: Self.allParts) else { throw BenchmarkError("--only takes a list of \(Self.allParts.sorted().joined(separator: ",")), not \(text)") }
        }
        if let text = given.removeValue(forKey: "--scan-counts") {
            scanCounts = text.split(separator: ",").compactMap { Int($0) }.filter { $0 > 0 }
            guard !scanCounts.isEmpty else { throw BenchmarkError("--scan-counts takes positive numbers separated by commas, not \(text)") }
        }
        if let unknown = given.keys.sorted().first { throw BenchmarkError("unknown option \(unknown); known: \(Self.usage)") }
    }
}
