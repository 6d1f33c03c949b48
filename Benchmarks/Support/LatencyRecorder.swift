public import Histogram

/// Collects per-operation latencies in nanoseconds in an HDR histogram (3 significant digits).
public struct LatencyRecorder: Sendable {
    /// The samples so far.
    public var histogram = Histogram<UInt64>(numberOfSignificantValueDigits: .three)

    /// An empty recorder.
    public init() {}

    /// Adds one sample.
    public mutating func record(_ duration: Duration) {
        record(nanoseconds: duration.nanoseconds)
    }

    /// Adds one sample given in nanoseconds (negative values count as zero).
    public mutating func record(nanoseconds: Int64) {
        _ = histogram.record(UInt64(max(0, nanoseconds)))
    }

    /// Adds every sample of `other`.
    public mutating func merge(_ other: LatencyRecorder) {
        histogram.add(other.histogram)
    }

    /// Whether no sample was recorded.
    public var isEmpty: Bool { histogram.totalCount == 0 }

    /// The value at `percentile` (0-100), in microseconds.
    public func microseconds(atPercentile percentile: Double) -> Double {
        Double(histogram.valueAtPercentile(percentile)) / 1000
    }

    /// The largest sample, in microseconds.
    public var maxMicroseconds: Double { Double(histogram.max) / 1000 }
    /// The mean, in microseconds.
    public var meanMicroseconds: Double { histogram.mean / 1000 }

    /// `operations` over `elapsed` with this recorder's p50 and p99.
    public func measurement(operations: Int, elapsed: Duration) -> Throughput {
        Throughput(
            perSecond: Double(operations) / elapsed.seconds,
            p50Microseconds: microseconds(atPercentile: 50),
            p99Microseconds: microseconds(atPercentile: 99))
    }
}

/// Operations per second and per-operation latency of one run.
public struct Throughput: Sendable, Codable {
    /// Operations (commands, lock cycles…) per second.
    public var perSecond: Double
    /// Median latency per operation, when measured.
    public var p50Microseconds: Double?
    /// 99th percentile latency per operation, when measured.
    public var p99Microseconds: Double?

    /// A measurement.
    public init(perSecond: Double, p50Microseconds: Double? = nil, p99Microseconds: Double? = nil) {
        self.perSecond = perSecond
        self.p50Microseconds = p50Microseconds
        self.p99Microseconds = p99Microseconds
    }
}

/// Runs `operation` `warmUp` times unmeasured, then `operations` times one after the other,
/// recording each; returns operations per second and the latency percentiles. Runs in the
/// caller's isolation, so a caller isolated to a connection measures without thread hops.
public func measureEach(
    isolation: isolated (any Actor)? = #isolation,
    _ operations: Int, warmUp: Int, _ operation: () async throws -> Void
) async rethrows -> Throughput {
    for _ in 0 ..< warmUp { try await operation() }
    let clock = ContinuousClock()
    var recorder = LatencyRecorder()
    let start = clock.now
    for _ in 0 ..< operations {
        let before = clock.now
        try await operation()
        recorder.record(clock.now - before)
    }
    return recorder.measurement(operations: operations, elapsed: clock.now - start)
}

/// Runs `operation(task)` `perTask` times one after the other in each of `tasks` concurrent
/// tasks, recording each; returns the operations per second of all tasks together and the
/// latency percentiles over every operation.
public func measureConcurrently(
    tasks: Int, perTask: Int, _ operation: @escaping @Sendable (_ task: Int) async throws -> Void
) async throws -> Throughput {
    let clock = ContinuousClock()
    let start = clock.now
    let recorder = try await withThrowingTaskGroup(of: LatencyRecorder.self) { group in
        for task in 0 ..< tasks {
            group.addTask {
                var recorder = LatencyRecorder()
                for _ in 0 ..< perTask {
                    let before = clock.now
                    try await operation(task)
                    recorder.record(clock.now - before)
                }
                return recorder
            }
        }
        var total = LatencyRecorder()
        for try await part in group { total.merge(part) }
        return total
    }
    return recorder.measurement(operations: perTask * tasks, elapsed: clock.now - start)
}
