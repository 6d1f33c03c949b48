import Testing
@testable import LockWatchUI
import RedisLock
import Synchronization

/// The runner's loop driven without a terminal: the session is never started, so frames are
/// only stored, and the test feeds the loop the events its tasks produce.
@Suite struct RunnerLoopTests {
    static func makeLoop(
        refresh: @escaping @Sendable () async throws -> InspectionSnapshot,
        forceRelease: @escaping @Sendable (InspectedLock) async -> ForceReleaseOutcome = { _ in .vanished }
    ) -> (RunnerLoop, AsyncStream<RunnerEvent>.AsyncIterator) {
        let (events, continuation) = AsyncStream.makeStream(of: RunnerEvent.self)
        let loop = RunnerLoop(
            state: DashboardState(endpoint: "redis://test", interval: .seconds(60)), session: TerminalSession(),
            events: continuation, refresh: refresh, forceRelease: forceRelease
        )
        loop.handle(.terminal(.ready(width: 100, height: 30)))
        return (loop, events.makeAsyncIterator())
    }

    @Test func appliesASuccessfulRefresh() async {
        var (loop, events) = Self.makeLoop(refresh: { snapshot([lock("lock:a"), lock("lock:b")]) })
        loop.startRefresh()
        loop.handle(await events.next()!)
        #expect(loop.state.connection == .connected)
        #expect(loop.state.totalCount == 2)
        loop.cancelTasks()
    }

    @Test func failedRefreshesBackOff() async {
        var (loop, events) = Self.makeLoop(refresh: { throw TestError(description: "connection refused") })
        loop.startRefresh()
        loop.handle(await events.next()!)
        #expect(loop.state.connection == .reconnecting(lastError: "connection refused", attempt: 1, retryIn: .seconds(1)))
        loop.handle(await events.next()!)  // the retry comes due
        loop.handle(await events.next()!)  // and fails again
        #expect(loop.state.connection == .reconnecting(lastError: "connection refused", attempt: 2, retryIn: .seconds(2)))
        loop.cancelTasks()
    }

    @Test func quitAndSignalsEndTheLoop() {
        let (loop, _) = Self.makeLoop(refresh: { snapshot([]) })
        loop.handle(.terminal(.key(.character("x"))))
        #expect(loop.exit == nil)
        loop.handle(.terminal(.key(.character("q"))))
        #expect(loop.exit == .quit)
        let (other, _) = Self.makeLoop(refresh: { snapshot([]) })
        other.handle(.signal(15))
        #expect(other.exit == .signal(15))
        let (broken, _) = Self.makeLoop(refresh: { snapshot([]) })
        broken.handle(.terminal(.failed("no tty")))
        #expect(broken.exit == .terminalUnavailable("no tty"))
    }

    @Test func confirmedForceReleaseRunsAndReportsItsOutcome() async {
        let released = Mutex<[String]>([])
        var (loop, events) = Self.makeLoop(
            refresh: { snapshot([lock("lock:stuck", ttl: nil)]) },
            forceRelease: { lock in
                released.withLock { $0.append(lock.key) }
                return .released(auditEntryID: "1-0")
            }
        )
        loop.startRefresh()
        loop.handle(await events.next()!)
        loop.handle(.terminal(.key(.character("F"))))
        #expect(released.withLock { $0 }.isEmpty)
        loop.handle(.terminal(.key(.character("y"))))
        loop.handle(await events.next()!)
        #expect(released.withLock { $0 } == ["lock:stuck"])
        #expect(loop.state.status?.text == "released lock:stuck (audit entry 1-0)")
        loop.cancelTasks()
    }
}
