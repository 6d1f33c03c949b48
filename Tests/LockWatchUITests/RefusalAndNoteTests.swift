import Testing
@testable import LockWatchUI
import RESP
import RedisLock

/// What the dashboard model does with Redis refusing a command and with scan notes, and that
/// F is offered only on rows the table lists.
@Suite struct RefusalAndNoteTests {
    @Test func aNOPERMIsShownAsARefusalNotALostConnection() {
        var state = dashboard([lock("lock:a")])
        state.apply(connectionLost: RedisError(.permissionDenied, "Redis refused MGET (NOPERM): … +mget"), retryIn: .seconds(1), at: t0)
        #expect(state.failureIsRefusal)
        let screen = render(state, width: 220, height: 30).text
        #expect(screen.contains("Redis refused") && screen.contains("+mget"), "screen:\n\(screen)")
        #expect(!screen.contains("connection lost"))

        state.apply(connectionLost: RedisError(.connectionClosed, "the server closed the connection"), retryIn: .seconds(2), at: t0)
        #expect(!state.failureIsRefusal)
        #expect(render(state, width: 220, height: 30).text.contains("connection lost"))
    }

    @Test func scanNotesAreShownWhenTheyChange() {
        var state = dashboard([lock("lock:a")])
        var noted = snapshot([lock("lock:a")])
        noted.notes = ["TIME refused or unavailable: ages use this machine's clock"]
        state.apply(snapshot: noted, at: t0)
        #expect(state.status?.text.contains("TIME refused") == true)
        #expect(state.scanNotes == noted.notes)
        #expect(state.lock(at: 0)?.key == "lock:a", "the rows are shown")
    }

    @Test func forceReleaseIsOfferedOnlyOnListedRows() {
        var state = dashboard([lock("lock:billing:7"), lock("lock:orders:1")])
        for _ in 0 ..< 3 where state.selectedLock?.key != "lock:billing:7" { _ = state.handle(.down) }
        #expect(state.selectedLock?.key == "lock:billing:7")
        _ = state.handle(.enter)
        state.apply(snapshot: snapshot([lock("lock:orders:1")]), at: t0)  // the row vanished
        #expect(state.detail?.present == false)
        #expect(state.handle(.character("F")).isEmpty)
        if case .confirmForceRelease = state.mode { Issue.record("F offered a row the table no longer lists") }
        #expect(state.status?.text.contains("no longer listed") == true)
    }
}
