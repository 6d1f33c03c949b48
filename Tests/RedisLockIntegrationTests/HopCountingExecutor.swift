import NIOCore
import Synchronization

/// A task executor that counts the jobs it receives, for counting thread hops: a task that
/// prefers it runs its nonisolated code on it, and every job it receives after that is the
/// task coming back from another executor (the connection's event loop), i.e. one trip there
/// and back: two hops. Jobs run on `eventLoop`, a loop other than the connection's.
final class HopCountingExecutor: TaskExecutor {
    /// The loop the jobs run on.
    let eventLoop: any EventLoop
    private let jobs = Atomic<Int>(0)

    /// An executor on a loop of `group` other than `avoided`, when the group has one.
    init(in group: any EventLoopGroup, avoiding avoided: any EventLoop) {
        eventLoop = group.makeIterator().first { $0 !== avoided } ?? group.next()
    }

    /// The jobs received so far.
    var received: Int { jobs.load(ordering: .sequentiallyConsistent) }

    func enqueue(_ job: consuming ExecutorJob) {
        jobs.add(1, ordering: .sequentiallyConsistent)
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    /// Runs `warmUp` (which also brings the task onto this executor), then `body`, both
    /// preferring this executor; returns how often the task came back to it during `body`.
    func returns(
        warmUp: () async throws -> Void, during body: () async throws -> Void
    ) async throws -> Int {
        try await withTaskExecutorPreference(self) {
            try await warmUp()
            let before = received
            try await body()
            return received - before
        }
    }
}
