import LockWatchUI
import RedisLock

/// Keypress to finished frame inside the process: the key applied to the dashboard's state
/// and the whole screen rendered to a cell grid, with the real scan's rows.
enum InProcessKeys {
    /// One kind of keypress and its timings.
    struct Timing {
        var name: String
        var samples: [Duration]
    }

    static func measure(_ snapshot: InspectionSnapshot, width: Int, height: Int) -> [Timing] {
        var state = DashboardState(endpoint: "redis://127.0.0.1 lock:*", readOnly: true)
        state.resize(width: width, height: height)
        state.apply(snapshot: snapshot)
        _ = render(state, width: width, height: height)
        let clock = ContinuousClock()
        func time(_ keys: [KeyPress], repeats: Int) -> [Duration] {
            (0..<repeats).map { _ in
                let start = clock.now
                for key in keys { _ = state.handle(key) }
                state.tick(now: .now)
                _ = render(state, width: width, height: height)
                return clock.now - start
            }
        }
        var timings: [Timing] = []
        timings.append(Timing(name: "down (j)", samples: time([.character("j")], repeats: 500)))
        timings.append(Timing(name: "page down", samples: time([.pageDown], repeats: 200)))
        timings.append(Timing(name: "end / home", samples: time([.end], repeats: 50) + time([.home], repeats: 50)))
        timings.append(Timing(name: "sort by next column (s)", samples: time([.character("s")], repeats: 20)))
        _ = state.handle(.character("/"))
        timings.append(Timing(name: "filter: type one character", samples: time([.character("9")], repeats: 5) + time([.backspace], repeats: 5)))
        _ = state.handle(.escape)
        return timings
    }
}
