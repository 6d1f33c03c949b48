import Testing
@testable import LockWatchUI
import RedisLock

@Suite struct StateUpdateTests {
    @Test func ttlCountsDownBetweenScansAndStopsAtZero() {
        var state = dashboard([lock("a", ttl: 3_000, heldFor: 1_000)])
        let row = state.lock(at: 0)!
        #expect(state.liveTTLMilliseconds(of: row) == 3_000)
        state.tick(now: t0 + .milliseconds(1_250))
        #expect(state.liveTTLMilliseconds(of: row) == 1_750)
        #expect(state.liveAgeMilliseconds(of: row) == 2_250)
        state.tick(now: t0 + .seconds(10))
        #expect(state.liveTTLMilliseconds(of: row) == 0)
        // A later scan restarts the countdown from its own TTL.
        state.apply(snapshot: snapshot([lock("a", ttl: 2_000)]), at: t0 + .seconds(11))
        #expect(state.liveTTLMilliseconds(of: state.lock(at: 0)!) == 2_000)
    }

    @Test func stuckLockHasNoTTL() {
        let state = dashboard([lock("stuck", ttl: nil)])
        #expect(state.liveTTLMilliseconds(of: state.lock(at: 0)!) == nil)
    }

    @Test func connectionLossKeepsTheDataUntilTheNextScan() {
        var state = dashboard([lock("a"), lock("b")])
        #expect(state.connection == .connected)
        state.apply(connectionLost: TestError(description: "connection refused"), retryIn: .seconds(1), at: t0 + .seconds(1))
        state.apply(connectionLost: TestError(description: "connection refused"), retryIn: .seconds(2), at: t0 + .seconds(2))
        #expect(state.connection == .reconnecting(lastError: "connection refused", attempt: 2, retryIn: .seconds(2)))
        #expect(state.visibleCount == 2)
        state.apply(snapshot: snapshot([lock("a")]), at: t0 + .seconds(3))
        #expect(state.connection == .connected)
        #expect(state.status?.text == "reconnected")
        #expect(state.visibleCount == 1)
    }

    @Test func eventStripKeepsTheLatestFifty() {
        var state = dashboard([])
        let limit = DashboardState.eventLimit
        #expect(limit == 50)
        let events = (0..<(limit + 8)).map {
            LockEvent(kind: .acquired, keyBytes: Array("k\($0)".utf8), owner: nil, atMilliseconds: serverNow + Int64($0))
        }
        state.apply(snapshot: snapshot([], events: Array(events.prefix(8))), at: t0 + .seconds(1))
        state.apply(snapshot: snapshot([], events: Array(events.suffix(limit))), at: t0 + .seconds(2))
        #expect(state.events.map(\.key) == (8..<(limit + 8)).map { "k\($0)" })
    }

    @Test func busyKeysKeepAHistoryOfRatesAndHolders() {
        var state = dashboard([lock("busy", owner: "a", rate: 1), lock("idle", rate: 0)])
        state.apply(snapshot: snapshot([lock("busy", owner: "b", rate: 3), lock("idle", rate: 0)]), at: t0 + .seconds(1))
        state.apply(snapshot: snapshot([lock("idle", rate: 0)]), at: t0 + .seconds(2))
        let history = state.history(forKey: Array("busy".utf8))
        #expect(history?.samples == [1, 3, 0])
        #expect(history?.holders == ["a", "b"])
        // Idle keys are not followed until selected (busy vanished, so idle is selected now).
        #expect(state.history(forKey: Array("idle".utf8)) == nil)
        #expect(state.selectedLock?.key == "idle")
        state.apply(snapshot: snapshot([lock("idle", rate: 0)]), at: t0 + .seconds(3))
        #expect(state.history(forKey: Array("idle".utf8))?.samples == [0])
    }

    @Test func historyKeepsSixtySamples() {
        var state = dashboard([lock("busy", rate: 1)])
        for index in 1...80 {
            state.apply(snapshot: snapshot([lock("busy", rate: Double(index))]), at: t0 + .seconds(index))
        }
        let samples = state.history(forKey: Array("busy".utf8))?.samples ?? []
        #expect(samples.count == 60)
        #expect(samples.last == 80)
    }

    @Test func statusMessageExpires() {
        var state = dashboard([lock("a")])
        _ = state.handle(.character("p"))
        #expect(state.status != nil)
        state.tick(now: t0 + .seconds(5))
        #expect(state.status != nil)
        state.tick(now: t0 + .seconds(11))
        #expect(state.status == nil)
    }

    @Test func ttlCeilingRemembersTheLongestTTL() {
        var state = dashboard([lock("a", ttl: 30_000)])
        state.apply(snapshot: snapshot([lock("a", ttl: 4_000)]), at: t0 + .seconds(1))
        #expect(state.ttlCeiling(forKey: Array("a".utf8)) == 30_000)
        #expect(RowFormatter.ttlColor(4_000, ceiling: 30_000) == .red)
        #expect(RowFormatter.ttlColor(4_000, ceiling: 4_000) == .yellow)
        #expect(RowFormatter.ttlColor(25_000, ceiling: 30_000) == .green)
    }

    @Test func backoffDoublesToTenSeconds() {
        let delays = (1...6).map { RefreshBackoff.delay(afterFailures: $0) }
        #expect(delays == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(10), .seconds(10)])
    }
}

/// Scans are sorted and indexed on the refresh task from a ``ScanBasis``; whatever the operator
/// changed meanwhile is redone when the scan is applied.
@Suite struct PreparedScanTests {
    @Test func aSortChangedDuringTheRefreshIsApplied() {
        var state = dashboard([lock("b", waiters: 1), lock("a", waiters: 2)])
        let basis = state.scanBasis
        _ = state.press(.character("s"), .character("s"))
        #expect(state.sortColumn == .key)
        state.apply(prepared: basis.prepare(snapshot([lock("b", waiters: 1), lock("a", waiters: 2), lock("c", waiters: 3)])), at: t0 + .seconds(1))
        #expect(shownKeys(state) == ["a", "b", "c"])
    }

    @Test func aFilterTypedDuringTheRefreshIsApplied() {
        var state = dashboard([lock("lock:a"), lock("lock:b")])
        let basis = state.scanBasis
        _ = state.handle(.character("/"))
        state.type("b")
        state.apply(prepared: basis.prepare(snapshot([lock("lock:a"), lock("lock:b"), lock("lock:bb")])), at: t0 + .seconds(1))
        #expect(shownKeys(state) == ["lock:b", "lock:bb"])
        #expect(state.totalCount == 3)
    }

    @Test func aScanPreparedBeforeAnotherWasAppliedIsPreparedAgain() {
        var state = dashboard([lock("a", ttl: 1_000)])
        let basis = state.scanBasis
        let first = basis.prepare(snapshot([lock("a", ttl: 30_000)]))
        let second = basis.prepare(snapshot([lock("a", ttl: 2_000)]))
        state.apply(prepared: first, at: t0 + .seconds(1))
        state.apply(prepared: second, at: t0 + .seconds(2))
        #expect(state.ttlCeiling(forKey: Array("a".utf8)) == 30_000)
        #expect(state.liveTTLMilliseconds(of: state.lock(at: 0)!) == 2_000)
    }

    @Test func aKeySelectedDuringTheRefreshGetsItsHistory() {
        var state = dashboard([lock("busy", rate: 1), lock("idle", rate: 0)])
        let basis = state.scanBasis
        _ = state.handle(.down)
        #expect(state.selectedLock?.key == "idle")
        state.apply(prepared: basis.prepare(snapshot([lock("busy", rate: 1), lock("idle", rate: 0)])), at: t0 + .seconds(1))
        #expect(state.history(forKey: Array("idle".utf8))?.samples == [0])
    }
}
