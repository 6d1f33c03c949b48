import Testing
@testable import LockWatchUI
import RedisLock

@Suite struct KeyHandlingTests {
    let sample = [
        lock("lock:orders:1", owner: "api-1", waiters: 0, rate: 1),
        lock("lock:orders:2", owner: "api-2", waiters: 3, rate: 0.5),
        lock("lock:billing:7", owner: "Billing-Worker", waiters: 3, rate: 4),
        lock("lock:reports", owner: nil, waiters: nil, rate: nil),
    ]

    @Test func defaultOrderIsMostContendedFirst() {
        let state = dashboard(sample)
        #expect(shownKeys(state) == ["lock:billing:7", "lock:orders:2", "lock:orders:1", "lock:reports"])
        #expect(state.sortColumn == .waiters)
        #expect(state.sortDirection == .descending)
    }

    @Test func filterNarrowsLiveAndEscClears() {
        var state = dashboard(sample)
        _ = state.handle(.character("/"))
        #expect(state.mode == .filterEditing)
        state.type("ord")
        #expect(shownKeys(state) == ["lock:orders:2", "lock:orders:1"])
        state.type("ers:1")
        #expect(shownKeys(state) == ["lock:orders:1"])
        _ = state.handle(.escape)
        #expect(state.filter.isEmpty)
        #expect(state.mode == .normal)
        #expect(state.visibleCount == 4)
    }

    @Test func filterIsCaseInsensitiveOnKeyAndOwner() {
        var state = dashboard(sample)
        _ = state.handle(.character("/"))
        state.type("BILLING-w")
        #expect(shownKeys(state) == ["lock:billing:7"])
        _ = state.press(.backspace, .backspace, .backspace, .backspace, .backspace, .backspace, .backspace)
        #expect(state.filter == "BI")
        #expect(shownKeys(state) == ["lock:billing:7"])
        _ = state.press(.backspace, .backspace)
        #expect(state.filter.isEmpty)
        #expect(state.visibleCount == 4)
        state.type("API-")
        #expect(shownKeys(state) == ["lock:orders:2", "lock:orders:1"])
    }

    @Test func filterFoldsCaseBeyondASCIIAndFindsRunsAnywhere() {
        func contains(_ text: String, _ needle: String) -> Bool {
            Array(text.utf8).withUnsafeBufferPointer { LockTable.text($0, containsLowercased: Array(needle.lowercased().utf8)) }
        }
        #expect(contains("lock:ÉCOLE:7", "école"))
        #expect(contains("lock:Orders:42", "ERS:4"))
        #expect(contains("lock:a", ""))
        #expect(!contains("lock:orders", "orders:"))
        #expect(!contains("ab", "abc"))
    }

    @Test func enterKeepsTheFilterAndEscInNormalModeClearsIt() {
        var state = dashboard(sample)
        _ = state.handle(.character("/"))
        state.type("reports")
        _ = state.handle(.enter)
        #expect(state.mode == .normal)
        #expect(state.filter == "reports")
        #expect(shownKeys(state) == ["lock:reports"])
        // Letters are commands again: `q` quits instead of typing.
        #expect(state.handle(.character("q")) == [.quit])
        _ = state.handle(.escape)
        #expect(state.filter.isEmpty)
        #expect(state.visibleCount == 4)
    }

    @Test func typingInTheFilterDoesNotRunCommands() {
        var state = dashboard(sample)
        _ = state.handle(.character("/"))
        let commands = state.press(.character("q"), .character("r"), .character("p"), .character("F"))
        #expect(commands.isEmpty)
        #expect(state.filter == "qrpF")
        #expect(state.handle(.interrupt) == [.quit])
    }

    @Test func selectionFollowsTheSameKeyWhenRowsReorder() {
        var state = dashboard(sample)
        _ = state.press(.down, .down)
        #expect(state.selectedLock?.key == "lock:orders:1")
        #expect(state.selectedPosition == 2)
        // Next scan: orders:1 becomes the most contended and moves to the top.
        var next = sample
        next[0].waiters = 9
        state.apply(snapshot: snapshot(next), at: t0 + .seconds(1))
        #expect(shownKeys(state).first == "lock:orders:1")
        #expect(state.selectedLock?.key == "lock:orders:1")
        #expect(state.selectedPosition == 0)
    }

    @Test func selectionStaysInPlaceWhenItsKeyVanishes() {
        var state = dashboard(sample)
        _ = state.press(.down)
        #expect(state.selectedLock?.key == "lock:orders:2")
        state.apply(snapshot: snapshot(sample.filter { $0.key != "lock:orders:2" }), at: t0 + .seconds(1))
        #expect(state.selectedPosition == 1)
        #expect(state.selectedLock?.key == "lock:orders:1")
    }

    @Test func sortCyclesThroughColumnsAndSFlips() {
        var state = dashboard(sample)
        _ = state.handle(.character("s"))
        #expect(state.sortColumn == .acquisitionsPerSecond)
        #expect(shownKeys(state) == ["lock:billing:7", "lock:orders:1", "lock:orders:2", "lock:reports"])
        _ = state.handle(.character("s"))
        #expect(state.sortColumn == .key)
        #expect(state.sortDirection == .ascending)
        #expect(shownKeys(state) == ["lock:billing:7", "lock:orders:1", "lock:orders:2", "lock:reports"])
        _ = state.handle(.character("S"))
        #expect(state.sortDirection == .descending)
        #expect(shownKeys(state) == ["lock:reports", "lock:orders:2", "lock:orders:1", "lock:billing:7"])
        _ = state.handle(.character("s"))
        #expect(state.sortColumn == .ttl)
        _ = state.handle(.character("s"))
        #expect(state.sortColumn == .age)
        _ = state.handle(.character("s"))
        #expect(state.sortColumn == .waiters)
        #expect(state.status?.text.contains("sorted by") == true)
    }

    @Test func ttlSortPutsStuckLocksLastAscending() {
        var state = dashboard([lock("a", ttl: 9000), lock("b", ttl: nil), lock("c", ttl: 100)])
        _ = state.press(.character("s"), .character("s"), .character("s"))
        #expect(state.sortColumn == .ttl)
        #expect(shownKeys(state) == ["c", "a", "b"])
    }

    @Test func readOnlyRefusesForceRelease() {
        var state = dashboard(sample, readOnly: true)
        #expect(state.handle(.character("F")).isEmpty)
        #expect(state.mode == .normal)
        #expect(state.status?.text.contains("read-only") == true)
        #expect(state.status?.severity == .warning)
        _ = state.handle(.enter)
        #expect(state.handle(.character("F")).isEmpty)
        #expect(state.status?.text.contains("read-only") == true)
    }

    @Test func forceReleaseNeedsConfirmation() {
        var state = dashboard(sample)
        let selected = state.selectedLock!
        #expect(state.handle(.character("F")).isEmpty)
        #expect(state.mode == .confirmForceRelease(selected))
        // Stray keys do nothing; the panel stays.
        #expect(state.press(.character("x"), .enter, .down, .character("F")).isEmpty)
        #expect(state.mode == .confirmForceRelease(selected))
        #expect(state.handle(.character("n")).isEmpty)
        #expect(state.mode == .normal)
        #expect(state.status?.text == "force-release cancelled")
        _ = state.handle(.character("F"))
        #expect(state.handle(.escape).isEmpty)
        #expect(state.mode == .normal)
        _ = state.handle(.character("F"))
        #expect(state.handle(.character("y")) == [.forceRelease(selected)])
        #expect(state.mode == .normal)
    }

    @Test func forceReleaseFromTheDetailViewTargetsThatLock() {
        var state = dashboard(sample)
        _ = state.press(.down, .enter)
        let shown = state.detail?.lock
        #expect(shown?.key == "lock:orders:2")
        _ = state.handle(.character("F"))
        #expect(state.handle(.character("y")) == [.forceRelease(shown!)])
    }

    @Test func forceReleaseOutcomesReachTheStatusLine() {
        var state = dashboard(sample)
        let target = sample[0]
        state.apply(forceReleaseOutcome: .released(auditEntryID: "1700000000000-0"), for: target)
        #expect(state.status?.text == "released lock:orders:1 (audit entry 1700000000000-0)")
        #expect(state.status?.severity == .success)
        #expect(state.events.last?.kind == .forceReleased)
        state.apply(forceReleaseOutcome: .changedHands(currentValue: Array("other-token".utf8)), for: target)
        #expect(state.status?.text.contains("changed hands") == true)
        #expect(state.status?.text.contains("other-token") == true)
        #expect(state.status?.text.contains("refused") == true)
        state.apply(forceReleaseOutcome: .vanished, for: target)
        #expect(state.status?.text.contains("vanished") == true)
        state.apply(forceReleaseOutcome: .failed("NOPERM no permissions\u{1b}[2J"), for: target)
        #expect(state.status?.text == "force-release of lock:orders:1 failed: NOPERM no permissions\\x1b[2J")
        #expect(state.status?.severity == .error)
    }

    @Test func intervalStepsUpAndDown() {
        var state = dashboard(sample)
        #expect(state.handle(.character("+")) == [.setInterval(.seconds(2))])
        #expect(state.handle(.character("+")) == [.setInterval(.seconds(5))])
        #expect(state.handle(.character("+")) == [.setInterval(.seconds(10))])
        #expect(state.handle(.character("+")).isEmpty)
        #expect(state.interval == .seconds(10))
        #expect(state.status?.severity == .warning)
        for expected: Duration in [.seconds(5), .seconds(2), .seconds(1), .milliseconds(500), .milliseconds(250)] {
            #expect(state.handle(.character("-")) == [.setInterval(expected)])
        }
        #expect(state.handle(.character("-")).isEmpty)
        #expect(state.interval == .milliseconds(250))
    }

    @Test func intervalOffTheStepsMovesToTheNearestStep() {
        var state = DashboardState(endpoint: "x", interval: .seconds(3))
        #expect(state.handle(.character("+")) == [.setInterval(.seconds(5))])
        var other = DashboardState(endpoint: "x", interval: .seconds(3))
        #expect(other.handle(.character("-")) == [.setInterval(.seconds(2))])
    }

    @Test func pauseToggles() {
        var state = dashboard(sample)
        #expect(state.handle(.character("p")) == [.setPaused(true)])
        #expect(state.paused)
        #expect(state.handle(.character("p")) == [.setPaused(false)])
        #expect(!state.paused)
    }

    @Test func refreshAndQuit() {
        var state = dashboard(sample)
        #expect(state.handle(.character("r")) == [.refreshNow])
        #expect(state.handle(.character("q")) == [.quit])
        #expect(state.handle(.interrupt) == [.quit])
        #expect(KeyPress.interrupt == .control("c"))
    }

    @Test func helpOpensWithQuestionMarkOrF1AndAnyKeyCloses() {
        var state = dashboard(sample)
        _ = state.handle(.character("?"))
        #expect(state.mode == .help)
        #expect(state.handle(.character("q")).isEmpty)
        #expect(state.mode == .normal)
        _ = state.handle(.function(1))
        #expect(state.mode == .help)
        #expect(state.handle(.interrupt) == [.quit])
    }

    @Test func navigationKeysMoveAndScroll() {
        let many = (0..<100).map { lock("lock:" + String(repeating: "0", count: 3 - String($0).count) + String($0)) }
        var state = dashboard(many, height: 20)
        let page = state.pageSize
        #expect(page > 3)
        _ = state.handle(.character("j"))
        #expect(state.selectedPosition == 1)
        _ = state.handle(.character("k"))
        _ = state.handle(.up)
        #expect(state.selectedPosition == 0)
        _ = state.handle(.pageDown)
        #expect(state.selectedPosition == page)
        #expect(state.scrollOffset == 1)
        _ = state.handle(.character("G"))
        #expect(state.selectedPosition == 99)
        #expect(state.scrollOffset == 100 - page)
        _ = state.handle(.pageUp)
        #expect(state.selectedPosition == 99 - page)
        _ = state.handle(.home)
        #expect(state.selectedPosition == 0)
        #expect(state.scrollOffset == 0)
        _ = state.handle(.end)
        #expect(state.selectedPosition == 99)
        _ = state.handle(.character("g"))
        #expect(state.selectedPosition == 0)
    }

    @Test func detailViewFollowsItsKeyAndNotesWhenItVanishes() {
        var state = dashboard(sample)
        _ = state.handle(.enter)
        #expect(state.mode == .detail(key: Array("lock:billing:7".utf8)))
        var next = sample
        next[2].fence = 99
        state.apply(snapshot: snapshot(next), at: t0 + .seconds(1))
        #expect(state.detail?.lock.fence == 99)
        #expect(state.detail?.present == true)
        state.apply(snapshot: snapshot(Array(next.prefix(2))), at: t0 + .seconds(2))
        #expect(state.detail?.present == false)
        #expect(state.detail?.lock.fence == 99)
        _ = state.handle(.escape)
        #expect(state.mode == .normal)
        #expect(state.detail == nil)
    }
}
