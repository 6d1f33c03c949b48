/// What a ``LiveInspector``'s commands cost the server, and when the next full sweep may
/// start within the ``LoadBudget``.
///
/// Full sweeps are measured with `INFO commandstats` and `INFO cpu` samples around them
/// (``ServerCostSample/sweepCost(from:to:background:)``); the other reads (rows on screen, the
/// change stream's reads) with `INFO commandstats` differences between refreshes. Where the
/// server refuses `INFO`, every request's duration stands for its server time: an upper bound,
/// since the server cannot have worked on a request longer than it took to answer.
struct LiveCost: Sendable {
    var meter = LoadMeter()
    /// How the last figure was measured.
    var measure: InspectionLoad.Measure = .serverCounters
    /// The last samples, one per server (`nil` where `INFO` was refused).
    var samples: [ServerCostSample?] = []
    /// Each server's CPU seconds per second between sweeps (everything but the sweeps).
    var background: [Double?] = []
    /// Commands and request time of the other reads since the last sample.
    var commands = 0
    var requestSeconds = 0.0
    /// The share of the server's time the other reads took in the last interval.
    var otherLoad = 0.0
    /// The time between full sweeps the budget allows, and when the next may start.
    var sweepPeriod: Duration?
    var nextSweep: ContinuousClock.Instant?

    /// The server time the last full sweep cost, in seconds (what sizes live mode's passes).
    var lastSweepCost = 0.0

    /// The least time between two samples of the other reads' cost.
    static let sampleInterval = Duration.seconds(1)
    /// The same in live mode, where the reads are small and steady: the samples themselves
    /// (two `INFO` commands) would be a good part of the load if taken every second.
    static let liveSampleInterval = Duration.seconds(5)

    /// Whether the other reads' cost is due to be sampled, at most every `interval`.
    func samplingDue(at instant: ContinuousClock.Instant, interval: Duration = sampleInterval) -> Bool {
        guard let last = samples.compactMap({ $0?.instant }).max() else { return true }
        return instant - last >= interval
    }

    /// Sets the pace of live mode's passes: a pass expected to cost `cost` seconds of the
    /// server's time lasts at least `floor`, and takes at most ``LoadBudget/liveSweepShare``.
    mutating func setPassPeriod(cost: Double, budget: LoadBudget, floor: Duration) -> Duration {
        let period = budget.sweepPeriod(cost: .seconds(cost), otherLoad: otherLoad, floor: floor, maxShare: LoadBudget.liveSweepShare)
        sweepPeriod = period
        return period
    }

    /// Counts one of the other reads: `commands` that took `elapsed` to answer.
    mutating func countRead(commands count: Int, elapsed: Duration) {
        commands += count
        requestSeconds += elapsed.secondsValue
    }

    /// Folds a sample of every server taken after the other reads into the meter.
    mutating func recordReads(_ new: [ServerCostSample?], at instant: ContinuousClock.Instant) {
        let sampled = new.count * ServerCostSample.commandCount
        let serverSeconds: Double
        if new.count == samples.count, !new.contains(where: { $0 == nil }), !samples.contains(where: { $0 == nil }) {
            var executed = 0.0
            background = []
            for (before, after) in zip(samples, new) {
                guard let before, let after else { continue }
                executed += max(after.inspectorCommandSeconds - before.inspectorCommandSeconds, 0)
                let wall = (after.instant - before.instant).secondsValue
                background.append(wall > 0 ? max(after.cpuSeconds - before.cpuSeconds, 0) / wall : nil)
            }
            serverSeconds = executed
            measure = .serverCounters
            let wall = samples.compactMap { $0?.instant }.max().map { (instant - $0).secondsValue } ?? 0
            if wall > 0 { otherLoad = executed / wall }
        } else {
            serverSeconds = requestSeconds
            if new.contains(where: { $0 == nil }) { measure = .requestTiming }
        }
        meter.record(commands: commands + sampled, serverSeconds: serverSeconds, at: instant)
        samples = new
        commands = 0
        requestSeconds = 0
    }

    /// Folds a full sweep into the meter and sets the next one's start: `before` and `after`
    /// are samples of every server around it, `commands` what it sent.
    mutating func recordSweep(
        before: [ServerCostSample?], after: [ServerCostSample?], started: ContinuousClock.Instant, wall: Duration,
        commands sweepCommands: Int, budget: LoadBudget, floor: Duration
    ) {
        var cost = 0.0
        var executedBefore = 0.0
        let measured = !before.isEmpty && before.count == after.count && !(before + after).contains { $0 == nil }
        if measured {
            for (index, (start, end)) in zip(before, after).enumerated() {
                guard let start, let end else { continue }
                cost += ServerCostSample.sweepCost(from: start, to: end, background: background.indices.contains(index) ? background[index] : nil)
                // Reads between the last sample and the sweep are the other reads'.
                if samples.indices.contains(index), let last = samples[index] {
                    executedBefore += max(start.inspectorCommandSeconds - last.inspectorCommandSeconds, 0)
                }
            }
            measure = .serverCounters
        } else {
            // Request timing: each server scans on one connection, one batch in flight, so it
            // cannot have spent longer on the sweep than the sweep took.
            cost = wall.secondsValue * Double(max(before.count, 1))
            measure = .requestTiming
        }
        let instant = ContinuousClock.now
        let sampled = (before.count + after.count) * ServerCostSample.commandCount
        meter.record(commands: commands + sweepCommands + sampled, serverSeconds: cost + (measured ? executedBefore : requestSeconds), at: instant)
        commands = 0
        requestSeconds = 0
        samples = after
        lastSweepCost = cost
        let period = budget.sweepPeriod(cost: .seconds(cost), otherLoad: otherLoad, floor: floor)
        sweepPeriod = period
        nextSweep = started + period
    }

    /// The load figure for a snapshot at `instant`.
    mutating func load(at instant: ContinuousClock.Instant, budget: LoadBudget) -> InspectionLoad {
        let rates = meter.rates(at: instant, window: (sweepPeriod ?? .zero) * 2)
        return InspectionLoad(
            commandsPerSecond: rates.commands, serverMillisecondsPerSecond: rates.serverSeconds * 1000, measure: measure,
            maxLoadPercent: budget.percent, sweepPeriod: sweepPeriod)
    }
}
