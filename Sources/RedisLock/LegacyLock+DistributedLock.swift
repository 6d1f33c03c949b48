public import NIOCore

/// ``LegacyLock``'s side of ``DistributedLock``, so Go-layout locks get the same
/// ``DistributedLock/withLock(_:ttl:wait:_:)`` and renewal as every other lock. Its leases
/// are ``LockLease``s whose value is the token and whose fence is 0.
extension LegacyLock {
    /// The drift allowance's share of the TTL (as ``LockConfiguration/driftFactor``'s default).
    static let driftFactor = 0.01
    /// The share of the TTL between renewals (as ``LockConfiguration/renewalFraction``'s default).
    static let renewalFraction = 1.0 / 3.0
    /// The pauses between polls while the lock is held (as ``LockConfiguration/pollBackoff``'s default).
    static let polls = Backoff(.milliseconds(1) ... .milliseconds(50), jitter: .full)

    /// Takes lock `name` (key `prefix + name`, value the token, as Go stores it) for `ttl`
    /// with `SET … PX … NX`, polling with jittered exponential backoff while it is held, up
    /// to `wait`.
    ///
    /// - Parameters:
    ///   - name: the lock's name; its key is the prefix plus the name.
    ///   - ttl: how long the lock lasts (sent as `PX`).
    ///   - wait: how long to poll while someone else holds it.
    ///   - token: 1-256 bytes of printable text, or `nil` for 128 random bits.
    /// - Throws: ``LockError/Code/notAcquired`` (`wait` zero) or
    ///   ``LockError/Code/waitTimedOut`` while held, ``LockError/Code/cancelled``,
    ///   ``LockError/Code/invalidArgument``, or what the command met (not retried).
    public func lock(_ name: String, ttl: Duration, wait: Duration, token: String? = nil) async throws(LockError) -> LockLease {
        let keys = try names(name)
        let token = try LockValidation.token(token, layout: .legacy)
        let milliseconds = try LockValidation.ttl(ttl)
        let start = ContinuousClock.now
        var attempts = 0
        while true {
            let sent = ContinuousClock.now
            if try await set(keys, token: token, expiry: "PX", String(milliseconds)) {
                let validUntil = sent + ttl - LockValidation.drift(for: ttl, factor: Self.driftFactor)
                return LockLease(keys: keys, value: token, token: token, fence: 0, validUntil: validUntil)
            }
            let now = ContinuousClock.now
            guard wait > .zero else {
                throw LockError(.notAcquired, "'\(name.escapedForMessages)' is held by \(current: nil)")
            }
            guard now < start + wait else {
                throw LockError(.waitTimedOut, "waited \((now - start).formattedMilliseconds) for '\(name.escapedForMessages)', still held by \(current: nil)")
            }
            attempts += 1
            try? await Task.sleep(for: min(Self.polls.pause(after: attempts), start + wait - now))
            if Task.isCancelled {
                throw LockError(.cancelled, "stopped waiting for '\(name.escapedForMessages)': the Task was cancelled")
            }
        }
    }

    /// Resets the lock's TTL to `ttl` if `lease`'s token still holds it; marks the lease lost
    /// when not.
    @discardableResult
    public func extend(_ lease: LockLease, ttl: Duration) async throws(LockError) -> Bool {
        try await backend.extend(lease, ttl: ttl, driftFactor: Self.driftFactor)
    }

    /// Releases the lock if `lease`'s token still holds it; marks the lease lost when not.
    @discardableResult
    public func unlock(_ lease: LockLease) async throws(LockError) -> Bool {
        let released = try await backend.releaseHolding(token: lease.token, keys: lease.keys, layout: .legacy, during: "unlocking '\(lease.name.escapedForMessages)'")
        if !released { lease.markLost(.expired) }
        lease.markReleased()
        return released
    }

    /// `prefix + name`, as Go writes it.
    public func key(for name: String) -> String {
        LockKeys(legacyName: name, prefix: prefix).lock
    }

    /// ``LeaseFencing/none``: the Go layout keeps no fence counter.
    public func fencing(of lease: LockLease) -> LeaseFencing { .none }

    /// A third of `ttl`; behind a proxy at least every second.
    public func renewalInterval(for ttl: Duration) -> Duration {
        backend.renewalInterval(for: ttl, fraction: Self.renewalFraction)
    }

    /// The backend's event loops.
    public var eventLoopGroup: any EventLoopGroup { backend.eventLoopGroup }

    /// The backend's connection events.
    public func observeConnectionChanges(_ handler: @escaping @Sendable () -> Void) -> (@Sendable () -> Void)? {
        backend.observeConnectionChanges(handler)
    }

    /// A loss marks the lease.
    public func record(_ event: LeaseEvent, of lease: LockLease) {
        if case .lost(let loss) = event { lease.markLost(loss) }
    }
}
