import BenchmarkSupport
import Synchronization

/// Nanoseconds on the monotonic clock since a fixed origin.
func now() -> Int64 {
    let elapsed = ContinuousClock.now - origin
    return elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
}

private let origin = ContinuousClock.now

/// Shared state of a workload's tasks.
private final class Shared<Value: Sendable>: Sendable {
    let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
}

/// 64 tasks, each on its own lock, acquire and release as fast as they can for `duration`.
func concurrentCycles(_ lock: LockUnderTest, tasks: Int = 64, duration: Duration) async throws -> Double {
    let cycles = Shared(0)
    let deadline = ContinuousClock.now + duration
    let start = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        for task in 0 ..< tasks {
            group.addTask {
                let key = "bench:\(task)"
                while ContinuousClock.now < deadline {
                    let release = try await lock.acquire(key, .seconds(10), .seconds(5))
                    await release()
                    cycles.value.withLock { $0 += 1 }
                }
            }
        }
        try await group.waitForAll()
    }
    let elapsed = ContinuousClock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return Double(cycles.value.withLock { $0 }) / seconds
}

/// One holding of the hand-off lock, in nanoseconds from ``now()``.
struct Holding: Sendable {
    var acquired: Int64
    var released: Int64
}

/// What the hand-off workload measured.
struct HandOff {
    /// Acquisitions per second divided by the ideal `1 / hold`.
    var ratio: Double
    /// Release to the next acquisition, in microseconds.
    var gapP50: Double
    var gapP99: Double
    /// Overlapping holdings: must be 0.
    var overlaps: Int
}

/// `contenders` tasks take one lock in turn, each holding it for `hold`, for `duration`.
func handOff(_ lock: LockUnderTest, contenders: Int = 8, hold: Duration = .milliseconds(2), duration: Duration) async throws -> HandOff {
    let intervals = Shared<[Holding]>([])
    let deadline = ContinuousClock.now + duration
    try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0 ..< contenders {
            group.addTask {
                while ContinuousClock.now < deadline {
                    let release = try await lock.acquire("bench:handoff", .seconds(10), .seconds(30))
                    let acquired = now()
                    try? await Task.sleep(for: hold)
                    let released = now()
                    await release()
                    intervals.value.withLock { $0.append(Holding(acquired: acquired, released: released)) }
                }
            }
        }
        try await group.waitForAll()
    }
    let sorted = intervals.value.withLock { $0 }.sorted { $0.acquired < $1.acquired }
    guard sorted.count > 1 else { return HandOff(ratio: 0, gapP50: 0, gapP99: 0, overlaps: 0) }
    var gaps: [Int64] = []
    var overlaps = 0
    for (previous, next) in zip(sorted, sorted.dropFirst()) {
        if next.acquired < previous.released { overlaps += 1 }
        gaps.append(next.acquired - previous.released)
    }
    gaps.sort()
    let span = Double(sorted.last!.acquired - sorted.first!.acquired) / 1e9
    let perSecond = Double(sorted.count - 1) / span
    let holdSeconds = Double(hold.components.attoseconds) / 1e18 + Double(hold.components.seconds)
    func percentile(_ p: Double) -> Double { Double(gaps[min(gaps.count - 1, Int(Double(gaps.count) * p))]) / 1000 }
    return HandOff(ratio: perSecond * holdSeconds, gapP50: percentile(0.5), gapP99: percentile(0.99), overlaps: overlaps)
}
