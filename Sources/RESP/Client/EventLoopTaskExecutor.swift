public import NIOCore

/// A task executor that runs its jobs on one NIO event loop, for `withTaskExecutorPreference`
/// and `Task(executorPreference:)`: nonisolated async code under that preference runs on the
/// loop, so a command it sends on a connection of that loop, and the reply it awaits, cost no
/// thread hop (see ``RedisConnection/taskExecutor``).
///
/// Run only short, non-blocking work under it: whatever blocks the thread blocks every socket
/// of the loop too.
public final class EventLoopTaskExecutor: TaskExecutor {
    /// The loop the jobs run on.
    public let eventLoop: any EventLoop

    /// An executor for the jobs of tasks that prefer `eventLoop`.
    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Runs `job` on the loop, after what the loop already has queued.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
