import Testing
@testable import LockWatchUI
import RedisLock

/// A scan slower than the interval stretches the pause after it, and the header says so.
@Suite struct IntervalTests {
    func state(scanTaking duration: Duration) -> DashboardState {
        var state = DashboardState(endpoint: "redis://10.0.0.5:6379/0", user: nil, readOnly: true, now: t0)
        state.resize(width: 120, height: 30)
        var scan = snapshot([lock("lock:a")])
        scan.duration = duration
        state.apply(snapshot: scan, at: t0)
        return state
    }

    @Test func aFastScanKeepsTheChosenInterval() {
        let state = state(scanTaking: .milliseconds(35))
        #expect(state.effectiveInterval == .seconds(1))
        let header = render(state, width: 120, height: 30).line(0)
        #expect(header.contains("every 1s"))
        #expect(!header.contains("slowed"))
    }

    @Test func aSlowScanStretchesThePauseToItsDurationRoundedUp() {
        let state = state(scanTaking: .milliseconds(2_610))
        #expect(state.effectiveInterval == .milliseconds(2_700))
        let header = render(state, width: 120, height: 30).line(0)
        #expect(header.contains("every 2.7s (set 1s, slowed to the scan time)"))
    }

    @Test func aLongerChosenIntervalWins() {
        var state = state(scanTaking: .milliseconds(2_610))
        for _ in 0..<3 { _ = state.handle(.character("+")) }
        #expect(state.interval > .milliseconds(2_700))
        #expect(state.effectiveInterval == state.interval)
    }
}
