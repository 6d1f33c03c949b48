import Synchronization

extension LiveInspector {
    /// Yields whenever events were found (several at once yield once if the reader lags):
    /// for a dashboard that refreshes on news instead of waiting for its interval. Ends when
    /// the iterating task is cancelled.
    public func changes() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let id = watchers.withLock { watchers in
            watchers.next += 1
            watchers.continuations[watchers.next] = continuation
            return watchers.next
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.watchers.withLock { $0.continuations.removeValue(forKey: id) }
        }
        return stream
    }

    /// Tells every ``changes()`` iterator that there is news.
    func notifyWatchers() {
        for continuation in watchers.withLock({ Array($0.continuations.values) }) { continuation.yield() }
    }
}

/// The iterators of ``LiveInspector/changes()``.
struct ChangeWatchers: Sendable {
    var next = 0
    var continuations: [Int: AsyncStream<Void>.Continuation] = [:]
}
