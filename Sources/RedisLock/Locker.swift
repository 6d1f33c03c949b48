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
public final class Locker: DistributedLock {
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
    /// The server safety check: started by the first acquire, in a Task of its own.
    private let safetyCheck = Mutex<Task<Void, Never>?>(nil)
    private let safetyChecked = Atomic<Bool>(false)
    /// Set once subscribing to a release channel was refused (a proxy): waiters poll.
    let pubSubRefused = Atomic<Bool>(false)
    /// Clean-ups of acquires whose outcome was unknown, awaited by a retry with the same token.
    let pendingCleanups = PendingCleanups()
    /// The renewal loops' wake-ups, all called when the connection drops or is reopened (the
    /// server may have restarted without persistence and lost every lock), so each verifies
    /// its lease at once instead of at its next scheduled renewal.
    let renewalWakeUps = ObserverList<@Sendable () -> Void>()
    private let stopObservingConnection: (@Sendable () -> Void)?

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
        try LockValidation.owner(configuration.owner)
        try LockValidation.renewalFraction(configuration.renewalFraction)
        self.backend = backend
        self.configuration = configuration
        self.logger = logger
        self.metrics = LockMetrics()
        self.escapedOwner = LockValidation.jsonEscaped(configuration.owner)
        self.releaseListeners = ReleaseListeners(tag: LockValidation.newToken())
        let wakeUps = renewalWakeUps
        self.stopObservingConnection = backend.observeConnectionChanges {
            for wakeUp in wakeUps.all { wakeUp() }
        }
    }

    deinit {
        stopObservingConnection?()
    }

    /// The Redis names of lock `name` (in the configured ``LockConfiguration/layout``).
    public func keys(for name: String) -> LockKeys {
        switch configuration.layout {
        case .record: LockKeys(name: name, prefix: configuration.prefix)
        case .legacy: LockKeys(legacyName: name, prefix: configuration.prefix)
        }
    }

    /// Tries once to take lock `name` for `ttl`.
    ///
    /// - Parameters:
    ///   - name: the lock's name; its keys share the hash tag `{name}`.
    ///   - ttl: how long the lease lasts unless extended.
    ///   - token: your own token (letters, digits, `.`, `_`, `:`, `-`; at most 64; in
    ///     the legacy layout any printable text up to 256 bytes, as Go's tokens); by default 128
    ///     random bits from the system's CSPRNG.
    /// - Returns: ``LockAttempt/acquired(_:)`` with the lease, or ``LockAttempt/held(_:)``
    ///   with who holds the lock and for how much longer.
    public func tryLock(_ name: String, ttl: Duration, token: String? = nil) async throws(LockError) -> LockAttempt {
        try await tryLock(name, ttl: ttl, token: token, awaitingSafetyCheck: true)
    }

    /// ``tryLock(_:ttl:token:)``; Redlock passes `awaitingSafetyCheck: false`, so that the
    /// check never eats into its per-node timeout (it still starts, and finishes on its own).
    func tryLock(_ name: String, ttl: Duration, token: String?, awaitingSafetyCheck: Bool) async throws(LockError) -> LockAttempt {
        let token = try LockValidation.token(token, layout: configuration.layout)
        let milliseconds = try LockValidation.ttl(ttl)
        if !safetyChecked.load(ordering: .relaxed) {
            let check = startServerSafetyCheck()
            if awaitingSafetyCheck { await check.value }
        }
        let keys = keys(for: name)
        // An earlier attempt with this token whose outcome was unknown may still be cleaning
        // up: let it finish first, or it could delete the lock this attempt takes.
        await pendingCleanups.waitFor(key: keys.lock, token: token)
        let called = ContinuousClock.now
        // When the command was handed to the socket: the script cannot run earlier, so the
        // validity counts from then (not from before a connect or reconnect). Backends that
        // call `whenWritten` only with the reply count from the call.
        let writtenAt = Mutex<ContinuousClock.Instant?>(nil)
        let reply: RESPToken
        do {
            let whenWritten: @Sendable () -> Void = { writtenAt.withLock { $0 = $0 ?? .now } }
            switch configuration.layout {
            case .record:
                reply = try await backend.runFromCaller(
                    LockScripts.acquire, keys: [keys.lock, keys.fence],
                    arguments: [LockRecord.prefix(token: token, escapedOwner: escapedOwner), String(milliseconds)],
                    whenWritten: whenWritten)
            case .legacy:
                reply = try await backend.runFromCaller(
                    LockScripts.legacyAcquire, keys: [keys.lock], arguments: [token, String(milliseconds)], whenWritten: whenWritten)
            }
        } catch {
            throw acquireFailed(error, name: name, keys: keys, token: token, written: writtenAt.withLock { $0 != nil })
        }
        let start = backend.confirmsWrites ? writtenAt.withLock { $0 } ?? called : called
        let elapsed = ContinuousClock.now - start
        metrics.acquireLatency.recordNanoseconds(elapsed.nanoseconds)
        let attempt = try decodeAcquireReply(reply, keys: keys, token: token, ttl: ttl, start: start)
        if let lease = attempt.lease, ContinuousClock.now >= lease.validUntil {
            // The reply came after the lease's validity ended: someone else may hold the lock
            // by now. Release ours by its exact value (from a Task that is not cancelled).
            _ = await Task { try? await self.unlock(lease) }.value
            throw LockError(.notAcquired, "acquiring '\(name.escapedForMessages)' took \((ContinuousClock.now - start).formattedMilliseconds), longer than the lease's validity (TTL \(ttl.formattedMilliseconds)); the lock was released again: use a longer TTL")
        }
        return attempt
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

    /// The error for a failed acquire. A failure after the script may have run (anything but
    /// the server's own error reply, or a command that was never written) leaves the outcome
    /// unknown: the lock is released best-effort in the background.
    private func acquireFailed(_ error: RedisError, name: String, keys: LockKeys, token: String, written: Bool) -> LockError {
        let serverAnswered = [RedisError.Code.serverError, .permissionDenied, .authenticationFailed, .crossSlot].contains(error.code)
        let neverSent = error.code == .connectionFailed || error.code == .clientShutDown || (backend.confirmsWrites && !written)
        if serverAnswered {
            return LockError.from(error, during: "acquiring '\(name.escapedForMessages)'")
        }
        if neverSent {
            if error.code == .cancelled || Task.isCancelled {
                return LockError(.cancelled, "acquiring '\(name.escapedForMessages)' was cancelled before it was sent", underlying: error)
            }
            if error.code == .connectionFailed {
                return LockError.from(error, during: "acquiring '\(name.escapedForMessages)'")
            }
            return LockError(.connectionFailed, "acquiring '\(name.escapedForMessages)' was not sent: \(error.message.escapedForMessages)", underlying: error)
        }
        pendingCleanups.start(key: keys.lock, token: token) {
            _ = try? await self.releaseHolding(token: token, name: name)
        }
        if error.code == .cancelled || Task.isCancelled {
            return LockError(.cancelled, "acquiring '\(name.escapedForMessages)' was cancelled; a lock it may have taken is being released", underlying: error)
        }
        return LockError(.outcomeUnknown, "the acquire of '\(name.escapedForMessages)' may or may not have run (\(error.message.escapedForMessages)); a lock it may have taken is being released", underlying: error)
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
            released = try await backend.runFromCaller(
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
        let extended = try await backend.extend(lease, ttl: ttl, driftFactor: configuration.driftFactor)
        if !extended { metrics.leaseLosses.increment() }
        return extended
    }

    /// The clock-drift allowance subtracted from a TTL.
    func drift(for ttl: Duration) -> Duration {
        LockValidation.drift(for: ttl, factor: configuration.driftFactor)
    }

    /// Starts the server safety check once, in a Task of its own that no caller's
    /// cancellation or timeout can stop (a cancelled check would otherwise never run); returns
    /// it to await. The first acquire waits for it, so its commands precede the acquire.
    func startServerSafetyCheck() -> Task<Void, Never> {
        safetyCheck.withLock { check in
            if let check { return check }
            let task = Task {
                await ServerSafetyCheck.warnIfUnsafe(backend: self.backend, accepting: self.configuration.acceptedRisks, logger: self.logger)
                self.safetyChecked.store(true, ordering: .relaxed)
            }
            check = task
            return task
        }
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
