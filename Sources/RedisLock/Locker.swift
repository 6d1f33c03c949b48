public import RESP
public import Logging
import NIOCore
import Synchronization

/// Takes, extends and releases locks in one Redis server.
///
/// ```swift
/// let locker = Locker(client: try RedisClient(url: "redis://127.0.0.1:6379"))
/// try await locker.withLock("orders:42", ttl: .seconds(30), wait: .seconds(10)) { lease in
///     try await storage.write(order, fence: lease.fence)   // the resource checks the fence
/// }
/// ```
///
/// Acquire is one atomic script (check, bump the fence, set with a TTL); release and extend
/// are compare-and-delete and compare-and-`PEXPIRE` scripts against the whole stored value.
public final class Locker: Sendable {
    /// Where the locks live: one server (``RESP/RedisClient``) or a cluster
    /// (``RESP/RedisClusterClient``).
    public let backend: any LockBackend
    /// The settings every lock of this locker uses.
    public let configuration: LockConfiguration
    /// Where warnings (eviction, persistence) and lease losses are logged.
    public let logger: Logger
    let metrics: LockMetrics
    let waitQueue = LocalWaitQueue()
    let releaseListeners: ReleaseListeners
    /// `{"v":1,"owner":"…",` is the same for every acquire: escaped once.
    private let escapedOwner: String
    private let safetyChecked = Atomic<Bool>(false)

    /// Makes a locker on one server; it checks the owner label and talks to Redis only when used.
    public convenience init(
        client: RedisClient,
        configuration: LockConfiguration = LockConfiguration(),
        logger: Logger = Logger(label: "RedisLock")
    ) throws(LockError) {
        try self.init(backend: client, configuration: configuration, logger: logger)
    }

    /// Makes a locker on `backend`: a ``RESP/RedisClient`` or a ``RESP/RedisClusterClient``
    /// (every lock's keys share a hash tag, so each script runs in one slot, and waiters are
    /// woken through sharded pub/sub).
    public init(
        backend: some LockBackend,
        configuration: LockConfiguration = LockConfiguration(),
        logger: Logger = Logger(label: "RedisLock")
    ) throws(LockError) {
        try Self.validateOwner(configuration.owner)
        self.backend = backend
        self.configuration = configuration
        self.logger = logger
        self.metrics = LockMetrics()
        self.escapedOwner = Self.jsonEscaped(configuration.owner)
        self.releaseListeners = ReleaseListeners(tag: Self.makeToken())
    }

    /// The Redis names of lock `name`.
    public func keys(for name: String) -> LockKeys {
        LockKeys(name: name, prefix: configuration.prefix)
    }

    /// Tries once to take lock `name` for `ttl`.
    ///
    /// - Parameter token: your own token (letters, digits, `.`, `_`, `:`, `-`; at most 64);
    ///   by default 128 random bits from the system's CSPRNG.
    /// - Returns: ``LockAttempt/acquired(_:)`` with the lease, or ``LockAttempt/held(_:)``
    ///   with who holds the lock and for how much longer.
    public func tryLock(_ name: String, ttl: Duration, token: String? = nil) async throws(LockError) -> LockAttempt {
        let token = try token.map { (t) throws(LockError) in try Self.validateToken(t) } ?? Self.makeToken()
        let milliseconds = try Self.validateTTL(ttl)
        await checkServerSafetyOnce()
        let keys = keys(for: name)
        let start = ContinuousClock.now
        let reply: RESPToken
        do {
            reply = try await backend.run(
                LockScripts.acquire, keys: [keys.lock, keys.fence],
                arguments: [LockRecord.prefix(token: token, escapedOwner: escapedOwner), String(milliseconds)], whenWritten: {})
        } catch {
            if error.code == .cancelled || Task.isCancelled {
                // The script may have run: clean up from a Task that is not cancelled.
                Task { await self.releaseAfterUnknownOutcome(keys: keys, token: token) }
                throw LockError(.cancelled, "acquiring '\(name.escapedForMessages)' was cancelled; a lock it may have taken was released", underlying: error)
            }
            if error.code == .connectionClosed || error.code == .timeout {
                Task { await self.releaseAfterUnknownOutcome(keys: keys, token: token) }
                throw LockError(.outcomeUnknown, "the connection failed while acquiring '\(name.escapedForMessages)'; the lock was released best-effort: \(error.message)", underlying: error)
            }
            throw LockError.from(error, during: "acquiring '\(name.escapedForMessages)'")
        }
        let elapsed = ContinuousClock.now - start
        metrics.acquireLatency.recordNanoseconds(elapsed.nanoseconds)
        return try decodeAcquireReply(reply, keys: keys, token: token, ttl: ttl, start: start)
    }

    private func decodeAcquireReply(_ reply: RESPToken, keys: LockKeys, token: String, ttl: Duration, start: ContinuousClock.Instant) throws(LockError) -> LockAttempt {
        do throws(RedisError) {
            guard case .array(let parts) = reply.value, parts.count == 3 else {
                throw reply.unexpected("[status, value, fence or ttl]")
            }
            var iterator = parts.makeIterator()
            let acquired = try Int(fromRESP: iterator.next()!) == 1
            let value = try String(fromRESP: iterator.next()!)
            let number = try Int64(fromRESP: iterator.next()!)
            if acquired {
                let validUntil = start + ttl - drift(for: ttl)
                return .acquired(LockLease(keys: keys, value: value, token: token, fence: number, validUntil: validUntil))
            }
            metrics.contended.increment()
            return .held(LockHolder(value: value, remaining: number >= 0 ? .milliseconds(number) : nil))
        } catch {
            throw LockError.from(error, during: "acquiring '\(keys.name.escapedForMessages)'")
        }
    }

    /// Releases the lock if `lease` still holds it and wakes its waiters.
    ///
    /// This locker's next waiter for the lock is woken as soon as the release is written, so
    /// that its acquire follows the release on the same connection within one round trip;
    /// it is woken again once the release is confirmed, in case its try came too early.
    ///
    /// - Returns: `true` when released; `false` when the lock had expired or someone else holds
    ///   it now (their lock is left untouched, and `lease` is marked lost).
    @discardableResult
    public func unlock(_ lease: LockLease) async throws(LockError) -> Bool {
        let released: Bool
        let queue = waitQueue, key = lease.keys.lock
        do {
            released = try await backend.run(
                LockScripts.release, keys: [key],
                arguments: [lease.value, lease.keys.channel, releaseListeners.tag, backend.wakeUpPublishCommand],
                whenWritten: { queue.wakeHead(key) }
            ).decode(as: Int.self) == 1
        } catch {
            throw LockError.from(error, during: "releasing '\(lease.name.escapedForMessages)'")
        }
        if released {
            waitQueue.wakeHead(lease.keys.lock)  // hand over to this locker's next waiter now
        } else {
            lease.markLost(.expired)
        }
        lease.markReleased()
        return released
    }

    /// Resets the lock's TTL to `ttl` if `lease` still holds it. An expired lock is never
    /// re-created.
    ///
    /// - Returns: `true` when extended (the lease's validity moves on); `false` when the lock
    ///   is gone or held by someone else (the lease is then marked lost).
    @discardableResult
    public func extend(_ lease: LockLease, ttl: Duration) async throws(LockError) -> Bool {
        let milliseconds = try Self.validateTTL(ttl)
        let start = ContinuousClock.now
        let extended: Bool
        do {
            extended = try await backend.run(LockScripts.extend, keys: [lease.keys.lock], arguments: [lease.value, String(milliseconds)], whenWritten: {})
                .decode(as: Int.self) == 1
        } catch {
            throw LockError.from(error, during: "extending '\(lease.name.escapedForMessages)'")
        }
        if extended {
            lease.extendValidity(to: start + ttl - drift(for: ttl))
        } else {
            lease.markLost(.expired)
            metrics.leaseLosses.increment()
        }
        return extended
    }

    /// The clock-drift allowance subtracted from a TTL.
    func drift(for ttl: Duration) -> Duration {
        ttl * configuration.driftFactor + .milliseconds(2)
    }

    private func releaseAfterUnknownOutcome(keys: LockKeys, token: String) async {
        let marker = "\"token\":\"\(token)\""
        _ = try? await backend.run(
            LockScripts.releaseByToken, keys: [keys.lock], arguments: [marker, keys.channel, backend.wakeUpPublishCommand], whenWritten: {})
    }

    private func checkServerSafetyOnce() async {
        guard !safetyChecked.exchange(true, ordering: .relaxed) else { return }
        await ServerSafetyCheck.warnIfUnsafe(backend: backend, logger: logger)
    }
}

/// The outcome of ``Locker/tryLock(_:ttl:token:)``.
public enum LockAttempt: Sendable {
    /// We hold the lock.
    case acquired(LockLease)
    /// Someone else holds it.
    case held(LockHolder)

    /// The lease when acquired, else `nil`.
    public var lease: LockLease? {
        if case .acquired(let lease) = self { return lease }
        return nil
    }
}

extension Duration {
    /// Whole nanoseconds, clamped.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : scaled + attoseconds / 1_000_000_000
    }
}
