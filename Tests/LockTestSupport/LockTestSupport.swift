import Foundation
import Glibc
package import RESP
package import RedisLock
package import RedisTestSupport
import Synchronization
package import Testing

// MARK: - Servers, clients and lockers

/// Clients made during one test, shut down when the test ends (also when it throws).
package final class ClientPool: Sendable {
    private let clients = Mutex<[RedisClient]>([])
    package let server: RedisServer

    package init(server: RedisServer) {
        self.server = server
    }

    /// A fresh client (its own connections) for the test's server.
    package func client() throws -> RedisClient {
        let client = try RedisClient(url: server.url)
        clients.withLock { $0.append(client) }
        return client
    }

    /// A locker on a fresh client.
    package func locker(owner: String = "test-owner", retryBackoff: ClosedRange<Duration>? = nil) throws -> Locker {
        var configuration = LockConfiguration(owner: owner, acceptedRisks: [.noPersistence])
        if let retryBackoff { configuration.retryBackoff = retryBackoff }
        return try Locker(client: try client(), configuration: configuration)
    }

    package func shutdown() async {
        let all = clients.withLock { clients in
            defer { clients = [] }
            return clients
        }
        for client in all { await client.shutdown() }
    }
}

/// Starts a redis-server, runs `body` with a pool of clients for it and an admin client,
/// then shuts every client down and stops the server (like `withRedisServer`).
///
/// Server starts are taken one at a time: the harness waits for readiness partly with
/// blocking calls (`Process.run`, a blocking PING probe), and forty tests starting servers at
/// once would tie up both threads of the cooperative pool, stalling the timing-sensitive
/// tests that already run.
package func withLockServer<T>(
    _ options: RedisServer.Options = .init(),
    isolation: isolated (any Actor)? = #isolation,
    _ body: (ClientPool, RedisClient) async throws -> T
) async throws -> T {
    let server = try await ServerStarts.shared.oneAtATime { try await RedisServer.start(options) }
    let pool = ClientPool(server: server)
    do {
        let admin = try pool.client()
        let result = try await body(pool, admin)
        await pool.shutdown()
        await server.stop()
        return result
    } catch {
        await pool.shutdown()
        await server.stop()
        throw error
    }
}

/// Lets one server start at a time.
package actor ServerStarts {
    package static let shared = ServerStarts()
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    package func oneAtATime<T: Sendable>(_ start: @Sendable () async throws -> T) async throws -> T {
        if busy {
            await withCheckedContinuation { waiting.append($0) }
        } else {
            busy = true
        }
        defer {
            if waiting.isEmpty {
                busy = false
            } else {
                waiting.removeFirst().resume()
            }
        }
        return try await start()
    }
}

extension RedisClient {
    /// `PTTL key`: milliseconds left, -1 without TTL, -2 when the key does not exist.
    package func pttl(_ key: String) async throws -> Int {
        try await send("PTTL", key).decode(as: Int.self)
    }

    /// `GET key`.
    package func get(_ key: String) async throws -> String? {
        try await send("GET", key).decode(as: String?.self)
    }

    /// `EXISTS key` as a Bool.
    package func exists(_ key: String) async throws -> Bool {
        try await send("EXISTS", key).decode(as: Int.self) == 1
    }

    /// The server's clock (`TIME`) in Unix milliseconds.
    package func serverMilliseconds() async throws -> Int64 {
        let parts = try await send("TIME").decode(as: [String].self)
        let seconds = try #require(Int64(parts[0]))
        let microseconds = try #require(Int64(parts[1]))
        return seconds * 1000 + microseconds / 1000
    }

    /// Waits until exactly one client is subscribed to something and the last command it ran
    /// was a script (`EVALSHA`): a waiter that has subscribed and made its second try, whose
    /// reply is then all that stands between it and waiting. Returns `false` on timeout.
    package func waitUntilAWaiterRetried(timeout: Duration = .seconds(5)) async throws -> Bool {
        try await eventually(timeout: timeout) {
            let clients = try await send("CLIENT", "LIST").decode(as: String.self).split(separator: "\n")
            let subscribed = clients.filter { $0.contains(" sub=1 ") || $0.contains(" psub=1 ") }
            return subscribed.count == 1 && subscribed[0].contains(" cmd=evalsha ")
        }
    }

    /// `PUBSUB NUMSUB channel`: how many clients subscribe to `channel`.
    package func subscriberCount(_ channel: String) async throws -> Int {
        let reply = try await send("PUBSUB", "NUMSUB", channel).decode(as: [RESPToken].self)
        try #require(reply.count == 2)
        return try reply[1].decode(as: Int.self)
    }
}

// MARK: - Polling

/// Polls `condition` every `interval` until it holds; returns `false` if `timeout` passes first.
package func eventually(
    timeout: Duration = .seconds(5),
    interval: Duration = .milliseconds(5),
    _ condition: () async throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try await Task.sleep(for: interval)
    }
}

/// Runs `operation` and fails the test if it does not finish within `timeout`; then returns
/// `nil` without waiting for it further (it is cancelled and left to finish on its own).
package func within<T: Sendable>(
    _ timeout: Duration,
    _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ operation: @escaping @Sendable () async throws -> T
) async throws -> T? {
    let race = FirstOf<Result<T, any Error>?>()
    let work = Task {
        do { race.finish(.success(try await operation())) } catch { race.finish(.failure(error)) }
    }
    let timer = Task {
        try? await Task.sleep(for: timeout)
        race.finish(nil)
    }
    let first = await race.value
    timer.cancel()
    guard let first else {
        work.cancel()
        Issue.record("\(what) did not finish within \(timeout)", sourceLocation: sourceLocation)
        return nil
    }
    return try first.get()
}

/// A one-shot value: the first `finish` wins and wakes whoever awaits `value`.
package final class FirstOf<Value: Sendable>: Sendable {
    private struct State {
        var result: [Value] = []  // empty until finished, then exactly one value
        var waiters: [CheckedContinuation<Value, Never>] = []
    }

    private let state = Mutex(State())

    package init() {}

    package func finish(_ value: Value) {
        let waiters: [CheckedContinuation<Value, Never>] = state.withLock { state in
            guard state.result.isEmpty else { return [] }
            state.result = [value]
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: value) }
    }

    package var value: Value {
        get async {
            await withCheckedContinuation { continuation in
                let ready: [Value] = state.withLock { state in
                    if state.result.isEmpty { state.waiters.append(continuation) }
                    return state.result
                }
                if let value = ready.first { continuation.resume(returning: value) }
            }
        }
    }
}

/// Catches the `LockError` thrown by `operation`; records an issue and returns `nil` when it
/// returns normally.
package func lockError<T>(
    sourceLocation: SourceLocation = #_sourceLocation,
    _ operation: () async throws(LockError) -> T
) async -> LockError? {
    do {
        let value = try await operation()
        Issue.record("expected a LockError, got \(value)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

/// A mutex-protected value that closures can capture and share.
package final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    package init(_ value: Value) {
        mutex = Mutex(value)
    }

    package func withLock<Result>(_ body: (inout sending Value) throws -> sending Result) rethrows -> sending Result {
        try mutex.withLock(body)
    }

    package var value: Value { mutex.withLock { $0 } }
}

/// A counter that is deliberately not atomic: a read, a suspension point, then a write. Only
/// mutual exclusion keeps increments from being lost.
package final class UnprotectedCounter: @unchecked Sendable {
    private var value = 0
    package init() {}
    package func read() -> Int { value }
    package func write(_ newValue: Int) { value = newValue }
}

extension Duration {
    /// The duration in (fractional) milliseconds, for messages and comparisons.
    package var inMilliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}

// MARK: - A dedicated executor for CPU-heavy tests

/// Runs jobs on threads of its own instead of Swift's cooperative pool (two threads here).
/// A test that queues thousands of short jobs would otherwise put every other test's jobs
/// behind them in the pool's queue, delaying timing-sensitive tests by hundreds of
/// milliseconds; on threads of its own it competes through the OS scheduler instead, which
/// slices time finely. `shutdown()` ends the threads once idle.
package final class DedicatedExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []  // guarded by `condition`
    private var stopping = false  // guarded by `condition`

    package init(threads: Int) {
        for index in 0..<threads {
            let thread = Thread { [self] in run() }
            thread.name = "dedicated-executor-\(index)"
            thread.start()
        }
    }

    package func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        condition.lock()
        jobs.append(unowned)
        condition.signal()
        condition.unlock()
    }

    /// Lets the threads end once no job is queued.
    package func shutdown() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
