import Histogram

/// Throughput (and, where known, per-cycle latency) of one run of a case.
struct CycleMeasurement: Sendable {
    /// Acquire+release cycles per second.
    var cyclesPerSecond: Double
    var p50Microseconds: Double?
    var p99Microseconds: Double?
    /// redis-server's CPU use during the run, in cores (1.0 = one core busy all the time).
    var serverCores: Double?
    /// The client side's CPU use during the run, in cores: this process for ours, the child
    /// process (redis-benchmark or Python, startup included) for the references.
    var clientCores: Double?
    /// redis-server's own time per call of the commands the run sent (`INFO commandstats`).
    var serverCommands: String?
}

/// Collects durations in nanoseconds.
struct LatencyRecorder {
    var histogram = Histogram<UInt64>(numberOfSignificantValueDigits: .three)

    mutating func record(_ duration: Duration) {
        record(nanoseconds: duration.nanoseconds)
    }

    mutating func record(nanoseconds: Int64) {
        _ = histogram.record(UInt64(max(0, nanoseconds)))
    }

    mutating func merge(_ other: LatencyRecorder) {
        histogram.add(other.histogram)
    }

    var isEmpty: Bool { histogram.totalCount == 0 }

    /// The value at `percentile` (0-100), in microseconds.
    func microseconds(atPercentile percentile: Double) -> Double {
        Double(histogram.valueAtPercentile(percentile)) / 1000
    }

    var maxMicroseconds: Double { Double(histogram.max) / 1000 }
    var meanMicroseconds: Double { histogram.mean / 1000 }

    func measurement(cycles: Int, elapsed: Duration) -> CycleMeasurement {
        CycleMeasurement(
            cyclesPerSecond: Double(cycles) / elapsed.seconds,
            p50Microseconds: microseconds(atPercentile: 50),
            p99Microseconds: microseconds(atPercentile: 99))
    }
}

extension Duration {
    /// The duration in seconds as a Double.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// Whole nanoseconds (benchmark durations never overflow).
    var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
