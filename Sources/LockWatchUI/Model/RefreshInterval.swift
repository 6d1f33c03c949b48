/// The refresh intervals `+` and `-` step through.
enum RefreshInterval {
    /// The steps, shortest first.
    static let steps: [Duration] = [
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10),
    ]

    /// The next longer step after `interval`, or `nil` at the longest.
    static func longer(than interval: Duration) -> Duration? {
        steps.first { $0 > interval }
    }

    /// The next shorter step before `interval`, or `nil` at the shortest.
    static func shorter(than interval: Duration) -> Duration? {
        steps.last { $0 < interval }
    }
}
