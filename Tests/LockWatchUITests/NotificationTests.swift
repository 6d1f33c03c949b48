import Testing
@testable import LockWatchUI
import RedisLock

/// What the expiry listener reports reaches the header and the event strip at once.
@Suite struct NotificationTests {
    @Test func theHeaderSaysWhetherNotificationsAreOn() {
        var state = dashboard([lock("lock:a")])
        #expect(!render(state, width: 120, height: 30).line(0).contains("notifications"))
        state.apply(notice: .listening(channel: "__keyevent@0__:expired"))
        #expect(render(state, width: 120, height: 30).line(0).contains("notifications: on"))
        state.apply(notice: .unavailable("notify-keyspace-events is ''"))
        #expect(state.notifications == .off(reason: "notify-keyspace-events is ''"))
        #expect(render(state, width: 120, height: 30).line(0).contains("notifications: off"))
    }

    @Test func aNotifiedExpiryIsShownBeforeTheNextScan() {
        var state = dashboard([lock("lock:a")])
        let event = LockEvent(kind: .expired, keyBytes: Array("lock:a".utf8), owner: "worker-1", atMilliseconds: serverNow, source: .notification)
        state.apply(notice: .expired(event))
        #expect(state.events == [event])
        let grid = render(state, width: 120, height: 30)
        let strip = (0..<30).map { grid.line($0) }.first { $0.contains("expired") } ?? ""
        #expect(strip.contains("lock:a") && strip.contains("by worker-1") && strip.contains("(notified)"), "\(strip)")
    }
}
