/// The share of a server's time the dashboard may spend on its own commands (`--max-load`),
/// and the pace of full sweeps that keeps it there.
///
/// A full sweep that cost the server `c` seconds may start again `c ÷ share` seconds after the
/// previous one started, where the share is nine tenths of the budget (a tenth is left for
/// the estimate's error and the samples that measure it) less what the other reads (the rows
/// on screen, the change stream's reads) already take: averaged over a period, the sweeps use
/// at most their share.
public struct LoadBudget: Sendable, Hashable {
    /// The share of the server's time, from 0 (exclusive) to 1.
    public let fraction: Double

    /// The default, 5%.
    public static let standard = LoadBudget(checkedFraction: 0.05)

    /// A budget of `percent` percent of the server's time.
    ///
    /// - Throws: ``LoadBudgetError`` unless `percent` is a number above 0 and at most 100.
    public init(percent: Double) throws(LoadBudgetError) {
        guard percent.isFinite, percent > 0, percent <= 100 else { throw LoadBudgetError(percent: percent) }
        fraction = percent / 100
    }

    private init(checkedFraction: Double) {
        fraction = checkedFraction
    }

    /// The budget in percent.
    public var percent: Double { fraction * 100 }

    /// The least share sweeps keep when the other reads take (almost) all of the budget, so
    /// the rows off screen are still swept, slowly.
    static let sweepShareFloor = 0.25
    /// The part of the budget the sweeps and other reads aim at.
    static let target = 0.9

    /// The most of the server's time live mode's verification sweeps take, whatever the
    /// budget: they only guard against what the change stream might miss, so a slow pass
    /// (every few minutes on a million keys) is enough.
    package static let liveSweepShare = 0.01

    /// How long after a sweep's start the next may start, for a sweep that cost `cost` of the
    /// server's time while the other reads take `otherLoad` of it, with the sweeps taking at
    /// most `maxShare` of the server; never sooner than `floor`.
    package func sweepPeriod(cost: Duration, otherLoad: Double, floor: Duration, maxShare: Double = 1) -> Duration {
        let share = min(max(fraction * Self.target - max(otherLoad, 0), fraction * Self.sweepShareFloor), maxShare)
        let period = Duration.seconds(cost.secondsValue / share)
        return max(period, floor)
    }
}

/// A `--max-load` outside 0–100%.
public struct LoadBudgetError: Error, Sendable, CustomStringConvertible {
    /// The error's code, for scripts: `invalid-max-load`.
    public let code = "invalid-max-load"
    /// What is wrong and what to do.
    public let message: String

    init(percent: Double) {
        message = "--max-load must be a percentage above 0 and at most 100 (got \(percent)); e.g. --max-load 5 for 5% of the server's time"
    }

    /// The message.
    public var description: String { message }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    var secondsValue: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
