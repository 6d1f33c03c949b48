import Dispatch

/// The dashboard's own serial thread: the runner's loop (keys, state, frames) runs here, so it
/// never queues behind a refresh being decoded or prepared on the shared executor (with NIO's
/// event loops as the global executor, a job lands on one fixed loop and would wait for
/// whatever long piece of work that loop is running).
final class UIThread: TaskExecutor, @unchecked Sendable {
    // @unchecked: a DispatchQueue is thread-safe; nothing else is stored.
    private let queue = DispatchQueue(label: "lockwatch.ui", qos: .userInteractive)

    /// Runs `job` on the queue.
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}

/// Where big values are dropped: freeing a 100,000-row table takes tens of milliseconds, which
/// must not delay a key or a frame.
enum Retired {
    private static let queue = DispatchQueue(label: "lockwatch.retire", qos: .utility)

    /// Releases `value` (this last reference) on a background queue.
    static func drop<Value: Sendable>(_ value: Value) {
        queue.async { withExtendedLifetime(value) {} }
    }
}
