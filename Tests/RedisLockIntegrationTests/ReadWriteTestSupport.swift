import RESP
@testable import RedisLock
import RedisTestSupport
import Synchronization
import Testing
import LockTestSupport

/// Helpers of the read-write lock and semaphore tests.
enum HolderKindTesting {
    /// A read-write lock on a fresh client of `pool`.
    static func readWriteLocker(_ pool: ClientPool, owner: String, retryBackoff: ClosedRange<Duration>? = nil) throws -> ReadWriteLocker {
        try ReadWriteLocker(try pool.locker(owner: owner, retryBackoff: retryBackoff))
    }

    /// A semaphore on a fresh client of `pool`.
    static func semaphore(_ pool: ClientPool, owner: String, retryBackoff: ClosedRange<Duration>? = nil) throws -> Semaphore {
        try Semaphore(try pool.locker(owner: owner, retryBackoff: retryBackoff))
    }

    /// `HGETALL key` as a dictionary.
    static func hash(_ client: RedisClient, _ key: String) async throws -> [String: String] {
        try await client.send("HGETALL", key).decode(as: [String: String].self)
    }

    /// `ZSCORE key member` as an integer, `nil` when absent.
    static func score(_ client: RedisClient, _ key: String, _ member: String) async throws -> Int64? {
        try await client.send("ZSCORE", key, member).decode(as: String?.self).flatMap { Double($0) }.map { Int64($0) }
    }
}

/// Who is inside a read-write lock or a semaphore right now, as seen by the bodies of the
/// holders; counts every moment an invariant was broken.
final class Occupancy: Sendable {
    private struct State {
        var readers = 0
        var writers = 0
        var maxReaders = 0
        var maxHolders = 0
        var violations: [String] = []
        var lastWriterFence: Int64 = 0
    }

    private let state = Mutex(State())

    /// A reader enters with `fence`: no writer may be inside, and its fence is the last
    /// writer's.
    func enterReader(fence: Int64) {
        state.withLock { state in
            state.readers += 1
            state.maxReaders = max(state.maxReaders, state.readers)
            if state.writers > 0 { state.violations.append("a reader entered while a writer was inside") }
            if fence != state.lastWriterFence { state.violations.append("a reader's fence \(fence) is not the last writer's \(state.lastWriterFence)") }
        }
    }

    func leaveReader() { state.withLock { $0.readers -= 1 } }

    /// The writer enters with `fence`: nobody else may be inside, and the fence increases.
    func enterWriter(fence: Int64) {
        state.withLock { state in
            state.writers += 1
            if state.writers > 1 || state.readers > 0 { state.violations.append("a writer entered with \(state.readers) readers and \(state.writers - 1) writers inside") }
            if fence <= state.lastWriterFence { state.violations.append("writer fence \(fence) after \(state.lastWriterFence)") }
            state.lastWriterFence = fence
        }
    }

    func leaveWriter() { state.withLock { $0.writers -= 1 } }

    /// A permit holder enters: at most `permits` may be inside.
    func enterHolder(permits: Int) {
        state.withLock { state in
            state.readers += 1
            state.maxHolders = max(state.maxHolders, state.readers)
            if state.readers > permits { state.violations.append("\(state.readers) holders inside with \(permits) permits") }
        }
    }

    var violations: [String] { state.withLock { $0.violations } }
    var maxReaders: Int { state.withLock { $0.maxReaders } }
    var maxHolders: Int { state.withLock { $0.maxHolders } }
}
