import Testing
@testable import LockWatchUI
import RedisLock

@Suite struct PerformanceShapeTests {
    static let rowCount = 100_000

    static func bigState() -> DashboardState {
        let locks = (0..<rowCount).map { index in
            InspectedLock(
                keyBytes: Array("lock:job:\(index)".utf8), format: .lockwatch, type: "string", owner: "worker-\(index % 97)",
                token: "t\(index)", ttlMilliseconds: Int64(index % 60_000), acquiredAtMilliseconds: serverNow - Int64(index),
                fence: Int64(index), waiters: index % 7, acquisitionsPerSecond: Double(index % 13)
            )
        }
        return dashboard(locks, width: 120, height: 40)
    }

    @Test func aFrameFormatsOnlyTheVisibleRows() {
        var state = Self.bigState()
        #expect(state.totalCount == Self.rowCount)
        #expect(state.table.sortCount == 1)
        let page = ScreenLayout(state: state, height: 40).table.count
        var renderer = DashboardRenderer(state: state, width: 120, height: 40)
        _ = renderer.render()
        #expect(renderer.formattedRows == page)

        // Scrolling and redrawing neither sorts nor filters again, and formats a page per frame.
        for _ in 0..<50 {
            _ = state.handle(.pageDown)
            state.tick(now: t0 + .milliseconds(250))
            var frame = DashboardRenderer(state: state, width: 120, height: 40)
            _ = frame.render()
            #expect(frame.formattedRows <= page)
        }
        _ = state.handle(.end)
        #expect(state.selectedPosition == Self.rowCount - 1)
        var last = DashboardRenderer(state: state, width: 120, height: 40)
        _ = last.render()
        #expect(last.formattedRows == page)
        #expect(state.table.sortCount == 1)
        #expect(state.table.filterCount == 0)
    }

    @Test func typingAFilterNarrowsWithoutResorting() {
        var state = Self.bigState()
        _ = state.handle(.character("/"))
        state.type("job:9999")
        #expect(state.table.sortCount == 1)
        #expect(state.table.filterCount == 8)
        #expect(state.visibleCount == 11)  // 9999 and 99990…99999
        _ = state.handle(.backspace)  // widening filters the kept full order again
        #expect(state.table.sortCount == 1)
        #expect(state.table.filterCount == 9)
        #expect(state.visibleCount == 111)
        _ = state.press(.enter, .character("s"))  // a new sort column sorts once
        #expect(state.table.sortCount == 2)
    }
}
