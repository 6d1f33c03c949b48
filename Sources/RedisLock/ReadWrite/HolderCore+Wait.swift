import RESP

extension HolderCore {
    /// Takes `role`'s lease on `name`, waiting up to `wait`: the wait of ``Locker`` (see
    /// ``Locker/lock(_:ttl:wait:token:)``) for the hash kinds. Waiters of this core queue
    /// locally (only the head tries; each one that gets in wakes the next, so readers and
    /// permits enter one after another), are woken by release messages on
    /// `PREFIX{NAME}:released`, and poll where pub/sub is refused (a proxy). A writer that
    /// stops waiting without the lock drops its writer-waiting marker at once.
    func lock(_ name: String, ttl: Duration, wait: Duration, token: String?, role: HolderRole) async throws(LockError) -> LockLease {
        let token = try LockValidation.token(token, layout: .record)
        if case .permit(let count) = role, count < 1 {
            throw LockError(.invalidArgument, "a semaphore needs at least 1 permit, not \(count)")
        }
        do {
            return try await waitForLease(name, ttl: ttl, wait: wait, token: token, role: role)
        } catch {
            if role == .write {
                // In a Task of its own: a cancelled caller's commands are not sent.
                await Task { await self.withdrawWriter(name, token: token) }.value
            }
            throw error
        }
    }

    private func waitForLease(_ name: String, ttl: Duration, wait: Duration, token: String, role: HolderRole) async throws(LockError) -> LockLease {
        let start = ContinuousClock.now
        let deadline = start + wait
        let keys = locker.keys(for: name)
        var last: HolderContention?
        var failure: LockError?
        if wait <= .zero || !waitQueue.hasWaiters(keys.lock) {
            switch try await attempt(name, ttl: ttl, token: token, role: role, until: nil) {
            case .success(.acquired(let lease)): return lease
            case .success(.held(let contention)): last = contention
            case .failure(let error):
                guard wait > .zero else { throw error }
                failure = error
            }
            guard wait > .zero else {
                throw LockError(.notAcquired, "could not take \(role.leaseName) '\(name.escapedForMessages)': \(last?.description ?? "held")", holder: last?.holder)
            }
        }

        let signal = WakeSignal(eventLoop: backend.eventLoopGroup.any())
        var membership: UInt64?
        var waiterID: UInt64?
        defer {
            if let waiterID { waitQueue.remove(keys.lock, id: waiterID) }
            if let membership { releaseListeners.leave(keys, membership: membership) }
        }
        var tries = 0
        while true {
            if membership == nil && !pollsForReleases {
                do {
                    membership = try await releaseListeners.join(keys, backend: backend, queue: waitQueue)
                } catch where error.isTransient {
                    failure = error
                } catch {
                    notePubSubRefused(error)
                }
            }
            if waiterID == nil { waiterID = waitQueue.enqueue(keys.lock, signal: signal) }
            var pause = deadline - ContinuousClock.now
            if waitQueue.isHead(keys.lock, id: waiterID!) {
                switch try await attempt(name, ttl: ttl, token: token, role: role, until: failure == nil ? nil : deadline) {
                case .success(.acquired(let lease)): return lease
                case .success(.held(let contention)): (last, failure) = (contention, nil)
                case .failure(let error): failure = error
                }
                tries += 1
                let configuration = locker.configuration
                let polling = failure == nil && pollsForReleases
                pause = min(pause, Backoff(polling ? configuration.pollBackoff : configuration.retryBackoff, jitter: .full).pause(after: tries))
                if failure == nil, let remaining = last?.remaining { pause = min(pause, remaining + .milliseconds(1)) }
                // A waiting writer renews its marker with each try.
                if role == .write { pause = min(pause, Self.writerWaitingTTL / 4) }
            }
            let now = ContinuousClock.now
            guard now < deadline else {
                if let failure {
                    throw LockError(.connectionFailed, "waited \((now - start).formattedMilliseconds) for \(role.leaseName) '\(name.escapedForMessages)' while Redis was unavailable; last failure: \(failure.message)", holder: last?.holder, underlying: failure.underlying)
                }
                throw LockError(.waitTimedOut, "waited \((now - start).formattedMilliseconds) for \(role.leaseName) '\(name.escapedForMessages)': \(last?.description ?? "another waiter of this process was ahead")", holder: last?.holder)
            }
            await signal.wait(atMost: min(pause, deadline - now))
            if Task.isCancelled {
                throw LockError(.cancelled, "stopped waiting for \(role.leaseName) '\(name.escapedForMessages)': the Task was cancelled", holder: last?.holder)
            }
        }
    }

    /// One try; a transient failure is returned to retry, any other error thrown. With a
    /// `deadline`, a try still running then is abandoned (and cleaned up like any acquire
    /// whose outcome is unknown).
    private func attempt(_ name: String, ttl: Duration, token: String, role: HolderRole, until deadline: ContinuousClock.Instant?) async throws(LockError) -> Result<HolderAttempt, LockError> {
        let once: @Sendable () async -> Result<HolderAttempt, LockError> = {
            do throws(LockError) {
                return .success(try await self.tryAcquire(name, ttl: ttl, token: token, role: role))
            } catch {
                return .failure(error)
            }
        }
        let result: Result<HolderAttempt, LockError>
        if let deadline {
            result = await allResults(within: max(deadline - ContinuousClock.now, .milliseconds(1)), [once])[0]
                ?? .failure(LockError(.connectionFailed, "no answer from Redis within the wait"))
        } else {
            result = await once()
        }
        if case .failure(let error) = result, !((error.isTransient || error.code == .notAcquired) && !Task.isCancelled) {
            throw error
        }
        return result
    }

    /// Whether waiters poll rather than wait for release messages: through a proxy, or once
    /// subscribing was refused (shared with the ``Locker`` underneath).
    private var pollsForReleases: Bool { locker.pollsForReleases }

    private func notePubSubRefused(_ error: LockError) {
        guard !locker.pubSubRefused.exchange(true, ordering: .relaxed) else { return }
        locker.logger.debug("subscribing to release messages was refused (\(error.message.escapedForMessages)); waiters poll instead")
    }
}
