/// The pause between retries of a lock operation: an exponential ceiling (the range's lower
/// bound doubled per attempt, at most its upper bound) with random jitter below it.
///
/// Waiting for a lock uses ``Jitter/full`` (anywhere from zero to the ceiling, so waiters
/// that met the same holder spread out); retrying a failed renewal or a Redlock wait uses
/// ``Jitter/aboveFloor`` (never below the lower bound, so a node that just failed is not
/// asked again at once).
public struct Backoff: Sendable, Hashable {
    /// Where in the interval below the ceiling a pause falls.
    public enum Jitter: Sendable, Hashable {
        /// Anywhere from zero to the ceiling.
        case full
        /// Anywhere from the range's lower bound to the ceiling.
        case aboveFloor
    }

    /// The first ceiling (lower bound) and the largest one (upper bound).
    public var range: ClosedRange<Duration>
    /// Where a pause falls below the ceiling.
    public var jitter: Jitter

    /// Makes a backoff over `range`.
    public init(_ range: ClosedRange<Duration>, jitter: Jitter) {
        self.range = range
        self.jitter = jitter
    }

    /// The ceiling after `attempts` tries: the lower bound × 2^attempts, at most the upper bound.
    public func ceiling(after attempts: Int) -> Duration {
        min(range.upperBound, range.lowerBound * (1 << min(max(attempts, 0), 20)))
    }

    /// A random pause after `attempts` tries.
    public func pause(after attempts: Int) -> Duration {
        let ceiling = ceiling(after: attempts)
        let fraction = Double.random(in: 0 ... 1)
        switch jitter {
        case .full: return ceiling * fraction
        case .aboveFloor: return range.lowerBound + (ceiling - range.lowerBound) * fraction
        }
    }
}
