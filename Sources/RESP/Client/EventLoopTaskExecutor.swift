public import NIOCore

/// A `TaskExecutor` that runs jobs on one event loop.
///
/// Code running under `withTaskExecutorPreference(executor)` runs its nonisolated parts on the
/// loop instead of Swift's cooperative pool. When that loop is the one a connection's socket
/// lives on, a command's send and the caller's resumption after the reply happen on one thread,
/// saving the two thread hops (pool → loop to write, loop → pool to resume) of every round trip.
/// Only code that never blocks may run there: it shares the thread with the sockets.
public final class EventLoopTaskExecutor: TaskExecutor {
    /// Where the jobs run.
    public let eventLoop: any EventLoop

    /// An executor for `eventLoop`.
    public init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Runs `job` on the event loop, as part of the loop's serial execution.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
