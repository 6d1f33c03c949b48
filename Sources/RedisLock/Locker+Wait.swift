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
        let deadline = start + wait
        defer { metrics.waitTime.recordNanoseconds((ContinuousClock.now - start).nanoseconds) }

        let keys = keys(for: name)
        var last = WaitState()
        // Barging in ahead of this locker's own waiters would starve them: join the queue.
        if wait <= .zero || !waitQueue.hasWaiters(keys.lock) {
            switch try await attempt(name, ttl: ttl, token: token, until: nil) {
            case .acquired(let lease): return lease
            case .held(let current): last.holder = current
            case .failed(let error):
                guard wait > .zero else { throw error }
                last.failure = error
            }
            guard wait > .zero else {
                throw LockError(.notAcquired, "'\(name.escapedForMessages)' is held by \(current: last.holder)", holder: last.holder)
            }
        }

        // The rest runs on the connection's event loop (when the backend names one): a release
        // wakes this waiter there, and its next try is written there, with no thread hop in
        // between; only returning to the caller hops back.
        let waiting = last
        return try await withTaskExecutorPreference(backend.waiterExecutor) { () async throws(LockError) -> LockLease in
            try await waitForTurn(name, keys: keys, ttl: ttl, token: token, start: start, deadline: deadline, last: waiting)
        }
    }

    /// The waiting part of ``lock(_:ttl:wait:token:)``: queue, subscribe, try when at the head,
    /// sleep until woken or the backoff ends; until acquired or `deadline`.
    private func waitForTurn(
        _ name: String, keys: LockKeys, ttl: Duration, token: String, start: ContinuousClock.Instant,
        deadline: ContinuousClock.Instant, last: WaitState
    ) async throws(LockError) -> LockLease {
        var last = last
        let signal = WakeSignal(eventLoop: backend.eventLoopGroup.any())
        var membership: UInt64?
        var waiterID: UInt64?
        defer {
            if let waiterID { waitQueue.remove(keys.lock, id: waiterID) }
            if let membership { releaseListeners.leave(keys, membership: membership) }
        }

        var attempt = 0
        while true {
            // Subscribe before the next try, so a release between that try and the wait
            // still wakes us. While Redis is unavailable, subscribing is retried each round.
            if membership == nil && !pollsForReleases {
                do {
                    membership = try await releaseListeners.join(keys, backend: backend, queue: waitQueue)
                } catch where error.isTransient {
                    last.failure = error
                } catch {
                    notePubSubRefused(error)
                }
            }
            if waiterID == nil { waiterID = waitQueue.enqueue(keys.lock, signal: signal) }
            var pause = deadline - ContinuousClock.now
            if waitQueue.isHead(keys.lock, id: waiterID!) {
                // After a failure, bound the try by the wait: a reconnect can take seconds.
                switch try await self.attempt(name, ttl: ttl, token: token, until: last.failure == nil ? nil : deadline) {
                case .acquired(let lease):
                    return lease
                case .held(let current):
                    last = WaitState(holder: current)
                case .failed(let error):
                    last.failure = error
                }
                attempt += 1
                let polling = last.failure == nil && pollsForReleases
                pause = min(pause, Backoff(polling ? configuration.pollBackoff : configuration.retryBackoff, jitter: .full).pause(after: attempt))
                if last.failure == nil, let remaining = last.holder?.remaining { pause = min(pause, remaining + .milliseconds(1)) }
            }
            let now = ContinuousClock.now
            guard now < deadline else {
                if let failure = last.failure {
                    throw LockError(
                        .connectionFailed, "waited \((now - start).formattedMilliseconds) for '\(name.escapedForMessages)' while Redis was unavailable; last failure: \(failure.message)",
                        holder: last.holder, underlying: failure.underlying)
                }
                throw LockError(.waitTimedOut, "waited \((now - start).formattedMilliseconds) for '\(name.escapedForMessages)', still held by \(current: last.holder)", holder: last.holder)
            }
            await signal.wait(atMost: min(pause, deadline - now))
            if Task.isCancelled {
                throw LockError(.cancelled, "stopped waiting for '\(name.escapedForMessages)': the Task was cancelled", holder: last.holder)
            }
        }
    }

    /// What the last try of a wait found.
    private struct WaitState {
        var holder: LockHolder?
        /// The transient failure of the last try, if it failed.
        var failure: LockError?
    }

    private enum TryOutcome: Sendable {
        case acquired(LockLease)
        case held(LockHolder)
        case failed(LockError)
    }

    /// One try; a transient failure is returned to retry, any other error thrown. With a
    /// `deadline`, a try still running then is abandoned (and cleaned up like any acquire
    /// whose outcome is unknown).
    private func attempt(_ name: String, ttl: Duration, token: String, until deadline: ContinuousClock.Instant?) async throws(LockError) -> TryOutcome {
        let once: @Sendable () async -> Result<LockAttempt, LockError> = {
            do throws(LockError) {
                return .success(try await self.tryLock(name, ttl: ttl, token: token))
            } catch {
                return .failure(error)
            }
        }
        let result: Result<LockAttempt, LockError>
        if let deadline {
            let limit = max(deadline - ContinuousClock.now, .milliseconds(1))
            result = await allResults(within: limit, [once])[0]
                ?? .failure(LockError(.connectionFailed, "no answer from Redis within the wait"))
        } else {
            result = await once()
        }
        switch result {
        case .success(.acquired(let lease)): return .acquired(lease)
        case .success(.held(let holder)): return .held(holder)
        case .failure(let error) where (error.isTransient || error.code == .notAcquired) && !Task.isCancelled:
            return .failed(error)
        case .failure(let error): throw error
        }
    }

    /// Whether this locker's waiters poll rather than wait for release messages: through a
    /// proxy, or once subscribing was refused.
    var pollsForReleases: Bool {
        if pubSubRefused.load(ordering: .relaxed) { return true }
        if let proxy = backend.proxyKind { return proxy != .none }
        return false
    }

    /// Records that subscribing was refused (with one debug line per locker): from then on
    /// waiters poll.
    private func notePubSubRefused(_ error: LockError) {
        guard !pubSubRefused.exchange(true, ordering: .relaxed) else { return }
        logger.debug("subscribing to release messages was refused (\(error.message.escapedForMessages)); waiters poll instead")
    }
}

extension String.StringInterpolation {
    /// The holder, or "another waiter of this process" when none was seen yet.
    mutating func appendInterpolation(current holder: LockHolder?) {
        appendLiteral(holder.map { "\($0)" } ?? "another holder")
    }
}
