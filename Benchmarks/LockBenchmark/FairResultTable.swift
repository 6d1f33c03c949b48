import BenchmarkSupport
import Foundation

/// What one contended run of case (f) measured.
struct FairRunResult: Sendable {
    /// Release (before `unlock`) to the next acquisition, over the window: p50 and p99 in µs.
    var gapP50: Double
    var gapP99: Double
    /// The longest any `lock` call waited, in ms.
    var longestWaitMilliseconds: Double
    /// The most acquisitions by others during one wait (see ``ContenderRun/mostOvertakes``).
    var mostOvertakes: Int
    /// Over every holding of the run, in acquisition order: holdings that began before the
    /// previous one ended, and fences that did not increase. Both must be 0.
    var overlaps: Int
    var fenceInversions: Int
    var acquisitionsPerSecond: Double
    var serverMicrosecondsPerCycle: Double
    var waitTimeouts: Int
    var holders: Int

    init(_ run: ContenderRun, hold: Duration, window: Duration, serverMicrosecondsPerCycle: Double) {
        let analysed = run.intervals.analysed(hold: hold, window: window)
        gapP50 = analysed.gap.microseconds(atPercentile: 50)
        gapP99 = analysed.gap.microseconds(atPercentile: 99)
        acquisitionsPerSecond = analysed.acquisitionsPerSecond
        holders = analysed.distinctHolders
        longestWaitMilliseconds = Double(run.longestWait) / 1e6
        mostOvertakes = run.mostOvertakes
        let sorted = run.intervals.sorted { $0.acquired < $1.acquired }
        var overlaps = 0, inversions = 0
        for (earlier, later) in zip(sorted, sorted.dropFirst()) {
            if later.acquired < earlier.released { overlaps += 1 }
            if let fence = later.fence, let previous = earlier.fence, fence <= previous { inversions += 1 }
        }
        self.overlaps = overlaps
        fenceInversions = inversions
        waitTimeouts = run.waitTimeouts
        self.serverMicrosecondsPerCycle = serverMicrosecondsPerCycle
    }
}

/// Case (f)'s results over the rounds, and their table: medians, and the fair/`Locker`
/// ratios of each round.
struct FairResultTable {
    private var runs: [String: [FairRunResult]] = [:]
    private var uncontended: [String: [Double]] = [:]

    private static func key(_ kind: ContendedKind, _ mode: ContentionMode) -> String { kind.rawValue + "/" + mode.rawValue }

    mutating func add(_ kind: ContendedKind, _ mode: ContentionMode, _ result: FairRunResult) {
        runs[Self.key(kind, mode), default: []].append(result)
    }

    mutating func addUncontended(_ label: String, _ microsecondsPerCycle: Double) {
        uncontended[label, default: []].append(microsecondsPerCycle)
    }

    var isEmpty: Bool { runs.isEmpty && uncontended.isEmpty }

    func render(holdMilliseconds: Int, contenders: Int) -> String {
        let bound = 1.2 * Double(contenders - 1) * Double(holdMilliseconds)
        var lines = [
            "(f) fair lock beside Locker: \(contenders) contenders, \(holdMilliseconds) ms holds (medians over rounds)",
            "| lock | contenders | hand-off gap p50 | gap p99 | longest wait (target ≤ \(String(format: "%.1f", bound)) ms) | longest wait ÷ (\(contenders - 1) × mean cycle) | most others served during one wait (FIFO: \(contenders - 1)) | overlaps | fence inversions | acquisitions/s | server µs per cycle | wait timeouts |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for mode in ContentionMode.allCases {
            for kind in ContendedKind.allCases {
                let results = runs[Self.key(kind, mode)] ?? []
                guard !results.isEmpty else { continue }
                lines.append(row(kind, mode, results, bound: bound, contenders: contenders))
            }
        }
        for mode in ContentionMode.allCases {
            let fair = runs[Self.key(.fair, mode)] ?? [], locker = runs[Self.key(.locker, mode)] ?? []
            guard !fair.isEmpty, fair.count == locker.count else { continue }
            let ratios = zip(fair, locker).map { $0.gapP50 / max($1.gapP50, 0.001) }
            let perRound: String = ratios.map { String(format: "%.2f", $0) }.joined(separator: ", ")
            let median: Double = Statistics.median(ratios)
            lines.append("gap p50 FairLocker/Locker, \(mode.label), per round: \(perRound); median " + String(format: "%.2f", median) + " (target ≤ 0.6: \(Statistics.verdict(median <= 0.6)))")
        }
        if !uncontended.isEmpty {
            lines += ["", "(f) uncontended acquire + release: server µs per cycle (INFO commandstats usec of the top-level commands ÷ cycles)",
                      "| lock | median | per round |", "|---|---|---|"]
            for label in UncontendedKind.allCases.map(\.label) + ["redis-py Lock"] {
                guard let values = uncontended[label] else { continue }
                let perRound: String = values.map { String(format: "%.1f", $0) }.joined(separator: ", ")
                lines.append("| \(label) | " + String(format: "%.1f", Statistics.median(values)) + " | \(perRound) |")
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func us(_ value: Double) -> String { String(format: "%.0f µs", value) }

    /// One row of the contended table: medians over the rounds, sums of the errors.
    private func row(_ kind: ContendedKind, _ mode: ContentionMode, _ results: [FairRunResult], bound: Double, contenders: Int) -> String {
        let longest: Double = Statistics.median(results.map(\.longestWaitMilliseconds))
        let worst: Double = results.map(\.longestWaitMilliseconds).max() ?? 0
        let met: Bool = results.allSatisfy { $0.longestWaitMilliseconds <= bound }
        let verdict: String = kind == .fair ? " " + Statistics.verdict(met) : ""
        let gaps: String = Self.us(Statistics.median(results.map(\.gapP50))) + " | " + Self.us(Statistics.median(results.map(\.gapP99)))
        let wait: String = String(format: "%.1f ms (max %.1f)", longest, worst) + verdict
        // The bound with the holds and gaps this machine really delivered: (n − 1) mean cycles.
        let cycles: [Double] = results.map { $0.longestWaitMilliseconds * $0.acquisitionsPerSecond / 1000 / Double(max(contenders - 1, 1)) }
        let relative: String = String(format: "%.2f", Statistics.median(cycles))
        let overtakes: String = "\(results.map(\.mostOvertakes).max() ?? 0)"
        let errors: String = "\(results.map(\.overlaps).reduce(0, +)) | \(results.map(\.fenceInversions).reduce(0, +))"
        let rate: Int = Int(Statistics.median(results.map(\.acquisitionsPerSecond)))
        let server: String = String(format: "%.1f", Statistics.median(results.map(\.serverMicrosecondsPerCycle)))
        let timeouts: Int = results.map(\.waitTimeouts).reduce(0, +)
        return "| \(kind.label) | \(mode.label) | \(gaps) | \(wait) | \(relative) | \(overtakes) | \(errors) | \(rate) | \(server) | \(timeouts) |"
    }
}
