import LockWatchUI
import RESP
import RedisLock
import Synchronization

/// The dashboard's live inspector, replaced by one that watches more prefixes when the
/// operator presses `a` on the "also seen" hint.
final class LiveSelection: Sendable {
    private struct Current {
        var live: LiveInspector
        var swapWatchers: [Int: AsyncStream<Void>.Continuation] = [:]
        var nextWatcher = 0
    }

    private let servers: LockInspector.Deployment
    /// The backends that list the keys behind a proxy (`--scan-node`); empty otherwise.
    private let scanNodes: [RedisClient]
    /// The load budget and whether to use the change stream, for every live inspector made.
    private let budget: LoadBudget
    private let changeStream: Bool
    private let current: Mutex<Current>

    /// Starts with a live inspector of `selection` on `servers` (listing keys on `scanNodes`
    /// when given).
    init(
        servers: LockInspector.Deployment, selection: LockInspector.Selection, scanNodes: [RedisClient] = [],
        budget: LoadBudget = .standard, changeStream: Bool = true
    ) {
        self.servers = servers
        self.scanNodes = scanNodes
        self.budget = budget
        self.changeStream = changeStream
        let inspector = LockInspector(servers: servers, selection: selection, scanNodes: scanNodes)
        current = Mutex(Current(live: LiveInspector(inspector: inspector, budget: budget, changeStream: changeStream)))
    }

    /// The live inspector in use now.
    var live: LiveInspector { current.withLock { $0.live } }

    /// The selection watched now.
    var selection: LockInspector.Selection { live.inspector.selection }

    /// Watches `prefixes` as well from the next refresh on: a new live inspector replaces the
    /// current one, whose change streams are closed. Returns the new SCAN patterns; `nil` for a
    /// `--match` glob, which has no prefixes to add to.
    func add(prefixes: [String]) async -> String? {
        let old = live
        let selection = old.inspector.selection
        if case .glob = selection { return nil }
        let wider = selection.adding(prefixes: prefixes)
        let replacement = LiveInspector(
            inspector: LockInspector(servers: servers, selection: wider, scanNodes: scanNodes), budget: budget, changeStream: changeStream)
        let watchers = current.withLock { current in
            current.live = replacement
            return Array(current.swapWatchers.values)
        }
        for watcher in watchers { watcher.yield() }
        await old.stop()
        return wider.pattern
    }

    /// Calls `notify` whenever the current live inspector has news (see
    /// ``LiveInspector/changes()``), following it across replacements, until cancelled.
    func forwardChanges(_ notify: @escaping @Sendable () -> Void) async {
        while !Task.isCancelled {
            // A fresh stream each round: an AsyncStream ends when a task iterating it is cancelled.
            let (swaps, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
            let (live, id) = current.withLock { current in
                current.nextWatcher += 1
                current.swapWatchers[current.nextWatcher] = continuation
                return (current.live, current.nextWatcher)
            }
            await withTaskGroup(of: Void.self) { group in
                group.addTask { for await _ in live.changes() { notify() } }
                group.addTask { for await _ in swaps { return } }
                await group.next()
                group.cancelAll()
            }
            _ = current.withLock { $0.swapWatchers.removeValue(forKey: id) }
        }
    }
}
