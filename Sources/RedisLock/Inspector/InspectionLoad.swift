/// What a ``LiveInspector`` costs the server, on every snapshot it returns: the rate of its
/// commands and an estimate of the server time they take, averaged over the last minute (or
/// over two sweep periods, when those are longer).
public struct InspectionLoad: Sendable, Hashable {
    /// How the server time was estimated.
    public enum Measure: String, Sendable, Hashable {
        /// From `INFO commandstats` (and, for full sweeps, `INFO cpu`) differences.
        case serverCounters = "INFO"
        /// From how long the requests took: an upper bound, for servers that refuse `INFO`.
        case requestTiming = "request timing"
    }

    /// Commands per second the inspector sends.
    public var commandsPerSecond: Double
    /// Server milliseconds per second its commands are estimated to take (10 ms/s is 1%).
    public var serverMillisecondsPerSecond: Double
    /// How ``serverMillisecondsPerSecond`` was estimated.
    public var measure: Measure
    /// The budget, in percent of the server's time (`--max-load`).
    public var maxLoadPercent: Double
    /// The time between two full sweeps the budget allows, once one was measured.
    public var sweepPeriod: Duration?

    /// Makes a load figure.
    public init(commandsPerSecond: Double, serverMillisecondsPerSecond: Double, measure: Measure, maxLoadPercent: Double, sweepPeriod: Duration? = nil) {
        self.commandsPerSecond = commandsPerSecond
        self.serverMillisecondsPerSecond = serverMillisecondsPerSecond
        self.measure = measure
        self.maxLoadPercent = maxLoadPercent
        self.sweepPeriod = sweepPeriod
    }

    /// The share of the server's time, in percent.
    public var percent: Double { serverMillisecondsPerSecond / 10 }
}
