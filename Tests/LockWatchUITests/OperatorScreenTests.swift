import Testing
@testable import LockWatchUI
import RESP
import RedisLock

/// Issue 15 items 2, 4 and 5 on the pure model and renderer: the attention view, the "also
/// seen" hint, content-sized columns, the strip below the table, labels and keys.
@Suite struct OperatorScreenTests {
    /// 1,000 ordinary locks, one without a TTL, one with waiters piling up, one held far past
    /// the usual time; none of them first in the default order.
    func crowd() -> [InspectedLock] {
        var locks = (0 ..< 1000).map { lock("lock:job:\($0)", ttl: 30_000, heldFor: 2_000) }
        locks.append(lock("lock:zz-stuck", ttl: nil, heldFor: 600_000))
        locks.append(lock("lock:zz-busy", waiters: 7))
        locks.append(lock("lock:zz-slow", heldFor: 900_000))
        return locks
    }

    @Test func attentionViewPutsTheLockWithoutTTLFirstAndReleasesItInThreeKeys() throws {
        var state = dashboard(crowd())
        #expect(state.lock(at: 0)?.key != "lock:zz-stuck")
        #expect(state.attentionCount == 3)
        #expect(render(state, width: 160, height: 40).line(1).contains("! 3 need attention"))

        var keys = 0
        _ = state.handle(.character("!")); keys += 1
        #expect(shownKeys(state) == ["lock:zz-stuck", "lock:zz-slow", "lock:zz-busy"])
        #expect(state.selectedLock?.key == "lock:zz-stuck")
        let screen = render(state, width: 160, height: 40)
        #expect(screen.line(0).contains("NEEDS ATTENTION"))
        #expect(screen.text.contains("ATTENTION"))
        #expect(screen.line(try #require(screen.rows(containing: "lock:zz-stuck").first)).contains("no TTL"))
        #expect(screen.line(try #require(screen.rows(containing: "lock:zz-busy").first)).contains("7 waiters"))
        #expect(screen.line(try #require(screen.rows(containing: "lock:zz-slow").first)).contains("held long"))

        _ = state.handle(.character("F")); keys += 1
        let commands = state.handle(.character("y")); keys += 1
        #expect(commands == [.forceRelease(try #require(state.table.lock(withKey: Array("lock:zz-stuck".utf8))))])
        #expect(keys <= 6)

        _ = state.handle(.character("!"))
        #expect(state.visibleCount == 1003)
    }

    @Test func attentionSurvivesTheNextScanAndFlagsATTLAboveAnySeen() {
        var state = dashboard([lock("lock:a", ttl: 30_000), lock("lock:b", ttl: 30_000)])
        #expect(state.attentionCount == 0)
        _ = state.handle(.character("!"))
        #expect(render(state, width: 120, height: 30).text.contains("nothing needs attention"))
        state.apply(snapshot: snapshot([lock("lock:a", ttl: 30_000), lock("lock:b", ttl: 600_000)]), at: t0)
        #expect(shownKeys(state) == ["lock:b"])
        #expect(state.attention(at: 0).reasons == [.ttlAboveUsual])
    }

    @Test func columnsAreSizedByTheirContentAndLongKeysLoseTheirMiddle() throws {
        let longKey = "lock:{tenant-0042}:orders:" + String(repeating: "x", count: 60) + ":item:42"
        let owner = "billing-worker-7@host-12.prod"
        let token = "6f1c9a2e-8b3d-41ef-9a3f-0242ac120002"
        let state = dashboard([lock(longKey, owner: owner, token: token), lock("lock:short")])
        let grid = render(state, width: 160, height: 30)
        let line = grid.line(try #require(grid.rows(containing: owner).first))
        #expect(line.contains(owner), "\(line)")
        #expect(line.contains(token), "\(line)")
        #expect(line.contains("…"), "\(line)")
        #expect(line.hasPrefix("lock:{tenant-0") && line.contains(":item:42"), "the key's start and end are kept: \(line)")
        #expect(ValueFormat.middle("abcdefghij", columns: 5) == "ab…ij")
        #expect(ValueFormat.middle("abc", columns: 5) == "abc")

        let short = dashboard([lock("lock:a", owner: "w1", token: "t1")])
        let layout = ColumnLayout(width: 160, content: DashboardRenderer.contentWidths(state: short, rows: 5))
        let widths = Dictionary(uniqueKeysWithValues: layout.placements.map { ($0.column, $0.width) })
        #expect(widths[.owner] == "OWNER".count)
        #expect(widths[.token] == "TOKEN".count)
        #expect(widths[.key] == "lock:a".count)
    }

    @Test func theEventStripSitsRightBelowTheTableAndFollowsTheFilter() throws {
        var state = dashboard([lock("lock:a"), lock("lock:b")], height: 40)
        let events = [
            LockEvent(kind: .expired, keyBytes: Array("lock:a".utf8), owner: "w", atMilliseconds: serverNow - 1000),
            LockEvent(kind: .released, keyBytes: Array("lock:b".utf8), owner: "w", atMilliseconds: serverNow - 500),
        ]
        state.apply(snapshot: snapshot([lock("lock:a"), lock("lock:b")], events: events), at: t0)
        var grid = render(state, width: 120, height: 40)
        let lastRow = try #require(grid.rows(containing: "lock:b").first)
        #expect(grid.line(lastRow + 1).contains("released"), "row after the table:\n\(grid.text)")
        #expect(grid.line(lastRow + 2).contains("expired"))

        _ = state.handle(.character("/"))
        state.type("lock:a")
        _ = state.handle(.enter)
        grid = render(state, width: 120, height: 40)
        #expect(grid.text.contains("expired"))
        #expect(!grid.text.contains("released"), "\(grid.text)")
    }

    @Test func headerLabelsTheMatchAndSaysLiveOnce() {
        var state = DashboardState(endpoint: "redis://10.0.0.5:6379/0", now: t0)
        state.match = "lock:* DUSEPK_REDIS_LOCK_*"
        state.resize(width: 160, height: 30)
        var scan = snapshot([lock("lock:a")])
        scan.mode = .live
        state.apply(snapshot: scan, at: t0)
        let grid = render(state, width: 160, height: 30)
        #expect(grid.line(0).contains("match: lock:* DUSEPK_REDIS_LOCK_*"))
        #expect(grid.text.components(separatedBy: "live").count - 1 == 1, "\(grid.text)")
        #expect(grid.line(1).contains("● connected"))
    }

    @Test func intervalKeysSaySlowerAndFaster() {
        var state = dashboard([lock("a")])
        let footer = render(state, width: 200, height: 30).line(29)
        #expect(footer.contains("+ slower") && footer.contains("- faster"), "\(footer)")
        _ = state.handle(.character("+"))
        #expect(state.status?.text.contains("slower: every") == true)
        _ = state.handle(.character("-"))
        #expect(state.status?.text.contains("faster: every") == true)
    }

    @Test func helpClosesOnQuestionMarkEscOrQAndPassesOtherKeysOn() {
        let many = (0 ..< 10).map { lock("lock:\($0)") }
        var state = dashboard(many)
        for closer in [KeyPress.character("?"), .escape, .character("q")] {
            _ = state.handle(.character("?"))
            #expect(state.mode == .help)
            #expect(state.handle(closer).isEmpty)
            #expect(state.mode == .normal)
        }
        _ = state.handle(.character("?"))
        _ = state.handle(.character("j"))
        #expect(state.mode == .normal)
        #expect(state.selectedPosition == 1, "the key that closed the help was swallowed")
        _ = state.handle(.character("?"))
        #expect(state.handle(.character("r")) == [.refreshNow])
    }

    @Test func theFirstFailureSaysCannotConnectALaterOneConnectionLost() {
        var state = DashboardState(endpoint: "redis://10.0.0.5:6379/0", now: t0)
        state.resize(width: 160, height: 30)
        state.apply(connectionLost: RedisError(.connectionFailed, "connection refused"), at: t0)
        var text = render(state, width: 160, height: 30).text
        #expect(text.contains("cannot connect to redis://10.0.0.5:6379/0: connection refused"), "\(text)")
        #expect(!text.contains("connection lost"))
        // A first refresh that is only slow is not a failure to connect.
        state.apply(connectionLost: TestError(description: "refresh timed out after 15s"), at: t0)
        text = render(state, width: 160, height: 30).text
        #expect(text.contains("no data yet: refresh timed out after 15s") && !text.contains("cannot connect"), "\(text)")
        state.apply(snapshot: snapshot([lock("a")]), at: t0)
        state.apply(connectionLost: TestError(description: "connection refused"), at: t0)
        text = render(state, width: 160, height: 30).text
        #expect(text.contains("connection lost: connection refused"))

        // A RedisError that already says "cannot connect to host:port" is not said twice.
        var fresh = DashboardState(endpoint: "redis://10.0.0.5:6379/0", now: t0)
        fresh.apply(connectionLost: RedisError(.connectionFailed, "cannot connect to 10.0.0.5:6379: connection refused"), at: t0)
        text = render(fresh, width: 160, height: 30).text
        #expect(text.contains("⚠ cannot connect to 10.0.0.5:6379: connection refused"), "\(text)")
        #expect(!text.contains("connectionFailed") && text.contains("✖ not connected"))
    }

    @Test func alsoSeenShowsOnTheStripAndAAddsThePrefixes() throws {
        var state = dashboard([lock("lock:a")])
        #expect(state.handle(.character("a")).isEmpty)
        state.apply(news: .alsoSeen([AlsoSeenPrefix(prefix: "DUSEPK_REDIS_LOCK_", format: .goLegacy, keys: 3)]))
        let grid = render(state, width: 160, height: 30)
        let row = try #require(grid.rows(containing: "also seen").first)
        #expect(grid.line(row).contains("also seen: DUSEPK_REDIS_LOCK_* (go-legacy, 3 keys) — press a to watch it too"))
        #expect(row == (grid.rows(containing: "lock:a").first ?? -1) + 1)
        #expect(state.handle(.character("a")) == [.watchPrefixes(["DUSEPK_REDIS_LOCK_"])])
        state.apply(watching: "lock:* DUSEPK_REDIS_LOCK_*")
        #expect(state.alsoSeen.isEmpty)
        #expect(render(state, width: 160, height: 30).line(0).contains("match: lock:* DUSEPK_REDIS_LOCK_*"))
    }

    @Test func aRejectedStaleWriteGoesOnTheStrip() {
        var state = dashboard([lock("lock:a")])
        state.apply(news: .event(LockEvent(
            kind: .staleWriteRejected, keyBytes: Array("lock:{ledger:append}".utf8), owner: "stalled-worker@demo",
            atMilliseconds: serverNow, detail: "  fence 3 < 4")))
        let text = render(state, width: 160, height: 30).text
        #expect(text.contains("stale-write-rejected lock:{ledger:append}  fence 3 < 4  by stalled-worker@demo"), "\(text)")
    }

    @Test func severalPrefixesSelectScanAndTrackEachOnce() {
        let selection = LockInspector.Selection.watching(prefixes: ["lock:", "DUSEPK_REDIS_LOCK_", "lock:job:", "lock:"])
        #expect(selection == .prefixes(["lock:", "DUSEPK_REDIS_LOCK_"]))
        #expect(selection.patterns == ["lock:*", "DUSEPK_REDIS_LOCK_*"])
        #expect(selection.trackedPrefixes == ["lock:", "DUSEPK_REDIS_LOCK_"])
        #expect(selection.matches(Array("DUSEPK_REDIS_LOCK_x".utf8)))
        #expect(selection.matches(Array("lock:x".utf8)))
        #expect(!selection.matches(Array("other".utf8)))
        #expect(LockInspector.Selection.watching(prefixes: ["a*"]) == .prefix("a*"))
        #expect(LockInspector.Selection.prefix("lock:").adding(prefixes: ["x:"]) == .prefixes(["lock:", "x:"]))
        #expect(LockInspector.Selection.glob("*").adding(prefixes: ["x:"]) == .glob("*"))
        #expect(LockInspector.Selection.watching(prefixes: ["", "lock:"]).trackedPrefixes.isEmpty)
    }
}
