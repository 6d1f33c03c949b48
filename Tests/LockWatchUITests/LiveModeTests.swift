import Testing
@testable import LockWatchUI
import RedisLock
import Synchronization

/// The dashboard's side of live updates: the header's mode and staleness, the stream's event
/// kinds, and which rows it asks counters for.
@Suite("Live mode in the dashboard")
struct LiveModeTests {
    @Test func theHeaderShowsLiveOrScanningAndHowOldTheRowsAre() {
        var state = DashboardState(endpoint: "redis://10.0.0.5:6379/0", user: "ops", readOnly: true, now: t0)
        state.resize(width: 160, height: 30)
        #expect(!render(state, width: 160, height: 30).line(0).contains("live"), "no mode before the first refresh")
        var live = snapshot([lock("lock:a")])
        live.mode = .live
        live.staleness = .milliseconds(40)
        state.apply(snapshot: live, at: t0)
        #expect(render(state, width: 160, height: 30).line(0).contains("live · rows ≤ 40ms old"))
        state.tick(now: t0 + .milliseconds(500))
        #expect(render(state, width: 160, height: 30).line(0).contains("live · rows ≤ 540ms old"), "the shown rows age until the next refresh")

        var scanning = snapshot([lock("lock:a")])
        scanning.mode = .scanning(reason: "no change stream (NOPERM): rescanning every refresh")
        scanning.staleness = .milliseconds(1300)
        scanning.notes = ["no change stream (NOPERM): rescanning every refresh"]
        state.apply(snapshot: scanning, at: t0 + .seconds(1))
        let grid = render(state, width: 160, height: 30)
        #expect(grid.line(0).contains("scanning · rows ≤ 1.3s old"))
        #expect((0 ..< 30).contains { grid.line($0).contains("rescanning every refresh") }, "the reason is on the status line")
    }

    @Test func theStreamsEventKindsAndARescanReasonAreOnTheStrip() {
        var state = dashboard([lock("lock:a")])
        let events = [
            LockEvent(kind: .rescanned, keyBytes: [], owner: nil, atMilliseconds: serverNow, source: .stream, detail: "change stream lost: the tracking connection closed"),
            LockEvent(kind: .holderChanged, keyBytes: Array("lock:a".utf8), owner: "worker-9", atMilliseconds: serverNow, source: .stream),
            LockEvent(kind: .extended, keyBytes: Array("lock:b".utf8), owner: nil, atMilliseconds: serverNow, source: .stream),
        ]
        state.apply(snapshot: snapshot([lock("lock:a")], events: events), at: t0)
        let grid = render(state, width: 120, height: 40)
        let lines = (0 ..< 40).map { grid.line($0) }
        #expect(lines.contains { $0.contains("rescanned") && $0.contains("change stream lost: the tracking connection closed") })
        #expect(lines.contains { $0.contains("holder-changed") && $0.contains("lock:a") && $0.contains("worker-9") })
        #expect(lines.contains { $0.contains("extended") && $0.contains("lock:b") })
    }

    @Test func onlyTheRowsOnScreenAreAskedForCounters() {
        let locks = (0 ..< 100).map { lock("lock:\(1000 + $0)") }
        var state = dashboard(locks, height: 20)
        let first = state.onScreenKeys.map { String(decoding: $0, as: UTF8.self) }
        #expect(!first.isEmpty && first.count == state.pageSize)
        #expect(first == Array(shownKeys(state).prefix(first.count)))
        _ = state.press(.end)
        let last = state.onScreenKeys.map { String(decoding: $0, as: UTF8.self) }
        #expect(last.contains(shownKeys(state).last!) && !last.contains(first[0]))
    }
}

/// News from the live inspector brings the next refresh forward.
@Suite struct LiveRefreshOnNewsTests {
    @Test func newsRefreshesWithinAQuarterSecondNotAtTheInterval() async {
        let refreshes = Mutex(0)
        var (loop, events) = RunnerLoopTests.makeLoop(refresh: {
            let count = refreshes.withLock { count in
                count += 1
                return count
            }
            return snapshot((0 ..< count).map { lock("lock:\($0)") })
        })
        loop.startRefresh()
        loop.handle(await events.next()!)
        #expect(loop.state.totalCount == 1)
        // The interval is 60 s: only the news can bring the next refresh within seconds.
        let started = ContinuousClock.now
        loop.handle(.changed)
        loop.handle(.changed)  // a burst: one refresh
        while loop.state.totalCount < 2, ContinuousClock.now - started < .seconds(30) {
            guard let event = await events.next() else { break }
            loop.handle(event)
        }
        #expect(loop.state.totalCount == 2)
        #expect(ContinuousClock.now - started < .seconds(30), "the refresh waited for the 60 s interval")
        #expect(refreshes.withLock { $0 } == 2)
        loop.cancelTasks()
    }
}
