import RESP
import Synchronization

/// What ``ReadWriteLocker`` and ``Semaphore`` share: the ``Locker`` whose backend,
/// configuration, safety check and connection observation they use, their own waiters and
/// release subscriptions, and the acquire, extend and release of one holder's lease in the
/// lock hash (see ``HolderScripts``).
final class HolderCore: Sendable {
    let locker: Locker
    let waitQueue = LocalWaitQueue()
    let releaseListeners = ReleaseListeners(tag: LockValidation.newToken())
    let pendingCleanups = PendingCleanups()
    /// `{"v":1,"kind":…,"owner":"…",` pieces: the owner escaped once.
    private let escapedOwner: String

    /// How long a waiting writer's marker lives unless the writer renews it (each try does).
    static let writerWaitingTTL = Duration.seconds(2)

    /// A core on `locker`, which must use this library's record layout.
    init(locker: Locker, kindName: String) throws(LockError) {
        guard locker.configuration.layout == .record else {
            throw LockError(.invalidArgument, "a \(kindName) needs this library's record layout; the legacy (Go) layout has no room for several holders")
        }
        self.locker = locker
        self.escapedOwner = LockValidation.jsonEscaped(locker.configuration.owner)
    }

    var backend: any LockBackend { locker.backend }

    /// One try to take `role`'s lease on `name`.
    func tryAcquire(_ name: String, ttl: Duration, token: String, role: HolderRole) async throws(LockError) -> HolderAttempt {
        let milliseconds = try LockValidation.ttl(ttl)
        await locker.startServerSafetyCheck().value
        let keys = locker.keys(for: name)
        let field = role.field(token: token)
        await pendingCleanups.waitFor(key: keys.lock, token: token)
        let prefix = LockRecord.prefix(token: token, escapedOwner: escapedOwner, kind: role.kind)
        let (script, scriptKeys, arguments): (RedisScript, [String], [String]) = switch role {
        case .read: (ReadWriteScripts.acquireRead, [keys.lock, keys.expiries, keys.fence, keys.writerWaiting], [prefix, String(milliseconds), field])
        case .write: (ReadWriteScripts.acquireWrite, [keys.lock, keys.expiries, keys.fence, keys.writerWaiting], [prefix, String(milliseconds), token, String(Self.writerWaitingTTL.milliseconds)])
        case .permit(let count): (SemaphoreScripts.acquire, [keys.lock, keys.expiries, keys.fence, keys.permits], [prefix, String(milliseconds), field, String(count)])
        }
        let called = ContinuousClock.now
        let writtenAt = Mutex<ContinuousClock.Instant?>(nil)
        let reply: RESPToken
        do {
            reply = try await backend.run(script, keys: scriptKeys, arguments: arguments, whenWritten: { writtenAt.withLock { $0 = $0 ?? .now } })
        } catch {
            throw acquireFailed(error, name: name, keys: keys, field: field, token: token, written: writtenAt.withLock { $0 != nil })
        }
        let start = backend.confirmsWrites ? writtenAt.withLock { $0 } ?? called : called
        let attempt = try decode(reply, keys: keys, token: token, role: role, ttl: ttl, start: start)
        if let lease = attempt.lease, ContinuousClock.now >= lease.validUntil {
            _ = await Task { try? await self.unlock(lease, field: field) }.value
            throw LockError(.notAcquired, "acquiring \(role.leaseName) '\(name.escapedForMessages)' took longer than the lease's validity (TTL \(ttl.formattedMilliseconds)); it was released again: use a longer TTL")
        }
        return attempt
    }

    private func decode(_ reply: RESPToken, keys: LockKeys, token: String, role: HolderRole, ttl: Duration, start: ContinuousClock.Instant) throws(LockError) -> HolderAttempt {
        let status: Int, value: String, number: Int64, reason: String
        do throws(RedisError) {
            guard case .array(let parts) = reply.value, parts.count == 4 else {
                throw reply.unexpected("[status, value, fence or ttl, reason]")
            }
            var iterator = parts.makeIterator()
            status = try Int(fromRESP: iterator.next()!)
            value = try String(fromRESP: iterator.next()!)
            number = try Int64(fromRESP: iterator.next()!)
            reason = try String(fromRESP: iterator.next()!)
        } catch {
            throw LockError.from(error, during: "acquiring \(role.leaseName) '\(keys.name.escapedForMessages)'")
        }
        switch status {
        case 1:
            let validUntil = start + ttl - locker.drift(for: ttl)
            return .acquired(LockLease(keys: keys, value: value, token: token, fence: number, validUntil: validUntil))
        case 0:
            let remaining: Duration? = number >= 0 ? .milliseconds(number) : nil
            let holder = value.isEmpty ? nil : LockHolder(value: value, remaining: remaining)
            return .held(HolderContention(holder: holder, reason: reason, role: role, remaining: remaining))
        default:
            let wanted = role.kind == "rw" ? "a read-write lock" : "a semaphore"
            throw LockError(.invalidArgument, "'\(keys.lock.escapedForMessages)' holds \(Self.describe(kind: value)), not \(wanted): use another name")
        }
    }

    /// What a key of `kind` (the script's `kindOf()`) is, for messages.
    static func describe(kind: String) -> String {
        switch kind {
        case "string": "a lock of another kind (a string: an exclusive or fair lock)"
        case "rw": "a read-write lock"
        case "semaphore": "a semaphore"
        case "hash": "a hash that is no lock of this library"
        default: "a \(kind.escapedForMessages) of another kind"
        }
    }

    /// The error of a failed acquire; when the script may have run, the holder field it may
    /// have written is deleted in the background (by token), as ``Locker`` does.
    private func acquireFailed(_ error: RedisError, name: String, keys: LockKeys, field: String, token: String, written: Bool) -> LockError {
        let serverAnswered = [RedisError.Code.serverError, .permissionDenied, .authenticationFailed, .crossSlot].contains(error.code)
        let neverSent = error.code == .connectionFailed || error.code == .clientShutDown || (backend.confirmsWrites && !written)
        if serverAnswered || neverSent {
            if error.code == .cancelled || (!serverAnswered && Task.isCancelled) {
                return LockError(.cancelled, "acquiring '\(name.escapedForMessages)' was cancelled before it was sent", underlying: error)
            }
            return LockError.from(error, during: "acquiring '\(name.escapedForMessages)'")
        }
        pendingCleanups.start(key: keys.lock, token: token) {
            _ = try? await self.releaseHolding(token: token, field: field, keys: keys)
        }
        if error.code == .cancelled || Task.isCancelled {
            return LockError(.cancelled, "acquiring '\(name.escapedForMessages)' was cancelled; a lease it may have taken is being released", underlying: error)
        }
        return LockError(.outcomeUnknown, "the acquire of '\(name.escapedForMessages)' may or may not have run (\(error.message.escapedForMessages)); a lease it may have taken is being released", underlying: error)
    }

    private func releaseHolding(token: String, field: String, keys: LockKeys) async throws(RedisError) -> Bool {
        try await backend.run(
            HolderScripts.releaseByToken, keys: [keys.lock, keys.expiries],
            arguments: [field, "\"token\":\"\(token)\"", keys.channel, backend.wakeUpPublishCommand], whenWritten: {}
        ).decode(as: Int.self) == 1
    }

    /// Releases the holder field `field` if `lease` still holds it, and wakes waiters (this
    /// core's next waiter at once).
    func unlock(_ lease: LockLease, field: String) async throws(LockError) -> Bool {
        let queue = waitQueue, key = lease.keys.lock
        let released: Bool
        do {
            released = try await backend.run(
                HolderScripts.release, keys: [key, lease.keys.expiries],
                arguments: [field, lease.value, lease.keys.channel, releaseListeners.tag, backend.wakeUpPublishCommand],
                whenWritten: { queue.wakeHead(key) }
            ).decode(as: Int.self) == 1
        } catch {
            throw LockError.from(error, during: "releasing '\(lease.name.escapedForMessages)'")
        }
        if released {
            waitQueue.wakeHead(key)
        } else {
            lease.markLost(.expired)
        }
        lease.markReleased()
        return released
    }

    /// Moves the expiry of holder field `field` to now + `ttl` if `lease` still holds it;
    /// marks the lease lost when it does not.
    func extend(_ lease: LockLease, ttl: Duration, field: String) async throws(LockError) -> Bool {
        let milliseconds = try LockValidation.ttl(ttl)
        let start = ContinuousClock.now
        let number = lease.beginExtend()
        let extended: Bool
        do {
            extended = try await backend.run(
                HolderScripts.extend, keys: [lease.keys.lock, lease.keys.expiries],
                arguments: [field, lease.value, String(milliseconds)], whenWritten: {}
            ).decode(as: Int.self) == 1
        } catch {
            throw LockError.from(error, during: "extending '\(lease.name.escapedForMessages)'")
        }
        if extended {
            lease.extendValidity(to: start + ttl - locker.drift(for: ttl), extend: number)
        } else {
            lease.markLost(.expired)
        }
        return extended
    }

    /// Drops the writer-waiting marker of `token` on `name`, if it is still there, and wakes
    /// the readers it held back.
    func withdrawWriter(_ name: String, token: String) async {
        let keys = locker.keys(for: name)
        _ = try? await backend.run(
            ReadWriteScripts.withdrawWriter, keys: [keys.writerWaiting],
            arguments: [token, keys.channel, backend.wakeUpPublishCommand], whenWritten: {})
    }
}

/// The outcome of one try of ``HolderCore/tryAcquire(_:ttl:token:role:)``.
typealias HolderAttempt = LockTryResult<HolderContention>
