/// What the dashboard remembers about one key across scans, for the detail view.
public struct KeyHistory: Sendable, Hashable {
    /// How many samples are kept.
    static let sampleLimit = 60
    /// How many distinct holders are kept.
    static let holderLimit = 8

    /// Acquisitions per second at each scan, oldest first (at most 60).
    public private(set) var samples: [Double] = []
    /// The holders seen on the key (owner, or token when there is no owner), oldest first,
    /// raw from Redis: sanitize before printing.
    public private(set) var holders: [String] = []
    /// The scan generation the key was last present in.
    var lastSeenGeneration = 0

    /// Records one scan where the key was present.
    mutating func record(rate: Double?, holder: String?, generation: Int) {
        append(rate ?? 0)
        lastSeenGeneration = generation
        guard let holder, holders.last != holder else { return }
        holders.removeAll { $0 == holder }
        holders.append(holder)
        if holders.count > Self.holderLimit { holders.removeFirst(holders.count - Self.holderLimit) }
    }

    /// Records one scan where the key was absent.
    mutating func recordAbsent() {
        append(0)
    }

    private mutating func append(_ sample: Double) {
        samples.append(sample)
        if samples.count > Self.sampleLimit { samples.removeFirst(samples.count - Self.sampleLimit) }
    }
}
