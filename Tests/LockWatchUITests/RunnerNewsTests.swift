import Testing
@testable import LockWatchUI
import RedisLock
import Synchronization

/// The runner's loop with the host's news and the `a` key, without a terminal.
@Suite struct RunnerNewsTests {
    @Test func newsReachesTheStateAndAWatchesTheAlsoSeenPrefixesThenRefreshes() async {
        let refreshes = Mutex(0)
        let asked = Mutex<[[String]]>([])
        let (events, continuation) = AsyncStream.makeStream(of: RunnerEvent.self)
        let loop = RunnerLoop(
            state: DashboardState(endpoint: "redis://test", interval: .seconds(60)), session: TerminalSession(),
            events: continuation,
            refresh: {
                refreshes.withLock { $0 += 1 }
                return snapshot([lock("lock:a")])
            },
            forceRelease: { _ in .vanished },
            watchPrefixes: { prefixes in
                asked.withLock { $0.append(prefixes) }
                return "lock:* DUSEPK_REDIS_LOCK_*"
            })
        var iterator = events.makeAsyncIterator()
        loop.handle(.terminal(.ready(width: 120, height: 30)))
        loop.startRefresh()
        loop.handle(await iterator.next()!)
        #expect(refreshes.withLock { $0 } == 1)

        loop.handle(.news(.event(LockEvent(kind: .staleWriteRejected, keyBytes: Array("lock:{ledger}".utf8), owner: "stalled", atMilliseconds: serverNow))))
        #expect(loop.state.events.last?.kind == .staleWriteRejected)
        loop.handle(.news(.alsoSeen([AlsoSeenPrefix(prefix: "DUSEPK_REDIS_LOCK_", format: .goLegacy, keys: 1)])))
        #expect(loop.state.alsoSeen.count == 1)

        loop.handle(.terminal(.key(.character("a"))))
        loop.handle(await iterator.next()!)  // the prefixes were added
        #expect(asked.withLock { $0 } == [["DUSEPK_REDIS_LOCK_"]])
        #expect(loop.state.match == "lock:* DUSEPK_REDIS_LOCK_*")
        #expect(loop.state.alsoSeen.isEmpty)
        loop.handle(await iterator.next()!)  // and a refresh ran at once, not after the 60 s interval
        #expect(refreshes.withLock { $0 } == 2)
        loop.cancelTasks()
    }
}
