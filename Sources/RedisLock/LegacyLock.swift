import RESP

/// The original Go lock's API, in its own shape, for teams porting Go code line by line:
/// `lock(key:token:expireSeconds:)` is Go's `SET DUSEPK_REDIS_LOCK_<key> <token> EX <n> NX`,
/// `unlock(key:token:)` releases it.
///
/// ```swift
/// let legacy = LegacyLock(backend: try RedisClient(url: "redis://codis-proxy:19000"))
/// if try await legacy.lock(key: "orders:42", token: token, expireSeconds: 30) {
///     try await process(order)
///     _ = try await legacy.unlock(key: "orders:42", token: token)
/// }
/// ```
///
/// It shares locks with Go services and with a ``Locker`` configured with
/// ``LockConfiguration/legacy(prefix:owner:)``: same key, same value (the plain token), so
/// each excludes the others. Where it differs from Go, on purpose:
/// - ``unlock(key:token:)`` is one atomic compare-and-delete script. Go's `GET`, compare,
///   `DEL` is three steps: if its lock expires between the `GET` and the `DEL` and someone
///   else takes it, Go deletes the new holder's lock. Here that cannot happen.
/// - ``unlock(key:token:)`` publishes a wake-up for waiters connected straight to the server.
///
/// It is also a ``DistributedLock`` (leases are ``LockLease``s with fence 0), so
/// ``DistributedLock/withLock(_:ttl:wait:_:)`` and renewal work on it; its waiting polls.
/// For waiting woken by releases, use a ``Locker`` with the legacy configuration.
public struct LegacyLock: DistributedLock {
    /// Where the locks live (through Codis, twemproxy or to Redis directly).
    public let backend: any LockBackend
    /// Put in front of every key (Go's is ``LockLayout/legacyPrefix``).
    public let prefix: String

    /// Locks on `backend` under `prefix`.
    public init(backend: some LockBackend, prefix: String = LockLayout.legacyPrefix) {
        self.backend = backend
        self.prefix = prefix
    }

    /// Takes lock `key` for `expireSeconds` if nobody holds it: exactly Go's
    /// `SET <prefix><key> <token> EX <expireSeconds> NX`.
    ///
    /// - Returns: `true` when taken, `false` when someone (Go or Swift) holds it.
    /// - Throws: ``LockError/Code/invalidArgument`` for an empty key, a token that is not
    ///   1-256 bytes of printable text, or `expireSeconds` outside 1 s … 365 days; otherwise
    ///   what the command met (see ``LockError``).
    public func lock(key: String, token: String, expireSeconds: Int) async throws(LockError) -> Bool {
        let keys = try names(key)
        _ = try LockValidation.legacyToken(token)
        let seconds = try LockValidation.expireSeconds(expireSeconds)
        return try await set(keys, token: token, expiry: "EX", String(seconds))
    }

    /// `SET <key> <token> <unit> <amount> NX`: whether it was set.
    func set(_ keys: LockKeys, token: String, expiry unit: String, _ amount: String) async throws(LockError) -> Bool {
        do {
            let reply = try await backend.send(RESPCommand("SET", keys.lock, token, unit, amount, "NX"), nearKey: keys.lock, timeout: nil)
            return try reply.decode(as: String?.self) != nil
        } catch {
            throw LockError.from(error, during: "locking '\(keys.name.escapedForMessages)'")
        }
    }

    /// Releases lock `key` if it still holds `token`, atomically (``LockScripts/release``),
    /// and wakes its waiters. Go's unlock (`GET`, compare, `DEL`) differs: it can delete a lock
    /// that expired and was taken by someone else between its `GET` and its `DEL`.
    ///
    /// - Returns: `true` when released; `false` when the lock was gone or held by another
    ///   token (it is left untouched).
    public func unlock(key: String, token: String) async throws(LockError) -> Bool {
        let keys = try names(key)
        return try await backend.releaseHolding(token: token, keys: keys, layout: .legacy, during: "unlocking '\(key.escapedForMessages)'")
    }

    /// Resets lock `key`'s TTL to `expireSeconds` if it still holds `token` (atomic
    /// compare-and-expire, ``LockScripts/extend``). An expired lock is never re-created.
    ///
    /// - Returns: `true` when extended, `false` when the lock is gone or held by another token.
    public func extend(key: String, token: String, expireSeconds: Int) async throws(LockError) -> Bool {
        let keys = try names(key)
        let seconds = try LockValidation.expireSeconds(expireSeconds)
        return try await backend.extendHolding(value: token, keys: keys, milliseconds: Int64(seconds) * 1000, during: "extending '\(key.escapedForMessages)'")
    }

    func names(_ key: String) throws(LockError) -> LockKeys {
        guard !key.isEmpty else { throw LockError(.invalidArgument, "a lock key must not be empty") }
        return LockKeys(legacyName: key, prefix: prefix)
    }
}
