import RESP

extension LockBackend {
    /// Resets the TTL of the lock at `keys` to `milliseconds` if its stored value is exactly
    /// `value` (compare-and-`PEXPIRE`, ``LockScripts/extend``); never re-creates an expired
    /// lock. Returns whether it was extended.
    func extendHolding(value: String, keys: LockKeys, milliseconds: Int64, during operation: @autoclosure () -> String) async throws(LockError) -> Bool {
        do {
            return try await runFromCaller(LockScripts.extend, keys: [keys.lock], arguments: [value, String(milliseconds)], whenWritten: {})
                .decode(as: Int.self) == 1
        } catch {
            throw LockError.from(error, during: operation())
        }
    }

    /// Extends `lease` to `ttl`: on success its validity moves to the extend's start plus
    /// `ttl` minus the drift allowance; when the lock is gone or someone else's, the lease is
    /// marked lost (``LeaseLoss/expired``).
    func extend(_ lease: LockLease, ttl: Duration, driftFactor: Double) async throws(LockError) -> Bool {
        let milliseconds = try LockValidation.ttl(ttl)
        let start = ContinuousClock.now
        let number = lease.beginExtend()
        let extended = try await extendHolding(value: lease.value, keys: lease.keys, milliseconds: milliseconds, during: "extending '\(lease.name.escapedForMessages)'")
        if extended {
            lease.extendValidity(to: start + ttl - LockValidation.drift(for: ttl, factor: driftFactor), extend: number)
        } else {
            lease.markLost(.expired)
        }
        return extended
    }

    /// How often to renew a lease of `ttl`: `ttl` × `fraction`; behind a proxy (Codis,
    /// twemproxy) at least every second, since a backend's restart there does not drop the
    /// client's connection and so cannot wake the renewal.
    func renewalInterval(for ttl: Duration, fraction: Double) -> Duration {
        let interval = ttl * fraction
        if let proxy = proxyKind, proxy != .none { return min(interval, .seconds(1)) }
        return interval
    }
}
