/// Live mode's verification sweep, done a slice at a time: one `SCAN` walk per server that
/// advances at a steady pace (a token bucket of keys), so that a pass over the whole selection
/// takes ``period`` and its cost is spread over it instead of landing as one full scan. The
/// change stream's reads never wait for it.
///
/// Each slice's locks are compared with the table: rows that agree are refreshed (TTL,
/// waiters); a difference, or a row no slice of the pass saw, is a *suspect*, read again at
/// the next tick: still different and still not announced by the stream, it was missed (the
/// second read keeps a stream announcement that was merely late from counting as a miss).
struct SweepPass: Sendable {
    /// When the pass began: rows not read since were seen neither by it nor by the stream.
    var started: ContinuousClock.Instant
    /// How long a pass should take, from the budget (``LiveCost/setPassPeriod(cost:budget:floor:)``).
    var period: Duration
    /// Each server's walk; `nil` before it begins and once it is over.
    var sources: [KeySource?]
    /// Whether each server's walk is over.
    var finished: [Bool]
    /// Keys each server may still list now (grows at the pace, shrinks as slices list).
    var credit: [Double]
    /// Keys each server's previous pass (or the full scan) listed: the pace is these per period.
    var expected: [Int]
    /// Keys each server listed in this pass so far.
    var listed: [Int]
    /// When the credit last grew.
    var lastTick: ContinuousClock.Instant
    /// Fence counters this pass read, by their lock key's digest, and the previous pass's with
    /// when it ended: their growth is each lock's acquisitions per second.
    var fences: [Int: Int64] = [:]
    var previousFences: [Int: Int64] = [:]
    var previousEnd: ContinuousClock.Instant?

    /// The most credit a long pause between ticks may pile up, so a slice stays small.
    static let maxCreditSpan = Duration.seconds(2)

    /// A pass over `nodes` servers starting at `instant`, expecting `expected` keys on each.
    init(nodes: Int, expected: [Int], period: Duration, at instant: ContinuousClock.Instant) {
        started = instant
        self.period = period
        sources = Array(repeating: nil, count: nodes)
        finished = Array(repeating: false, count: nodes)
        credit = Array(repeating: 0, count: nodes)
        self.expected = expected
        listed = Array(repeating: 0, count: nodes)
        lastTick = instant
    }

    /// Whether every server's walk is over.
    var isComplete: Bool { !finished.contains(false) }

    /// Grows each server's credit for the time since the last tick; returns how many keys each
    /// may list now (0: none this tick).
    mutating func tick(at instant: ContinuousClock.Instant) -> [Int] {
        let span = min(instant - lastTick, Self.maxCreditSpan).secondsValue
        lastTick = instant
        let seconds = max(period.secondsValue, 0.001)
        for node in credit.indices where !finished[node] {
            let rate = Double(max(expected[node], 1)) / seconds
            credit[node] = min(credit[node] + rate * span, rate * Self.maxCreditSpan.secondsValue)
        }
        return credit.indices.map { finished[$0] || credit[$0] < 1 ? 0 : Int(credit[$0]) }
    }

    /// Records a slice of `node` that listed `count` keys and left its walk at `source`.
    mutating func sliced(node: Int, listed count: Int, source: KeySource) {
        credit[node] -= Double(count)
        listed[node] += count
        sources[node] = source
        if source.isFinished { finished[node] = true }
    }

    /// The next pass, starting at `instant`: this one's counts are the next one's pace, and
    /// its fence counters the next one's base.
    func next(period: Duration, at instant: ContinuousClock.Instant) -> SweepPass {
        var pass = SweepPass(nodes: sources.count, expected: listed, period: period, at: instant)
        pass.previousFences = fences
        pass.previousEnd = instant
        return pass
    }

    /// Acquisitions per second of the lock whose key has `digest`, from its fence counter's
    /// growth since the previous pass; `nil` without two readings.
    func rate(digest: Int, at instant: ContinuousClock.Instant) -> Double? {
        guard let now = fences[digest], let before = previousFences[digest], let previousEnd else { return nil }
        let seconds = (instant - previousEnd).secondsValue
        return seconds > 0 ? Double(max(now - before, 0)) / seconds : nil
    }
}
