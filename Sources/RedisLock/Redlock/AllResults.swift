import Synchronization

/// Runs every operation at once, each in a Task of its own, and returns their results in
/// order as soon as all have answered or `limit` has passed, with `nil` for those still
/// running. Those are cancelled but not awaited: a node that hangs (SIGSTOPped, unreachable)
/// must not hold up the caller beyond `limit`. One timer serves all operations. With
/// `endOnCancel`, cancelling the caller returns the results so far at once, the same way;
/// otherwise the operations (in Tasks of their own) finish or time out as if not cancelled,
/// so that a cancelled caller's releases still go out.
func allResults<T: Sendable>(within limit: Duration, endOnCancel: Bool = false, _ operations: [@Sendable () async -> T]) async -> [T?] {
    guard !operations.isEmpty else { return [] }
    let collector = ResultCollector<T>(count: operations.count)
    return await withTaskCancellationHandler {
        await withCheckedContinuation { continuation in
            collector.start(continuation)
            var tasks = operations.enumerated().map { index, operation in
                Task { collector.record(await operation(), at: index) }
            }
            tasks.append(Task {
                try? await Task.sleep(for: limit)
                collector.finish()
            })
            collector.keep(tasks)
        }
    } onCancel: {
        if endOnCancel { collector.finish() }
    }
}

/// The shared state of ``allResults(within:_:)``.
private final class ResultCollector<T: Sendable>: Sendable {
    private struct State {
        var results: [T?]
        var remaining: Int
        var continuation: CheckedContinuation<[T?], Never>?
        var tasks: [Task<Void, Never>] = []
        var finished = false
    }

    private let state: Mutex<State>

    init(count: Int) {
        state = Mutex(State(results: Array(repeating: nil, count: count), remaining: count))
    }

    /// Takes the caller's continuation; resumes it at once if already finished (cancelled).
    func start(_ continuation: CheckedContinuation<[T?], Never>) {
        let results: [T?]? = state.withLock { state in
            if state.finished { return state.results }
            state.continuation = continuation
            return nil
        }
        if let results { continuation.resume(returning: results) }
    }

    /// Keeps the tasks to cancel when finished (at once if that already happened).
    func keep(_ tasks: [Task<Void, Never>]) {
        let cancelNow = state.withLock { state -> Bool in
            if state.finished { return true }
            state.tasks = tasks
            return false
        }
        if cancelNow { tasks.forEach { $0.cancel() } }
    }

    func record(_ result: T, at index: Int) {
        let complete = state.withLock { state -> Bool in
            guard !state.finished else { return false }
            state.results[index] = result
            state.remaining -= 1
            return state.remaining == 0
        }
        if complete { finish() }
    }

    /// Hands out the results so far and cancels whatever still runs, once.
    func finish() {
        let (continuation, results, tasks) = state.withLock { state in
            defer {
                state.finished = true
                state.continuation = nil
                state.tasks = []
            }
            return (state.finished ? nil : state.continuation, state.results, state.tasks)
        }
        continuation?.resume(returning: results)
        tasks.forEach { $0.cancel() }
    }
}
