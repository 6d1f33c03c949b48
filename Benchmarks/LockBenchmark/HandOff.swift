import BenchmarkSupport

extension HandOffRun {
    /// The run analysed over `window` with holds of `hold`.
    func analysed(hold: Duration, window: Duration) -> HandOffResult {
        var result = intervals.analysed(hold: hold, window: window)
        result.waitTimeouts = waitTimeouts
        return result
    }
}

/// What case (c) measured for one side in one round.
struct HandOffResult: Sendable {
    /// Acquisitions per second over the window.
    var acquisitionsPerSecond: Double
    /// `acquisitionsPerSecond` over the ideal `1 / hold`.
    var ratio: Double
    /// Release (before `unlock`) to the next acquisition, over every hand-off in the window.
    var gap: LatencyRecorder
    /// The same, only where another contender took the lock (a real hand-off).
    var crossGap: LatencyRecorder
    /// How many contenders held the lock at least once in the window.
    var distinctHolders: Int
    /// For ours: release to `unlock` returning, and `unlock` returning to the next acquisition.
    var unlockPart: LatencyRecorder
    var wakePart: LatencyRecorder
    /// How long each holding really lasted (the sleep plus its overshoot).
    var heldMeanMicroseconds: Double
    /// Consecutive holdings, and those where another contender took over.
    var handOffs: Int
    var crossHandOffs: Int
    /// Consecutive holdings that overlapped or fences that went backwards: must be 0.
    var violations: Int
    /// Waits that timed out (set by ``HandOffRun``).
    var waitTimeouts = 0
}

extension Array where Element == HeldInterval {
    /// Sorts by acquisition and measures the `window` that starts at the first acquisition.
    func analysed(hold: Duration, window: Duration) -> HandOffResult {
        let sorted = self.sorted { $0.acquired < $1.acquired }
        guard let first = sorted.first else {
            return HandOffResult(acquisitionsPerSecond: 0, ratio: 0, gap: LatencyRecorder(), crossGap: LatencyRecorder(),
                                 distinctHolders: 0, unlockPart: LatencyRecorder(),
                                 wakePart: LatencyRecorder(), heldMeanMicroseconds: 0, handOffs: 0, crossHandOffs: 0, violations: 0)
        }
        let end = first.acquired + window.nanoseconds
        let inWindow = sorted.prefix { $0.acquired < end }
        var gap = LatencyRecorder(), crossGap = LatencyRecorder(), unlockPart = LatencyRecorder(), wakePart = LatencyRecorder()
        var held: Int64 = 0, same = 0, violations = 0
        for (index, interval) in inWindow.enumerated() {
            held += interval.released - interval.acquired
            guard index > 0 else { continue }
            let previous = inWindow[inWindow.startIndex + index - 1]
            if interval.acquired < previous.released { violations += 1 }
            if let fence = interval.fence, let previousFence = previous.fence, fence <= previousFence { violations += 1 }
            gap.record(nanoseconds: interval.acquired - previous.released)
            if interval.holder == previous.holder {
                same += 1
            } else {
                crossGap.record(nanoseconds: interval.acquired - previous.released)
            }
            if let unlocked = previous.unlocked {
                unlockPart.record(nanoseconds: unlocked - previous.released)
                wakePart.record(nanoseconds: interval.acquired - unlocked)
            }
        }
        let rate = Double(inWindow.count) / window.seconds
        let handOffs = Swift.max(inWindow.count - 1, 0)
        return HandOffResult(
            acquisitionsPerSecond: rate, ratio: rate * hold.seconds, gap: gap, crossGap: crossGap,
            distinctHolders: Set(inWindow.map(\.holder)).count, unlockPart: unlockPart, wakePart: wakePart,
            heldMeanMicroseconds: Double(held) / Double(inWindow.count) / 1000,
            handOffs: handOffs, crossHandOffs: handOffs - same, violations: violations)
    }
}
