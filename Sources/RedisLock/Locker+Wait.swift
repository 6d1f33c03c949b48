import RESP

extension Locker {
    /// Takes lock `name`, waiting up to `wait` while someone else holds it.
    ///
    /// The waiter subscribes to the lock's release channel before it tries again, so a
    /// release between its try and its wait is never missed; the release script publishes on
    /// that channel, which hands the lock over within a round trip or two. A fallback retry
    /// (exponential backoff with full jitter, never sleeping past the holder's remaining
    /// TTL) covers lost messages and locks that simply expire. The waiters of one locker for
    /// one lock share one subscription (and all of a client's subscriptions one connection).
    /// Cancelling the Task stops the wait; the last waiter to leave unsubscribes.
    ///
    /// Through a proxy (Codis, twemproxy: ``LockBackend/proxyKind``), which refuses
    /// `SUBSCRIBE`, or wherever subscribing is refused, the waiter polls instead: full jitter
    /// over an exponential ceiling from ``LockConfiguration/pollBackoff`` (1 ms doubling to
    /// 50 ms by default), never sleeping past the holder's remaining TTL, with a last try at
    /// the end of the wait. Releases by this locker still wake its own waiters at once.
    ///
    /// Redis being briefly unavailable (a refused connection while it restarts, `LOADING`,
    /// `TRYAGAIN`, a connection that failed under an acquire) does not end the wait: the try
    /// is repeated with the same backoff until the lock is taken or `wait` runs out.
    ///
    /// - Throws: ``LockError/Code/waitTimedOut`` (with the holder) when `wait` runs out while
    ///   the lock is held; ``LockError/Code/connectionFailed`` (saying what failed) when it
    ///   runs out while Redis was unavailable; ``LockError/Code/cancelled`` when the Task is
    ///   cancelled.
    public func lock(_ name: String, ttl: Duration, wait: Duration, token: String? = nil) async throws(LockError) -> LockLease {
        let token = try LockValidation.token(token, layout: configuration.layout)
        let start = ContinuousClock.now
        defer { metrics.waitTime.recordNanoseconds((ContinuousClock.now - start).nanoseconds) }
        let loop = WaitLoop(
            attempt: ExclusiveTry(locker: self, name: name, ttl: ttl, token: token),
            locker: self, keys: keys(for: name), queue: waitQueue, listeners: releaseListeners)
        // After the first try the wait runs on the connection's event loop (when the backend
        // names one): a release wakes this waiter there, and its next try is written there.
        return try await loop.lease(start: start, wait: wait, onWaiterExecutor: true)
    }

    /// Whether this locker's waiters poll rather than wait for release messages: through a
    /// proxy, or once subscribing was refused.
    var pollsForReleases: Bool {
        if pubSubRefused.load(ordering: .relaxed) { return true }
        if let proxy = backend.proxyKind { return proxy != .none }
        return false
    }

    /// Records that subscribing was refused (with one debug line per locker, naming the
    /// `waiters` that poll): from then on this locker's waiters, and those of the kinds built
    /// on it, poll.
    func notePubSubRefused(_ error: LockError, waiters: String = "waiters") {
        guard !pubSubRefused.exchange(true, ordering: .relaxed) else { return }
        logger.debug("subscribing to release messages was refused (\(error.message.escapedForMessages)); \(waiters) poll instead")
    }
}

/// The try of ``Locker/lock(_:ttl:wait:token:)``: ``Locker/tryLock(_:ttl:token:)``.
private struct ExclusiveTry: LockTry {
    let locker: Locker
    let name: String
    let ttl: Duration
    let token: String

    func once() async throws(LockError) -> LockTryResult<LockHolder> {
        switch try await locker.tryLock(name, ttl: ttl, token: token) {
        case .acquired(let lease): .acquired(lease)
        case .held(let holder): .held(holder)
        }
    }

    func holder(in holder: LockHolder) -> LockHolder? { holder }

    func remaining(in holder: LockHolder) -> Duration? { holder.remaining }

    var subject: String { "'\(name.escapedForMessages)'" }

    func heldMessage(_ holder: LockHolder) -> String { "\(subject) is held by \(current: holder)" }

    func stillHeld(_ holder: LockHolder?) -> String { ", still held by \(current: holder)" }

    var longestPause: Duration? { nil }
}

extension String.StringInterpolation {
    /// The holder, or "another waiter of this process" when none was seen yet.
    mutating func appendInterpolation(current holder: LockHolder?) {
        appendLiteral(holder.map { "\($0)" } ?? "another holder")
    }
}
