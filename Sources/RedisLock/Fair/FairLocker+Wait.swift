import RESP

extension FairLocker {
    /// Takes lock `name`, queueing in arrival order for up to `wait` while it is held.
    ///
    /// The waiter subscribes to the lock's release channel and its locker's grant channel, then runs
    /// ``FairScripts/acquire``, which takes the lock or queues it; it renews its deadline every
    /// third of ``waiterDeadline`` (the same script). A release hands the lock to the oldest
    /// live waiter in its own script and tells it with `granted:<token>|<record>`: the waiter
    /// returns the lease at once and confirms the hand-off in the background (the full TTL
    /// replaces the short hand-off TTL). Until the confirmation is answered the lease's
    /// validity is counted from the waiter's last renewal before the hand-off (the hand-off
    /// came after it), with the hand-off TTL. A lock that expires instead of being released is
    /// handed over by the next waiter's script when the holder's TTL ends.
    ///
    /// Through a proxy that refuses `SUBSCRIBE` (Codis, twemproxy) waiters poll with
    /// ``LockConfiguration/pollBackoff``; the script finds a lock handed to the caller.
    ///
    /// - Throws: ``LockError/Code/notAcquired`` (`wait` zero), ``LockError/Code/waitTimedOut``,
    ///   ``LockError/Code/cancelled`` (the queue entry is removed before either is thrown, and
    ///   a lock handed over meanwhile is handed on), ``LockError/Code/connectionFailed`` when
    ///   the wait ran out while Redis was unavailable.
    public func lock(_ name: String, ttl: Duration, wait: Duration, token: String? = nil) async throws(LockError) -> LockLease {
        guard wait > .zero else {
            switch try await tryLock(name, ttl: ttl, token: token) {
            case .acquired(let lease): return lease
            case .held(let holder):
                throw LockError(.notAcquired, "'\(name.escapedForMessages)' is held by \(holder)", holder: holder)
            }
        }
        let token = try LockValidation.token(token, layout: .record)
        let milliseconds = try LockValidation.ttl(ttl)
        let start = ContinuousClock.now
        defer { base.metrics.waitTime.recordNanoseconds((ContinuousClock.now - start).nanoseconds) }
        await base.startServerSafetyCheck().value
        let keys = keys(for: name)
        await base.pendingCleanups.waitFor(key: keys.lock.lock, token: token)

        let waiter = FairWaiter(signal: WakeSignal(eventLoop: backend.eventLoopGroup.any()))
        listeners.register(waiter, key: keys.lock.lock, token: token)
        var membership: FairGrantListeners.Membership?
        defer {
            listeners.unregister(key: keys.lock.lock, token: token)
            if let membership { listeners.leave(keys.lock, membership: membership) }
        }
        var progress = WaitProgress(deadline: start + wait)
        let deadlineMilliseconds = waiterDeadline.milliseconds
        while true {
            // Subscribe before the next try, so a hand-off after that try is not missed.
            if membership == nil && !pollsForReleases {
                do {
                    membership = try await listeners.join(keys.lock, backend: backend)
                } catch where error.isTransient {
                    progress.failure = error
                } catch {
                    base.notePubSubRefused(error, waiters: "fair waiters")
                }
            }
            if let value = waiter.takeGrant(), let lease = await accept(value, keys: keys, token: token, ttl: ttl, progress: progress) {
                return lease
            }
            let sent = ContinuousClock.now
            do {
                switch try await runAcquire(keys, token: token, ttl: milliseconds, deadline: deadlineMilliseconds, whenWritten: {}) {
                case .acquired(let value, let fence):
                    return LockLease(keys: keys.lock, value: value, token: token, fence: fence, validUntil: sent + ttl - base.drift(for: ttl))
                case .waiting(let holder, let serverNow):
                    progress.waited(holder: holder, sent: sent, serverNow: serverNow)
                }
            } catch where error.code == .serverError || error.code == .permissionDenied || error.code == .crossSlot || error.code == .authenticationFailed {
                await leaveQueue(keys, token: token)
                throw LockError.from(error, during: "waiting for '\(name.escapedForMessages)'")
            } catch {
                progress.failed(LockError.from(error, during: "waiting for '\(name.escapedForMessages)'"))
            }
            let now = ContinuousClock.now
            guard now < progress.deadline else {
                await leaveQueue(keys, token: token)
                throw progress.timedOut(name: name, waited: now - start)
            }
            await waiter.signal.wait(atMost: min(pause(after: progress), progress.deadline - now))
            if Task.isCancelled {
                await leaveQueue(keys, token: token)
                throw LockError(.cancelled, "stopped waiting for '\(name.escapedForMessages)': the Task was cancelled", holder: progress.holder)
            }
        }
    }

    /// The lease for a hand-off to us with `value`, or `nil` for a stale or foreign message
    /// (the next try tells the truth). The lock lives until the hand-off TTL after the
    /// hand-off, which came after our last try that found us waiting: validity counts from
    /// when that try was sent. The full TTL is set by a confirmation, awaited only when little
    /// of the hand-off TTL is left.
    private func accept(_ value: String, keys: FairKeys, token: String, ttl: Duration, progress: WaitProgress) async -> LockLease? {
        guard value.hasPrefix(recordPrefix(token)), let record = LockRecord(parsing: value),
              let sent = progress.lastWaitingSent, record.acquiredAtMilliseconds >= progress.lastServerNow else { return nil }
        let handOff = min(ttl, waiterDeadline)
        let lease = LockLease(keys: keys.lock, value: value, token: token, fence: record.fence, validUntil: sent + handOff - base.drift(for: handOff))
        let confirmation = Task { await self.confirm(lease, ttl: ttl) }
        if lease.validUntil - ContinuousClock.now < handOff / 2 {
            guard await confirmation.value else { return nil }
        }
        return lease
    }

    /// Sets the full TTL on a lock handed to `lease`; on success its validity moves on. A
    /// `false` (the lock is gone, or already released by its holder) changes nothing: the
    /// lease's validity stays that of the hand-off, and renewal finds a loss.
    private func confirm(_ lease: LockLease, ttl: Duration) async -> Bool {
        guard let milliseconds = try? LockValidation.ttl(ttl) else { return false }
        let start = ContinuousClock.now
        let number = lease.beginExtend()
        guard (try? await backend.extendHolding(value: lease.value, keys: lease.keys, milliseconds: milliseconds, during: "confirming '\(lease.name.escapedForMessages)'")) == true else {
            return false
        }
        lease.extendValidity(to: start + ttl - base.drift(for: ttl), extend: number)
        return true
    }

    /// Removes our queue entry (and hands on a lock given to us meanwhile), from a Task no
    /// cancellation stops, bounded by the waiter deadline (the entry expires by then anyway).
    private func leaveQueue(_ keys: FairKeys, token: String) async {
        let leave: @Sendable () async -> Void = { _ = try? await self.leave(keys, token: token) }
        _ = await allResults(within: waiterDeadline, [leave])
    }

    /// How long to wait before the next try: a third of the waiter deadline (the renewal),
    /// less when the holder's TTL ends sooner (its lock is then handed over by our script),
    /// a retry back-off after a failure, a poll back-off where pub/sub is refused.
    private func pause(after progress: WaitProgress) -> Duration {
        var pause = waiterDeadline / 3
        if progress.failure != nil {
            pause = min(pause, Backoff(configuration.retryBackoff, jitter: .full).pause(after: progress.tries))
        } else if pollsForReleases {
            pause = min(pause, Backoff(configuration.pollBackoff, jitter: .full).pause(after: progress.tries))
        }
        if progress.failure == nil, let remaining = progress.holder?.remaining { pause = min(pause, remaining + .milliseconds(1)) }
        return max(pause, .milliseconds(1))
    }

    /// Whether waiters poll rather than wait for messages: through a proxy, or once
    /// subscribing was refused (as for ``Locker``).
    var pollsForReleases: Bool { base.pollsForReleases }
}

/// What a fair wait has seen so far.
struct WaitProgress: Sendable {
    /// When the wait ends.
    let deadline: ContinuousClock.Instant
    /// The holder the last try found.
    var holder: LockHolder?
    /// The last try's failure, while Redis is unavailable.
    var failure: LockError?
    /// When the newest try that found us waiting was sent, and the server's clock then.
    var lastWaitingSent: ContinuousClock.Instant?
    var lastServerNow: Int64 = .max
    /// Tries so far.
    var tries = 0

    init(deadline: ContinuousClock.Instant) {
        self.deadline = deadline
    }

    mutating func waited(holder: LockHolder, sent: ContinuousClock.Instant, serverNow: Int64) {
        self.holder = holder
        failure = nil
        lastWaitingSent = sent
        lastServerNow = serverNow
        tries += 1
    }

    mutating func failed(_ error: LockError) {
        failure = error
        tries += 1
    }

    /// The error for a wait that ran out.
    func timedOut(name: String, waited: Duration) -> LockError {
        if let failure {
            return LockError(.connectionFailed, "waited \(waited.formattedMilliseconds) for '\(name.escapedForMessages)' while Redis was unavailable; last failure: \(failure.message)", holder: holder, underlying: failure.underlying)
        }
        return LockError(.waitTimedOut, "waited \(waited.formattedMilliseconds) for '\(name.escapedForMessages)', still held by \(current: holder)", holder: holder)
    }
}
