/// Medians, percentiles and formatting shared by every benchmark's report.
public enum Statistics {
    /// The `percent` percentile of `samples` (nearest rank); zero when there are none.
    public static func percentile<T: Comparable & AdditiveArithmetic>(_ samples: [T], _ percent: Double) -> T {
        guard !samples.isEmpty else { return .zero }
        let sorted = samples.sorted()
        let rank = Int((percent / 100 * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    /// The median of `samples` (the upper one of an even count); zero when there are none.
    public static func median<T: Comparable & AdditiveArithmetic>(_ samples: [T]) -> T {
        guard !samples.isEmpty else { return .zero }
        let sorted = samples.sorted()
        return sorted[sorted.count / 2]
    }

    /// `1.23 s` or `45.6 ms`.
    public static func format(_ duration: Duration) -> String {
        let seconds = duration.seconds
        if seconds >= 1 { return String(format2: seconds, unit: "s") }
        return String(format2: seconds * 1000, unit: "ms")
    }

    /// `OK` or `MISSED` against a target.
    public static func verdict(_ met: Bool) -> String { met ? "OK" : "MISSED" }
}

extension String {
    /// `value` with two decimals (one when 100 or more) and a unit.
    public init(format2 value: Double, unit: String) {
        let scaled = value >= 100 ? (value * 10).rounded() / 10 : (value * 100).rounded() / 100
        self = "\(scaled) \(unit)"
    }
}
