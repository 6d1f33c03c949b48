import Histogram

/// Throughput and latency of one workload run.
struct Measurement: Sendable {
    var operationsPerSecond: Double
    var p50Microseconds: Double
    var p99Microseconds: Double
}

/// Collects per-operation latencies in nanoseconds.
struct LatencyRecorder {
    var histogram = Histogram<UInt64>(numberOfSignificantValueDigits: .three)

    mutating func record(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        _ = histogram.record(UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000))
    }

    mutating func merge(_ other: LatencyRecorder) {
        histogram.add(other.histogram)
    }

    func measurement(operations: Int, elapsed: Duration) -> Measurement {
        Measurement(
            operationsPerSecond: Double(operations) / elapsed.seconds,
            p50Microseconds: Double(histogram.valueAtPercentile(50)) / 1000,
            p99Microseconds: Double(histogram.valueAtPercentile(99)) / 1000)
    }
}

extension Duration {
    /// The duration in seconds as a Double.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
