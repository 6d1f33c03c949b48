public import RESP
public import Logging
import Synchronization

/// A fair lock with direct hand-off: waiters queue in Redis in arrival order, and a release
/// hands the lock straight to the oldest live waiter in the same script.
///
/// ```swift
/// let fair = try FairLocker(client: try RedisClient(url: "redis://127.0.0.1:6379"))
/// try await fair.withLock("orders:42", ttl: .seconds(30), wait: .seconds(10)) { lease in
///     try await storage.write(order, fence: lease.fence)   // the resource checks the fence
/// }
/// ```
///
/// Each waiter's queue entry carries a short deadline (``waiterDeadline``) that the waiter
/// renews while it waits; a waiter that dies or is stopped drops out when its deadline passes
/// and is skipped at hand-off. A lock handed to a waiter lives only until that waiter's
/// deadline until the waiter confirms it (setting the full TTL), so a waiter that vanished at
/// the moment of hand-off costs the lock at most its deadline. The new holder owns the lock
/// before it hears of it: the hand-off message (`granted:<token>|<record>` on the grant
/// channel of the waiter's locker, so no other process wakes) carries its record, so the
/// hand-off gap is one message. Cancelled and
/// timed-out waits remove their entry at once.
///
/// Keys and values: see ``FairKeys`` and ``FairScripts``; the holder's record is a
/// ``LockRecord`` with `"kind":"fair"`, so a plain ``Locker`` sees an ordinary held lock.
/// Fences come from the same counter as ``Locker``'s.
public final class FairLocker: DistributedLock {
    /// Where the locks live: one server or a cluster.
    public let backend: any LockBackend
    /// Prefix, owner, drift, back-offs (``LockConfiguration/layout`` must be `.record`).
    public let configuration: LockConfiguration
    /// How long a waiter's queue entry lives without renewal (renewed every third of it).
    public let waiterDeadline: Duration
    /// Where warnings and lease losses are logged.
    public var logger: Logger { base.logger }
    /// A plain locker on the same backend, for what both kinds share: extend (the same
    /// compare-and-`PEXPIRE`), the server safety check, metrics and lease-loss logs,
    /// connection events, clean-ups of acquires whose outcome was unknown, polling behind a
    /// proxy. It takes no locks of its own.
    let base: Locker
    let listeners = FairGrantListeners()

    /// The tag of this locker's grant channels (see ``FairKeys``): hand-offs to its waiters
    /// are published on `<release channel>:<tag>`.
    package var grantTag: String { listeners.tag }
    /// What this locker's releases publish when nobody is queued.
    let tag = LockValidation.newToken()
    private let escapedOwner: String

    /// Makes a fair locker on one server.
    public convenience init(
        client: RedisClient,
        configuration: LockConfiguration = LockConfiguration(),
        waiterDeadline: Duration = .seconds(2),
        logger: Logger = Logger(label: "RedisLock.Fair")
    ) throws(LockError) {
        try self.init(backend: client, configuration: configuration, waiterDeadline: waiterDeadline, logger: logger)
    }

    /// Makes a fair locker on `backend` (a ``RESP/RedisClient`` or a
    /// ``RESP/RedisClusterClient``); `waiterDeadline` between 50 ms and 60 s.
    public init(
        backend: some LockBackend,
        configuration: LockConfiguration = LockConfiguration(),
        waiterDeadline: Duration = .seconds(2),
        logger: Logger = Logger(label: "RedisLock.Fair")
    ) throws(LockError) {
        guard configuration.layout == .record else {
            throw LockError(.invalidArgument, "a fair lock stores this library's records: use the default layout, not the Go lock's")
        }
        guard waiterDeadline >= .milliseconds(50), waiterDeadline <= .seconds(60) else {
            throw LockError(.invalidArgument, "waiterDeadline must be between 50 ms and 60 s (default 2 s), not \(waiterDeadline.formattedMilliseconds)")
        }
        self.base = try Locker(backend: backend, configuration: configuration, logger: logger)
        self.backend = backend
        self.configuration = configuration
        self.waiterDeadline = waiterDeadline
        self.escapedOwner = LockValidation.jsonEscaped(configuration.owner)
    }

    /// The Redis names of fair lock `name`.
    public func keys(for name: String) -> FairKeys {
        FairKeys(name: name, prefix: configuration.prefix)
    }

    /// The start of `token`'s record, up to `"acquired_ms":`.
    func recordPrefix(_ token: String) -> String {
        LockRecord.prefix(token: token, escapedOwner: escapedOwner, kind: "fair")
    }

    /// Tries once to take lock `name` for `ttl`, without queueing. A free lock with live
    /// waiters queued is handed to the oldest of them instead (it is theirs by arrival).
    ///
    /// - Returns: ``LockAttempt/acquired(_:)`` or ``LockAttempt/held(_:)``.
    public func tryLock(_ name: String, ttl: Duration, token: String? = nil) async throws(LockError) -> LockAttempt {
        let token = try LockValidation.token(token, layout: .record)
        let milliseconds = try LockValidation.ttl(ttl)
        await base.startServerSafetyCheck().value
        let keys = keys(for: name)
        await base.pendingCleanups.waitFor(key: keys.lock.lock, token: token)
        let start = ContinuousClock.now
        let written = Atomic<Bool>(false)
        let reply: FairReply
        do {
            reply = try await runAcquire(keys, token: token, ttl: milliseconds, deadline: 0, whenWritten: { written.store(true, ordering: .relaxed) })
        } catch {
            throw acquireFailed(error, keys: keys, token: token, written: written.load(ordering: .relaxed))
        }
        switch reply {
        case .acquired(let value, let fence):
            let lease = LockLease(keys: keys.lock, value: value, token: token, fence: fence, validUntil: start + ttl - base.drift(for: ttl))
            if ContinuousClock.now >= lease.validUntil {
                _ = await Task { try? await self.unlock(lease) }.value
                throw LockError(.notAcquired, "acquiring '\(name.escapedForMessages)' took longer than the lease's validity (TTL \(ttl.formattedMilliseconds)); the lock was released again: use a longer TTL")
            }
            return .acquired(lease)
        case .waiting(let holder, _):
            base.metrics.contended.increment()
            return .held(holder)
        }
    }

    /// Runs ``FairScripts/acquire``: `deadline` ms of queueing (0: none).
    func runAcquire(_ keys: FairKeys, token: String, ttl: Int64, deadline: Int64, whenWritten: @Sendable () -> Void) async throws(RedisError) -> FairReply {
        let handOff = deadline > 0 ? min(ttl, deadline) : ttl
        let arguments = [
            token, recordPrefix(token), String(ttl), String(deadline), "\(handOff)|\(listeners.tag)",
            keys.lock.channel, backend.wakeUpPublishCommand, String(deadline + Self.queueExpiryMargin),
        ]
        let reply = try await backend.run(FairScripts.acquire, keys: keys.scriptKeys, arguments: arguments, whenWritten: whenWritten)
        return try FairReply(reply)
    }

    /// How much longer than the longest waiter deadline the auxiliary keys live, in ms.
    static let queueExpiryMargin: Int64 = 1000

    /// The error for a failed try; when the script may have run, the lock it may have taken
    /// (or been handed) is released in the background, before any retry with the same token.
    private func acquireFailed(_ error: RedisError, keys: FairKeys, token: String, written: Bool) -> LockError {
        let during = "acquiring '\(keys.lock.name.escapedForMessages)'"
        if [RedisError.Code.serverError, .permissionDenied, .authenticationFailed, .crossSlot].contains(error.code) {
            return LockError.from(error, during: during)
        }
        if error.code == .connectionFailed || error.code == .clientShutDown || (backend.confirmsWrites && !written) {
            if error.code == .cancelled || Task.isCancelled {
                return LockError(.cancelled, "\(during) was cancelled before it was sent", underlying: error)
            }
            return LockError.from(error, during: during)
        }
        base.pendingCleanups.start(key: keys.lock.lock, token: token) {
            _ = try? await self.leave(keys, token: token)
        }
        if error.code == .cancelled || Task.isCancelled {
            return LockError(.cancelled, "\(during) was cancelled; a lock it may have taken is being released", underlying: error)
        }
        return LockError(.outcomeUnknown, "the acquire of '\(keys.lock.name.escapedForMessages)' may or may not have run (\(error.message.escapedForMessages)); a lock it may have taken is being released", underlying: error)
    }

    /// Releases the lock if `lease` still holds it and hands it to the oldest live waiter
    /// (told by a message, or directly when it waits in this locker).
    ///
    /// - Returns: `true` when released; `false` when it was no longer held by `lease` (the
    ///   lease is then marked lost).
    @discardableResult
    public func unlock(_ lease: LockLease) async throws(LockError) -> Bool {
        let keys = keys(for: lease.name)
        let released: Bool
        do {
            released = try await runRelease(keys, match: lease.value, exact: true, token: lease.token)
        } catch {
            throw LockError.from(error, during: "releasing '\(lease.name.escapedForMessages)'")
        }
        if !released { lease.markLost(.expired) }
        lease.markReleased()
        return released
    }

    /// Leaves the queue of `keys` at once; if the lock was handed to `token` meanwhile, it is
    /// released (and handed on). Returns whether a lock was released.
    @discardableResult
    func leave(_ keys: FairKeys, token: String) async throws(RedisError) -> Bool {
        try await runRelease(keys, match: recordPrefix(token), exact: false, token: token)
    }

    /// Runs ``FairScripts/release``; a hand-off to one of this locker's waiters is delivered
    /// to it directly.
    private func runRelease(_ keys: FairKeys, match: String, exact: Bool, token: String) async throws(RedisError) -> Bool {
        let reply = try await backend.run(
            FairScripts.release, keys: keys.scriptKeys,
            arguments: [match, exact ? "=" : "^", token, keys.lock.channel, tag, backend.wakeUpPublishCommand],
            whenWritten: {})
        let parts = try [RESPToken](fromRESP: reply)
        guard let first = parts.first else { throw reply.unexpected("[released, next token, next value]") }
        if parts.count == 3 {
            listeners.deliver(key: keys.lock.lock, token: try String(fromRESP: parts[1]), value: try String(fromRESP: parts[2]))
        }
        return try Int(fromRESP: first) == 1
    }

    /// Resets the lock's TTL to `ttl` if `lease` still holds it (compare-and-`PEXPIRE`, as
    /// ``Locker/extend(_:ttl:)``); never re-creates an expired lock.
    @discardableResult
    public func extend(_ lease: LockLease, ttl: Duration) async throws(LockError) -> Bool {
        try await base.extend(lease, ttl: ttl)
    }
}
