import BenchmarkSupport
import RedisLock
import RESP

/// Our side of each case: the public `Locker` API only, the way an application calls it.
enum LockWorkloads {
    static let ttl = Duration.seconds(10)

    /// (a) One task: `tryLock` then `unlock`, one cycle after the other, on one lock.
    static func sequential(_ locker: Locker, cycles: Int) async throws -> Throughput {
        let name = "bench:sequential"
        // The warm-up connects and loads the scripts.
        return try await measureEach(cycles, warmUp: 1000) { try await cycle(locker, name) }
    }

    /// (a) with the opt-in for a tight loop: the caller prefers the event loop of the locker's
    /// connection (`withTaskExecutorPreference(connection.taskExecutor)`).
    static func sequentialPreferred(_ locker: Locker, client: RedisClient, cycles: Int) async throws -> Throughput {
        let executor = try await client.connection().taskExecutor
        return try await withTaskExecutorPreference(executor) {
            try await sequential(locker, cycles: cycles)
        }
    }

    /// (b) `tasks` tasks, each cycling on its own lock, all sharing the locker's connection.
    static func concurrent(_ locker: Locker, tasks: Int, cycles: Int) async throws -> Throughput {
        let perTask = cycles / tasks
        for index in 0 ..< tasks { try await cycle(locker, "bench:concurrent:\(index)") }  // warm-up
        return try await measureConcurrently(tasks: tasks, perTask: perTask) { index in
            try await cycle(locker, "bench:concurrent:\(index)")
        }
    }

    /// One acquire and release; the lock must be free.
    private static func cycle(_ locker: Locker, _ name: String) async throws {
        guard case .acquired(let lease) = try await locker.tryLock(name, ttl: ttl) else {
            throw BenchmarkError("'\(name)' was held during an uncontended cycle")
        }
        guard try await locker.unlock(lease) else {
            throw BenchmarkError("releasing '\(name)' found it no longer ours")
        }
    }

    /// (c) `tasks` contenders on one lock, each looping: `lock(…, wait:)`, hold it for `hold`,
    /// note the release moment, `unlock`. Runs a little past `window` after the first
    /// acquisition so that the window is full; returns every held interval on one clock. With
    /// `pauseAfterRelease`, each contender waits that long after `unlock` before its next
    /// `lock()`.
    /// A `waitTimedOut` is counted (see ``HandOffRun``) and the contender tries again.
    static func handOff(_ locker: Locker, tasks: Int, hold: Duration, window: Duration, pauseAfterRelease: Duration) async throws -> HandOffRun {
        let name = "bench:handoff"
        // Warm-up: the connection is open and the lock is free before the clock starts.
        let warm = try await locker.lock(name, ttl: .seconds(5), wait: .seconds(10))
        try await locker.unlock(warm)
        let clock = ContinuousClock()
        let base = clock.now
        let deadline = base + window + .milliseconds(200)
        return try await withThrowingTaskGroup(of: HandOffRun.self) { group in
            for index in 0 ..< tasks {
                group.addTask {
                    var own = HandOffRun()
                    own.intervals.reserveCapacity(Int(window / hold) + 16)
                    while clock.now < deadline {
                        let lease: LockLease
                        do {
                            lease = try await locker.lock(name, ttl: .seconds(5), wait: .seconds(10))
                        } catch let error as LockError where error.code == .waitTimedOut {
                            own.waitTimeouts += 1
                            continue
                        }
                        let acquired = clock.now
                        try await Task.sleep(for: hold)
                        let released = clock.now
                        let ours = try await locker.unlock(lease)
                        let unlocked = clock.now
                        guard ours else { throw BenchmarkError("the hand-off lock was lost while held (fence \(lease.fence))") }
                        own.intervals.append(HeldInterval(
                            acquired: (acquired - base).nanoseconds, released: (released - base).nanoseconds,
                            unlocked: (unlocked - base).nanoseconds, holder: index, fence: lease.fence))
                        if pauseAfterRelease > .zero { try await Task.sleep(for: pauseAfterRelease) }
                    }
                    return own
                }
            }
            var all = HandOffRun()
            for try await part in group {
                all.intervals += part.intervals
                all.waitTimeouts += part.waitTimeouts
            }
            return all
        }
    }
}
