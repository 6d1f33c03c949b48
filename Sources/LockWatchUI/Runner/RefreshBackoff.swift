/// How long to wait before retrying after failed refreshes: 1 s, 2 s, 4 s, 8 s, then 10 s.
enum RefreshBackoff {
    /// The longest wait.
    static let maximum: Duration = .seconds(10)

    /// The wait after `failures` consecutive failures (at least 1).
    static func delay(afterFailures failures: Int) -> Duration {
        let exponent = min(max(failures, 1) - 1, 4)
        return min(.seconds(1 << exponent), maximum)
    }
}

/// A refresh that did not answer in time.
struct RefreshTimeoutError: Error, CustomStringConvertible {
    let after: Duration
    var description: String { "refresh timed out after \(ValueFormat.interval(after))" }
}
