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
    /// - Throws: ``LockError/Code/waitTimedOut`` (with the holder) when `wait` runs out;
    ///   ``LockError/Code/cancelled`` when the Task is cancelled.
    public func lock(_ name: String, ttl: Duration, wait: Duration, token: String? = nil) async throws(LockError) -> LockLease {
        let token = try token.map { (t) throws(LockError) in try Self.validateToken(t) } ?? Self.makeToken()
        let start = ContinuousClock.now
        let deadline = start + wait
        defer { metrics.waitTime.recordNanoseconds((ContinuousClock.now - start).nanoseconds) }

        let keys = keys(for: name)
        var holder: LockHolder?
        // Barging in ahead of this locker's own waiters would starve them: join the queue.
        if wait <= .zero || !waitQueue.hasWaiters(keys.lock) {
            switch try await tryLock(name, ttl: ttl, token: token) {
            case .acquired(let lease): return lease
            case .held(let current): holder = current
            }
            guard wait > .zero else {
                throw LockError(.notAcquired, "'\(name.escapedForMessages)' is held by \(current: holder)", holder: holder)
            }
        }

        let membership = try await releaseListeners.join(keys, backend: backend, queue: waitQueue)
        let signal = WakeSignal(eventLoop: backend.eventLoopGroup.any())
        let waiterID = waitQueue.enqueue(keys.lock, signal: signal)
        defer {
            waitQueue.remove(keys.lock, id: waiterID)
            releaseListeners.leave(keys, membership: membership)
        }

        var attempt = 0
        while true {
            var pause = deadline - ContinuousClock.now
            if waitQueue.isHead(keys.lock, id: waiterID) {
                switch try await tryLock(name, ttl: ttl, token: token) {
                case .acquired(let lease):
                    return lease
                case .held(let current):
                    holder = current
                }
                attempt += 1
                pause = min(pause, retryPause(attempt: attempt))
                if let remaining = holder?.remaining { pause = min(pause, remaining + .milliseconds(1)) }
            }
            let now = ContinuousClock.now
            guard now < deadline else {
                throw LockError(.waitTimedOut, "waited \((now - start).formattedMilliseconds) for '\(name.escapedForMessages)', still held by \(current: holder)", holder: holder)
            }
            await signal.wait(atMost: min(pause, deadline - now))
            if Task.isCancelled {
                throw LockError(.cancelled, "stopped waiting for '\(name.escapedForMessages)': the Task was cancelled", holder: holder)
            }
        }
    }

    /// The fallback retry pause after `attempt` failed tries: full jitter over an exponential
    /// ceiling.
    func retryPause(attempt: Int) -> Duration {
        let range = configuration.retryBackoff
        let ceiling = min(range.upperBound, range.lowerBound * (1 << min(attempt, 20)))
        return ceiling * Double.random(in: 0 ... 1)
    }
}

extension String.StringInterpolation {
    /// The holder, or "another waiter of this process" when none was seen yet.
    mutating func appendInterpolation(current holder: LockHolder?) {
        appendLiteral(holder.map { "\($0)" } ?? "another holder")
    }
}
