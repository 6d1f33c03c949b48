import Testing
@testable import LockWatchUI
import RedisLock
import Synchronization

/// The runner's side of a per-holder release: the confirmed command reaches the host's
/// `releaseHolder` with exactly the holder and expectation shown, and its outcome comes back
/// to the status line.
@Suite struct HolderRunnerLoopTests {
    static func run(releaseHolder: DashboardRunner.ReleaseHolder?) async -> RunnerLoop {
        let row = HolderReleaseStateTests.readWrite([HolderReleaseStateTests.first, HolderReleaseStateTests.second])
        let (events, continuation) = AsyncStream.makeStream(of: RunnerEvent.self)
        let loop = RunnerLoop(
            state: DashboardState(endpoint: "redis://test", interval: .seconds(60)), session: TerminalSession(),
            events: continuation, refresh: { snapshot([row]) }, forceRelease: { _ in .vanished }, releaseHolder: releaseHolder
        )
        loop.handle(.terminal(.ready(width: 100, height: 30)))
        var iterator = events.makeAsyncIterator()
        loop.startRefresh()
        loop.handle(await iterator.next()!)
        for key in [KeyPress.enter, .down, .character("f"), .character("y")] { loop.handle(.terminal(.key(key))) }
        loop.handle(await iterator.next()!)  // the release's outcome
        loop.cancelTasks()
        return loop
    }

    @Test func aConfirmedHolderReleaseRunsAndReportsItsOutcome() async {
        let asked = Mutex<[HolderRelease]>([])
        let loop = await Self.run { release in
            asked.withLock { $0.append(release) }
            return .released(auditEntryID: "7-0")
        }
        let first = HolderReleaseStateTests.first
        #expect(asked.withLock { $0.map(\.holder) } == [first])
        #expect(asked.withLock { $0.map(\.expectation) } == [.holder(field: first.field, value: first.value)])
        #expect(loop.state.status?.text == "released reader aaaa1111 of lock:{catalog}; the other holders keep theirs (audit entry 7-0)")
    }

    @Test func aHostWithoutPerHolderReleaseSaysSoAndDeletesNothing() async {
        let loop = await Self.run(releaseHolder: nil)
        #expect(loop.state.status?.text == "force-release of reader aaaa1111 of lock:{catalog} failed: this dashboard cannot release a single holder")
    }
}
