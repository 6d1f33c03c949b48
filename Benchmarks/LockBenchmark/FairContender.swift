import BenchmarkSupport
import Foundation
import RESP
import RedisLock

/// What one contender (or all of them) recorded in a fair-versus-`Locker` run.
struct ContenderRun: Sendable, Codable {
    /// Every holding, in nanoseconds of `CLOCK_MONOTONIC` (one clock for every process).
    var intervals: [HeldInterval] = []
    /// The longest `lock` call that got the lock, in nanoseconds.
    var longestWait: Int64 = 0
    /// `lock` calls that timed out.
    var waitTimeouts = 0
    /// When each successful `lock` call was made (monotonic ns), with its acquisition in
    /// ``intervals`` at the same index: how many others got the lock meanwhile.
    var called: [Int64] = []

    mutating func merge(_ other: ContenderRun) {
        intervals += other.intervals
        called += other.called
        longestWait = max(longestWait, other.longestWait)
        waitTimeouts += other.waitTimeouts
    }

    /// The most acquisitions by others during any one wait: at most contenders − 1 in
    /// arrival order, whatever the holds and gaps cost on the machine; unbounded when waiters
    /// race.
    var mostOvertakes: Int {
        let acquisitions = intervals.map(\.acquired).sorted()
        func count(before instant: Int64) -> Int {  // acquisitions strictly before `instant`
            var low = 0, high = acquisitions.count
            while low < high {
                let middle = (low + high) / 2
                if acquisitions[middle] < instant { low = middle + 1 } else { high = middle }
            }
            return low
        }
        return zip(called, intervals).map { count(before: $1.acquired) - count(before: $0) }.max() ?? 0
    }
}

/// `CLOCK_MONOTONIC` in nanoseconds: the same clock in the benchmark and its child processes.
func monotonicNanoseconds() -> Int64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
}

/// One contender: from `start` until `end` (monotonic ns), take lock `name`, hold it for
/// `hold`, release it, and ask again at once.
func contend<Lock: DistributedLock>(_ lock: Lock, name: String, index: Int, hold: Duration, start: Int64, end: Int64) async throws -> ContenderRun {
    let lead = start - monotonicNanoseconds()
    if lead > 0 { try await Task.sleep(for: .nanoseconds(lead)) }
    var run = ContenderRun()
    while monotonicNanoseconds() < end {
        let called = monotonicNanoseconds()
        guard let lease = try await acquire(lock, name) else {
            run.waitTimeouts += 1
            continue
        }
        let acquired = monotonicNanoseconds()
        run.longestWait = max(run.longestWait, acquired - called)
        try await Task.sleep(for: hold)
        let released = monotonicNanoseconds()
        guard try await lock.unlock(lease) else { throw BenchmarkError("the contended lock was lost while held") }
        let unlocked = monotonicNanoseconds()
        var fence: Int64?
        if case .single(let value) = lock.fencing(of: lease) { fence = value }
        run.intervals.append(HeldInterval(acquired: acquired, released: released, unlocked: unlocked, holder: index, fence: fence))
        run.called.append(called)
    }
    return run
}

/// `lock` within 10 s, or `nil` when the wait timed out. A function of its own: written
/// inline in `contend`'s loop, the deferred `let` and the `catch where` sent the compiler's
/// mandatory AllocBoxToStack pass into a specialisation loop that never ended in `-O` builds.
private func acquire<Lock: DistributedLock>(_ lock: Lock, _ name: String) async throws -> Lock.Lease? {
    do {
        return try await lock.lock(name, ttl: .seconds(5), wait: .seconds(10), token: nil)
    } catch where error.code == .waitTimedOut {
        return nil
    }
}

/// The lock kinds compared.
enum ContendedKind: String, Sendable, CaseIterable {
    case locker, fair

    var label: String {
        switch self {
        case .locker: "Locker"
        case .fair: "FairLocker"
        }
    }

    /// A lock of this kind on `client`.
    func run(on client: RedisClient, name: String, index: Int, hold: Duration, start: Int64, end: Int64, tasks: Int) async throws -> ContenderRun {
        let configuration = LockConfiguration(owner: "bench:\(index)", acceptedRisks: [.noPersistence])
        switch self {
        case .locker: return try await Self.sharing(try Locker(client: client, configuration: configuration), name, index, hold, start, end, tasks)
        case .fair: return try await Self.sharing(try FairLocker(client: client, configuration: configuration), name, index, hold, start, end, tasks)
        }
    }

    /// `tasks` contenders sharing `lock` (numbered from `index`).
    private static func sharing<Lock: DistributedLock>(_ lock: Lock, _ name: String, _ index: Int, _ hold: Duration, _ start: Int64, _ end: Int64, _ tasks: Int) async throws -> ContenderRun {
        try await withThrowingTaskGroup(of: ContenderRun.self) { group in
            for task in 0 ..< tasks {
                group.addTask { try await contend(lock, name: name, index: index + task, hold: hold, start: start, end: end) }
            }
            var all = ContenderRun()
            for try await part in group { all.merge(part) }
            return all
        }
    }
}
