/// The inspector's commands and their estimated server time over a sliding window, for
/// ``InspectionLoad``.
struct LoadMeter: Sendable {
    private struct Entry: Sendable {
        var instant: ContinuousClock.Instant
        var commands: Int
        var serverSeconds: Double
    }

    private var entries: [Entry] = []
    private var started: ContinuousClock.Instant?
    /// The shortest window averaged over.
    static let window = Duration.seconds(60)

    /// Counts `commands` that took `serverSeconds` of the server's time, done by `instant`.
    mutating func record(commands: Int, serverSeconds: Double, at instant: ContinuousClock.Instant) {
        if started == nil { started = instant }
        entries.append(Entry(instant: instant, commands: commands, serverSeconds: max(serverSeconds, 0)))
    }

    /// Notes when metering began (before the first command).
    mutating func start(at instant: ContinuousClock.Instant) {
        if started == nil { started = instant }
    }

    /// Commands per second and server seconds per second over the last `window` (at least
    /// ``window``), or since metering began when that is shorter (at least one second).
    mutating func rates(at instant: ContinuousClock.Instant, window requested: Duration) -> (commands: Double, serverSeconds: Double) {
        let window = max(requested, Self.window)
        entries.removeAll { instant - $0.instant > window }
        guard let started else { return (0, 0) }
        let seconds = max(min(window, instant - started).secondsValue, 1)
        let commands = entries.reduce(0) { $0 + $1.commands }
        let server = entries.reduce(0.0) { $0 + $1.serverSeconds }
        return (Double(commands) / seconds, server / seconds)
    }
}
