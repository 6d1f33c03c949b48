import Testing
@testable import LockWatchUI
import RedisLock

@Suite struct RenderTests {
    let evilKey = "lock:evil\u{1b}]0;PWNED\u{07}\u{1b}[2J"

    @Test func headerShowsEndpointUserModeIntervalAndCounts() {
        var state = dashboard([lock("lock:a"), lock("lock:b"), lock("other")])
        _ = state.handle(.character("/"))
        state.type("lock")
        _ = state.handle(.enter)
        let grid = render(state, width: 120, height: 30)
        let header = grid.line(0)
        #expect(header.contains("redis://10.0.0.5:6379/0"))
        #expect(header.contains("user ops"))
        #expect(header.contains("read-write"))
        #expect(header.contains("every 1s"))
        #expect(header.contains("filter: lock"))
        let summary = grid.line(1)
        #expect(summary.contains("locks 2/3"))
        #expect(summary.contains("scan 35ms"))
        #expect(summary.contains("12 cmds/refresh"))
        #expect(summary.contains("● connected"))
    }

    @Test func readOnlyAndPausedShowInTheHeader() {
        var state = dashboard([lock("a")], readOnly: true)
        _ = state.handle(.character("p"))
        let header = render(state, width: 120, height: 30).line(0)
        #expect(header.contains("READ-ONLY"))
        #expect(header.contains("PAUSED"))
    }

    @Test func rowShowsKeyOwnerTokenTTLAndMore() {
        let state = dashboard([lock("lock:orders:42", owner: "worker-7", ttl: 12_300, heldFor: 65_000, fence: 981, waiters: 3, rate: 2.5)])
        let grid = render(state, width: 140, height: 30)
        let row = grid.rows(containing: "lock:orders:42").first!
        let line = grid.line(row)
        for expected in ["worker-7", "3f2a9c1d5e6b7a8f9012", "12s", "1m05s", "981", "3", "2.5", "lockwatch"] {
            #expect(line.contains(expected), "missing \(expected) in \(line)")
        }
        let titles = grid.line(row - 1)
        for title in ["KEY", "OWNER", "TOKEN", "TTL", "HELD", "FENCE", "WAITERS▼", "ACQ/s", "FORMAT"] {
            #expect(titles.contains(title))
        }
        // The first row is selected: drawn reversed.
        #expect(grid[row: row, column: 0].style.reverse)
    }

    @Test func ttlCountsDownOnScreen() {
        var state = dashboard([lock("lock:a", ttl: 12_300)])
        state.tick(now: t0 + .milliseconds(2_300))
        let grid = render(state, width: 120, height: 30)
        #expect(grid.line(grid.rows(containing: "lock:a").first!).contains(" 10s "))
    }

    @Test func ttlColours() {
        var state = dashboard([lock("lock:long", ttl: 30_000), lock("lock:short", ttl: 3_000), lock("lock:stuck", ttl: nil)])
        state.apply(snapshot: snapshot([lock("lock:long", ttl: 30_000), lock("lock:short", ttl: 3_000), lock("lock:stuck", ttl: nil), lock("lock:dying", ttl: 20_000)]), at: t0)
        state.apply(snapshot: snapshot([lock("lock:long", ttl: 30_000), lock("lock:short", ttl: 3_000), lock("lock:stuck", ttl: nil), lock("lock:dying", ttl: 3_000)]), at: t0)
        let grid = render(state, width: 120, height: 30)
        func ttlStyle(_ key: String, _ text: String) -> CellStyle {
            let row = grid.rows(containing: key).first!
            return grid[row: row, column: grid.column(of: text, inRow: row)!].style
        }
        #expect(ttlStyle("lock:long", "30s").foreground == .green)
        #expect(ttlStyle("lock:short", "3.0s").foreground == .yellow)
        #expect(ttlStyle("lock:dying", "3.0s").foreground == .red)
        let stuck = ttlStyle("lock:stuck", "none (stuck)")
        #expect(stuck.foreground == .magenta)
        #expect(stuck.bold)
    }

    @Test func stuckLockShowsTheNoTTLMarkerEvenWhenNarrow() {
        let state = dashboard([lock("lock:stuck", ttl: nil)])
        #expect(render(state, width: 120, height: 20).text.contains("none (stuck)"))
        let narrow = render(state, width: 30, height: 10)
        #expect(narrow.text.contains("none (stuck)") || narrow.text.contains("STUCK"))
    }

    @Test func escapeInjectionNeverReachesACell() {
        var state = dashboard([
            lock(evilKey, owner: "owner\u{1b}[31m", token: "tok\u{07}en\u{202e}", value: "v\u{1b}]52;c;AAAA\u{07}"),
        ])
        state.apply(snapshot: snapshot(
            [lock(evilKey, owner: "owner\u{1b}[31m", token: "tok\u{07}en\u{202e}", value: "v\u{1b}]52;c;AAAA\u{07}")],
            events: [LockEvent(kind: .expired, keyBytes: Array(evilKey.utf8), owner: "\u{1b}c", atMilliseconds: serverNow)]
        ), at: t0)
        state.apply(connectionLost: TestError(description: "boom\u{1b}[2J\u{07}"), retryIn: .seconds(1), at: t0)
        state.apply(forceReleaseOutcome: .failed("nope\u{1b}]0;x\u{07}"), for: state.lock(at: 0)!)
        var grids = [render(state, width: 160, height: 40)]
        #expect(grids[0].text.contains("lock:evil\\x1b]0;PWNED\\x07\\x1b[2J"))
        _ = state.handle(.enter)
        grids.append(render(state, width: 160, height: 40))
        #expect(grids[1].text.contains("v\\x1b]52;c;AAAA\\x07"))
        _ = state.handle(.escape)
        _ = state.handle(.character("F"))
        grids.append(render(state, width: 160, height: 40))
        #expect(grids[2].text.contains("tok\\x07en\\u202e"))
        for grid in grids {
            for cell in grid.cells {
                for scalar in cell.text.unicodeScalars {
                    #expect(scalar.value != 0x1B && scalar.value != 0x07, "control character in a cell")
                    #expect(!TerminalText.isUnsafe(scalar), "unsafe scalar U+\(String(scalar.value, radix: 16))")
                }
            }
        }
    }

    @Test func wideCharactersKeepTheFollowingColumnsAligned() {
        let state = dashboard([
            lock("lock:ascii", owner: "own-a", waiters: 3),
            lock("ロック:注文", owner: "own-b", waiters: 2),
            lock("🔒:e\u{301}moji", owner: "own-c", waiters: 1),
            lock("ﾊﾝｶｸ:ｶﾅ", owner: "own-d", waiters: 0),
        ])
        for width in [60, 80, 120, 200] {
            let grid = render(state, width: width, height: 20)
            var ownerColumns: Set<Int> = []
            var ttlColumns: Set<Int> = []
            for owner in ["own-a", "own-b", "own-c", "own-d"] {
                let row = grid.rows(containing: owner).first!
                ownerColumns.insert(grid.column(of: owner, inRow: row)!)
                ttlColumns.insert(grid.column(of: "30s", inRow: row)!)
            }
            #expect(ownerColumns.count == 1, "owner misaligned at width \(width)")
            #expect(ttlColumns.count == 1, "TTL misaligned at width \(width)")
        }
    }

    @Test func wideKeysAreCutByDisplayColumns() {
        let key = String(repeating: "注", count: 40)
        let state = dashboard([lock(key, owner: "own")])
        let grid = render(state, width: 80, height: 12)
        let row = grid.rows(containing: "own").first!
        let ownerColumn = grid.column(of: "own", inRow: row)!
        let content = DashboardRenderer.contentWidths(state: state, rows: 1)
        let keyWidth = ColumnLayout(width: 80, content: content).placements.first { $0.column == .key }!.width
        #expect(ownerColumn == keyWidth + 1)
        #expect(grid.line(row).contains("…"))
    }

    @Test func footerHidesForceReleaseInReadOnlyMode() {
        let writable = render(dashboard([lock("a")]), width: 160, height: 20)
        #expect(writable.line(19).contains("F force-release"))
        let readOnly = render(dashboard([lock("a")], readOnly: true), width: 160, height: 20)
        #expect(!readOnly.line(19).contains("force-release"))
        #expect(readOnly.line(19).contains("q quit"))
    }

    @Test func helpOverlayListsTheKeys() {
        var state = dashboard([lock("a")])
        _ = state.handle(.character("?"))
        let text = render(state, width: 100, height: 30).text
        for expected in ["help", "quit", "filter locks and events by key or owner", "only what needs attention", "refresh slower / faster", "also watch the prefixes", "sort", "force-release the selected lock", "none (stuck)"] {
            #expect(text.contains(expected), "missing \(expected)")
        }
        var readOnly = dashboard([lock("a")], readOnly: true)
        _ = readOnly.handle(.character("?"))
        #expect(render(readOnly, width: 100, height: 30).text.contains("disabled (read-only mode)"))
    }

    @Test func detailViewShowsEverything() {
        let longKey = "lock:" + String(repeating: "segment/", count: 20) + "end"
        var state = dashboard([lock(longKey, owner: "api-9", ttl: 8_000, fence: 4242, waiters: 5, rate: 2, format: .redisPy, value: "field=1\nother=\u{1b}x", type: "hash", holderChanges: 3)])
        for second in 1...10 {
            state.apply(snapshot: snapshot([lock(longKey, owner: "api-\(second % 3)", ttl: 8_000, fence: 4242, waiters: 5, rate: Double(second), format: .redisPy, value: "field=1\nother=\u{1b}x", type: "hash", holderChanges: 3)]), at: t0 + .seconds(second))
        }
        _ = state.handle(.enter)
        let grid = render(state, width: 100, height: 40)
        let text = grid.text
        let joined = grid.lines.joined()
        #expect(joined.contains("segment/segment/") && text.contains("end"))
        for expected in ["lock detail", "hash", "redis-py", "4242", "waiters", "3 changes", "api-1", "█", "other=\\x1bx", "field=1"] {
            #expect(text.contains(expected), "missing \(expected)")
        }
    }

    @Test func confirmationShowsKeyOwnerAndToken() {
        var state = dashboard([lock("lock:orders:42", owner: "worker-7", token: "c0ffee-token")])
        _ = state.handle(.character("F"))
        let text = render(state, width: 100, height: 30).text
        for expected in ["Force-release this lock?", "lock:orders:42", "worker-7", "c0ffee-token", "cancel"] {
            #expect(text.contains(expected), "missing \(expected)")
        }
        // Even a tiny screen keeps the key and how to answer.
        let tiny = render(state, width: 40, height: 10).text
        #expect(tiny.contains("lock:orders:42"))
        #expect(tiny.contains("cancel"))
    }

    @Test func reconnectingDimsTheDataUnderABanner() {
        var state = dashboard([lock("lock:a")])
        state.apply(connectionLost: TestError(description: "connection refused"), retryIn: .seconds(4), at: t0 + .seconds(1))
        let grid = render(state, width: 120, height: 20)
        let banner = grid.rows(containing: "connection lost: connection refused").first
        #expect(banner != nil)
        #expect(grid.line(banner!).contains("1 failed refresh, retrying in 4.0s"))
        #expect(grid.line(1).contains("reconnecting"))
        let row = grid.rows(containing: "lock:a").first!
        #expect(grid[row: row, column: 0].style.dim)
    }

    @Test func filterPromptAndEmptyResults() {
        var state = dashboard([lock("lock:a")])
        _ = state.handle(.character("/"))
        state.type("zzz")
        let grid = render(state, width: 80, height: 20)
        #expect(grid.text.contains("/zzz█"))
        #expect(grid.text.contains("no lock matches /zzz"))
        #expect(render(DashboardState(endpoint: "e"), width: 80, height: 20).text.contains("waiting for the first scan"))
    }

    @Test func eventStripShowsNewestFirst() {
        var state = dashboard([])
        state.apply(snapshot: snapshot([], events: [
            LockEvent(kind: .acquired, keyBytes: Array("lock:first".utf8), owner: "w1", atMilliseconds: serverNow - 5_000),
            LockEvent(kind: .expired, keyBytes: Array("lock:second".utf8), owner: nil, atMilliseconds: serverNow - 1_000),
        ]), at: t0)
        let grid = render(state, width: 100, height: 30)
        let second = grid.rows(containing: "lock:second").first!
        let first = grid.rows(containing: "lock:first").first!
        #expect(second < first)
        #expect(grid.line(first).contains("5.0s ago"))
        #expect(grid.line(first).contains("by w1"))
        #expect(grid.line(second).contains("expired"))
    }

    @Test func columnsFillTheWidthAndDropByImportance() {
        let wide = ColumnLayout(width: 160)
        #expect(wide.placements.map(\.column) == TableColumn.allCases.filter { $0 != .nodes && $0 != .attention }, "NODES is only for several servers")
        #expect(ColumnLayout(width: 170, showingNodes: true).placements.map(\.column) == TableColumn.allCases.filter { $0 != .attention })
        for width in [1, 2, 8, 20, 40, 60, 80, 100, 120, 160, 300] {
            let layout = ColumnLayout(width: width)
            let used = layout.placements.map(\.width).reduce(0, +) + layout.placements.count - 1
            #expect(used == width, "width \(width)")
            #expect(layout.contains(.key))
        }
        let eighty = ColumnLayout(width: 80)
        #expect(eighty.contains(.ttl) && eighty.contains(.owner) && eighty.contains(.waiters))
        #expect(!eighty.contains(.format))
        let forty = ColumnLayout(width: 40)
        #expect(forty.contains(.ttl))
        #expect(!forty.contains(.fence))
        // Narrow, the key keeps room to tell rows apart.
        #expect(forty.placements.first { $0.column == .key }!.width >= 20)
    }

    @Test func everySmallSizeRendersWithoutCrashing() {
        let locks = [lock(evilKey, waiters: 2), lock("ロック:注文", ttl: nil), lock("lock:a")]
        var states: [DashboardState] = []
        var base = dashboard(locks)
        base.apply(snapshot: snapshot(locks, events: [LockEvent(kind: .acquired, keyBytes: Array("ロック".utf8), owner: "x", atMilliseconds: serverNow)]), at: t0)
        states.append(base)
        var help = base; _ = help.handle(.character("?")); states.append(help)
        var detail = base; _ = detail.handle(.enter); states.append(detail)
        var confirm = base; _ = confirm.handle(.character("F")); states.append(confirm)
        var filter = base; _ = filter.handle(.character("/")); filter.type("注"); states.append(filter)
        var lost = base; lost.apply(connectionLost: TestError(description: "down"), retryIn: .seconds(1), at: t0); states.append(lost)
        states.append(DashboardState(endpoint: "redis://x"))
        for state in states {
            for width in 0...40 {
                for height in 0...10 {
                    var resized = state
                    resized.resize(width: width, height: height)
                    let grid = render(resized, width: width, height: height)
                    #expect(grid.width == width && grid.height == height)
                    #expect(grid.cells.count == width * height)
                }
            }
            for (width, height) in [(300, 100), (1000, 5), (5, 1000), (80, 24), (41, 11)] {
                let grid = render(state, width: width, height: height)
                #expect(grid.cells.count == width * height)
            }
        }
    }

    @Test func fortyByTenKeepsTheEssentials() {
        let grid = render(dashboard([lock("lock:a", owner: "own")]), width: 40, height: 10)
        #expect(grid.line(0).contains("lockwatch"))
        #expect(grid.text.contains("lock:a"))
        #expect(grid.text.contains("TTL"))
        #expect(grid.line(9).contains("q quit"))
    }

    @Test func wideCharacterCellsHaveContinuations() {
        var grid = CellGrid(width: 6, height: 1)
        grid.write("a注b", row: 0, column: 0, width: 6)
        #expect(grid[row: 0, column: 1].text == "注")
        #expect(grid[row: 0, column: 1].width == 2)
        #expect(grid[row: 0, column: 2].isContinuation)
        #expect(grid.line(0) == "a注b  ")
        // Overwriting half of a wide character blanks the other half.
        grid.write("x", row: 0, column: 2)
        #expect(grid[row: 0, column: 1].text == " ")
        // A wide character that does not fit before the edge is not split.
        var narrow = CellGrid(width: 3, height: 1)
        narrow.write("ab注", row: 0, column: 0, width: 3)
        #expect(narrow.line(0) == "ab…")
    }
}
