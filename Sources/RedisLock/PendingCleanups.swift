import Synchronization

/// The clean-ups still running after acquires whose outcome was unknown, by lock and token.
///
/// A clean-up deletes the lock if its record carries the attempt's token. A caller that
/// retries with the same token (``Locker/lock(_:ttl:wait:token:)`` does) could otherwise take
/// the lock and then see a late clean-up delete it; so an acquire first waits for the
/// clean-up of an earlier attempt with the same lock and token to finish.
final class PendingCleanups: Sendable {
    private struct State {
        var tasks: [String: (id: UInt64, task: Task<Void, Never>)] = [:]
        var nextID: UInt64 = 0
        var waiting = 0
    }

    private let state = Mutex(State())

    /// Starts `cleanup` in a Task of its own (never cancelled) and remembers it until done.
    func start(key: String, token: String, _ cleanup: @escaping @Sendable () async -> Void) {
        let name = Self.name(key: key, token: token)
        state.withLock { state in
            state.nextID += 1
            let id = state.nextID
            let previous = state.tasks[name]?.task
            let task = Task {
                await previous?.value
                await cleanup()
                self.finished(name, id: id)
            }
            state.tasks[name] = (id, task)
        }
    }

    /// Returns once no clean-up for `key` and `token` is running.
    func waitFor(key: String, token: String) async {
        let name = Self.name(key: key, token: token)
        while let task = state.withLock({ state -> Task<Void, Never>? in
            guard let task = state.tasks[name]?.task else { return nil }
            state.waiting += 1
            return task
        }) {
            await task.value
            state.withLock { $0.waiting -= 1 }
        }
    }

    /// How many acquires are waiting for a clean-up right now (for tests).
    var waiting: Int { state.withLock { $0.waiting } }

    private func finished(_ name: String, id: UInt64) {
        state.withLock { state in
            if state.tasks[name]?.id == id { state.tasks[name] = nil }
        }
    }

    private static func name(key: String, token: String) -> String {
        key + "\u{0}" + token
    }
}
