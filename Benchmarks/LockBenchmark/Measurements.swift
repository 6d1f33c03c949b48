import BenchmarkSupport

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
    /// redis-server's time per lock cycle (`INFO commandstats`, see ``ServerCost``), `nil`
    /// for runs without lock commands.
    var serverMicrosecondsPerCycle: Double?
}

extension CycleMeasurement {
    /// A measurement from a run's throughput and latency.
    init(_ throughput: Throughput) {
        self.init(cyclesPerSecond: throughput.perSecond, p50Microseconds: throughput.p50Microseconds, p99Microseconds: throughput.p99Microseconds)
    }
}
