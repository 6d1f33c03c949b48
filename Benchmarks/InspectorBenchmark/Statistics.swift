/// Percentiles and formatting for the report.
enum Statistics {
    /// The `percent` percentile of `samples` (nearest rank); zero when there are none.
    static func percentile(_ samples: [Duration], _ percent: Double) -> Duration {
        guard !samples.isEmpty else { return .zero }
        let sorted = samples.sorted()
        let rank = Int((percent / 100 * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    /// The median of `samples`.
    static func median(_ samples: [Duration]) -> Duration { percentile(samples, 50) }

    /// `1.23 s` or `45.6 ms`.
    static func format(_ duration: Duration) -> String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        if seconds >= 1 { return String(format2: seconds, unit: "s") }
        return String(format2: seconds * 1000, unit: "ms")
    }

    /// The duration in seconds.
    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// `OK` or `MISSED` against a target.
    static func verdict(_ met: Bool) -> String { met ? "OK" : "MISSED" }
}

extension String {
    /// `value` with two decimals (one when 100 or more) and a unit.
    init(format2 value: Double, unit: String) {
        let scaled = value >= 100 ? (value * 10).rounded() / 10 : (value * 100).rounded() / 100
        self = "\(scaled) \(unit)"
    }
}

/// A benchmark failure with a message.
struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
