/// The wait for a lock whose waiters queue in a ``LocalWaitQueue`` and are woken through
/// ``ReleaseListeners``: ``Locker/lock(_:ttl:wait:token:)`` and, through ``HolderCore``, the
/// read-write lock and the semaphore. `Try` is the kind's single try and the words of its
/// messages; everything else is the same for all of them.
///
/// A first try goes ahead at once unless waiters of the same queue are waiting already
/// (barging in would starve them). Then the waiter subscribes to the release channel (before
/// its next try, so a release between that try and the wait still wakes it), joins the back
/// of the queue and, while at its head, tries, then sleeps until woken or until the backoff
/// ends (full jitter; ``LockConfiguration/pollBackoff`` where it polls, else
/// ``LockConfiguration/retryBackoff``; never past the holder's remaining time nor
/// ``LockTry/longestPause``). A transient failure is retried with the same backoff, its tries
/// bounded by the wait; where subscribing is refused (a proxy) the waiter polls.
struct WaitLoop<Try: LockTry>: Sendable {
    /// The kind's try.
    let attempt: Try
    /// The locker whose backend, configuration and record of a refused subscription the wait uses.
    let locker: Locker
    let keys: LockKeys
    let queue: LocalWaitQueue
    let listeners: ReleaseListeners

    /// Waits from `start` for up to `wait` until a try takes the lease. With
    /// `onWaiterExecutor`, everything after the first try runs on the backend's
    /// ``LockBackend/waiterExecutor`` (the connection's event loop, once the first try has
    /// opened it): a release wakes the waiter there and its next try is written there, with no
    /// thread hop in between; only returning to the caller hops back.
    ///
    /// - Throws: ``LockError/Code/notAcquired`` (`wait` zero), ``LockError/Code/waitTimedOut``
    ///   (with the holder), ``LockError/Code/connectionFailed`` when the wait ran out while
    ///   Redis was unavailable, ``LockError/Code/cancelled``, or a try's lasting error.
    func lease(start: ContinuousClock.Instant, wait: Duration, onWaiterExecutor: Bool) async throws(LockError) -> LockLease {
        let deadline = start + wait
        var last = Seen()
        if wait <= .zero || !queue.hasWaiters(keys.lock) {
            switch try await tryOnce(until: nil) {
            case .acquired(let lease): return lease
            case .held(let current):
                guard wait > .zero else {
                    throw LockError(.notAcquired, attempt.heldMessage(current), holder: attempt.holder(in: current))
                }
                last.contention = current
            case .failed(let error):
                guard wait > .zero else { throw error }
                last.failure = error
            }
        }
        let waiting = last
        return try await withTaskExecutorPreference(onWaiterExecutor ? locker.backend.waiterExecutor : nil) { () async throws(LockError) -> LockLease in
            try await waitForTurn(start: start, deadline: deadline, last: waiting)
        }
    }

    /// The waiting part of ``lease(start:wait:onWaiterExecutor:)``: queue, subscribe, try when
    /// at the head, sleep until woken or the backoff ends; until acquired or `deadline`.
    private func waitForTurn(start: ContinuousClock.Instant, deadline: ContinuousClock.Instant, last: Seen) async throws(LockError) -> LockLease {
        var last = last
        let signal = WakeSignal(eventLoop: locker.backend.eventLoopGroup.any())
        var membership: UInt64?
        var waiterID: UInt64?
        defer {
            if let waiterID { queue.remove(keys.lock, id: waiterID) }
            if let membership { listeners.leave(keys, membership: membership) }
        }
        var tries = 0
        while true {
            // Subscribe before the next try, so a release between that try and the wait
            // still wakes us. While Redis is unavailable, subscribing is retried each round.
            if membership == nil && !locker.pollsForReleases {
                do {
                    membership = try await listeners.join(keys, backend: locker.backend, queue: queue)
                } catch where error.isTransient {
                    last.failure = error
                } catch {
                    locker.notePubSubRefused(error)
                }
            }
            let id = waiterID ?? queue.enqueue(keys.lock, signal: signal)
            waiterID = id
            var pause = deadline - ContinuousClock.now
            if queue.isHead(keys.lock, id: id) {
                // After a failure, bound the try by the wait: a reconnect can take seconds.
                switch try await tryOnce(until: last.failure == nil ? nil : deadline) {
                case .acquired(let lease): return lease
                case .held(let current): last = Seen(contention: current)
                case .failed(let error): last.failure = error
                }
                tries += 1
                pause = min(pause, self.pause(after: tries, last: last))
            }
            let now = ContinuousClock.now
            guard now < deadline else { throw timedOut(waited: now - start, last: last) }
            await signal.wait(atMost: min(pause, deadline - now))
            if Task.isCancelled {
                throw LockError(.cancelled, "stopped waiting for \(attempt.subject): the Task was cancelled", holder: last.holder(attempt))
            }
        }
    }

    /// The pause after the head's `tries`-th try: the backoff, never past the holder's
    /// remaining time (unless Redis is unavailable) nor ``LockTry/longestPause``.
    private func pause(after tries: Int, last: Seen) -> Duration {
        let configuration = locker.configuration
        let polling = last.failure == nil && locker.pollsForReleases
        var pause = Backoff(polling ? configuration.pollBackoff : configuration.retryBackoff, jitter: .full).pause(after: tries)
        if last.failure == nil, let contention = last.contention, let remaining = attempt.remaining(in: contention) {
            pause = min(pause, remaining + .milliseconds(1))
        }
        if let longest = attempt.longestPause { pause = min(pause, longest) }
        return pause
    }

    /// The error of a wait that ran out after `waited`.
    private func timedOut(waited: Duration, last: Seen) -> LockError {
        if let failure = last.failure {
            return LockError(
                .connectionFailed, "waited \(waited.formattedMilliseconds) for \(attempt.subject) while Redis was unavailable; last failure: \(failure.message)",
                holder: last.holder(attempt), underlying: failure.underlying)
        }
        return LockError(.waitTimedOut, "waited \(waited.formattedMilliseconds) for \(attempt.subject)\(attempt.stillHeld(last.contention))", holder: last.holder(attempt))
    }

    /// What the last try of a wait found.
    private struct Seen {
        var contention: Try.Contention?
        /// The transient failure of the last try, if it failed.
        var failure: LockError?

        func holder(_ attempt: Try) -> LockHolder? {
            contention.flatMap(attempt.holder(in:))
        }
    }

    private enum Outcome {
        case acquired(LockLease)
        case held(Try.Contention)
        case failed(LockError)
    }

    /// One try; a transient failure is returned to retry, any other error thrown. With a
    /// `deadline`, a try still running then is abandoned (and cleaned up like any acquire
    /// whose outcome is unknown).
    private func tryOnce(until deadline: ContinuousClock.Instant?) async throws(LockError) -> Outcome {
        let result: Result<LockTryResult<Try.Contention>, LockError>
        if let deadline {
            let attempt = self.attempt
            let once: @Sendable () async -> Result<LockTryResult<Try.Contention>, LockError> = {
                do throws(LockError) {
                    return .success(try await attempt.once())
                } catch {
                    return .failure(error)
                }
            }
            result = await allResults(within: max(deadline - ContinuousClock.now, .milliseconds(1)), [once])[0]
                ?? .failure(LockError(.connectionFailed, "no answer from Redis within the wait"))
        } else {
            do throws(LockError) {
                result = .success(try await attempt.once())
            } catch {
                result = .failure(error)
            }
        }
        switch result {
        case .success(.acquired(let lease)): return .acquired(lease)
        case .success(.held(let contention)): return .held(contention)
        case .failure(let error) where (error.isTransient || error.code == .notAcquired) && !Task.isCancelled:
            return .failed(error)
        case .failure(let error): throw error
        }
    }
}
