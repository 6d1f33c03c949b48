import RESP

extension Redlock {
    /// Waits up to `wait` for lock `name` on a majority of the nodes.
    ///
    /// When the first try fails it subscribes to the lock's release channel on every node
    /// before trying again, so a release wakes it at once; between tries it also backs off (exponential, full jitter, never past
    /// the shortest remaining TTL it saw) to cover lost notices and expirations.
    ///
    /// Nodes that are down or not ready count as refusals and are tried again within `wait`.
    ///
    /// - Throws: ``LockError/Code/waitTimedOut`` (with the refusal in the message),
    ///   ``LockError/Code/connectionFailed`` when no node refused for a holder but too many
    ///   failed until the wait ended, or ``LockError/Code/cancelled``.
    public func lock(_ name: String, ttl: Duration, wait: Duration) async throws(LockError) -> RedlockLease {
        let start = ContinuousClock.now
        let deadline = start + wait
        // A free lock costs no subscription: try once first. Only then subscribe, before
        // the next try, so a release between that try and the wait still wakes us.
        if case .acquired(let lease) = try await tryLock(name, ttl: ttl) { return lease }
        let wakeUps = WakeSignal(eventLoop: lockers[0].backend.eventLoopGroup.any())
        let listeners = await listenForReleases(of: name, wakeUps: wakeUps)
        defer { listeners.forEach { $0.cancel() } }
        var attempts = 0
        while true {
            if Task.isCancelled { throw LockError(.cancelled, "waiting for '\(name.escapedForMessages)' was cancelled") }
            switch try await tryLock(name, ttl: ttl) {
            case .acquired(let lease):
                return lease
            case .notAcquired(let refusal):
                let now = ContinuousClock.now
                guard now < deadline else {
                    if refusal.holders.isEmpty && !refusal.failures.isEmpty && !refusal.validityExhausted {
                        // Nobody holds it: the nodes were unreachable or not ready.
                        throw LockError(.connectionFailed, "waited \((now - start).formattedMilliseconds) for '\(name.escapedForMessages)' while too many nodes were unavailable: \(refusal)")
                    }
                    throw LockError(.waitTimedOut, "waited \((now - start).formattedMilliseconds) for '\(name.escapedForMessages)': \(refusal)")
                }
                attempts += 1
                var pause = ConnectionSlot.backoff(failures: attempts, range: configuration.retryBackoff)
                if let soonest = refusal.holders.values.compactMap(\.remaining).min() {
                    pause = min(pause, soonest + .milliseconds(1))
                }
                await wakeUps.wait(atMost: min(pause, deadline - now))
            }
        }
    }

    /// Subscribes to `name`'s release channel on every node that answers in time; each
    /// notice signals `wakeUps`. Cancel the returned tasks to unsubscribe.
    private func listenForReleases(of name: String, wakeUps: WakeSignal) async -> [Task<Void, Never>] {
        let subscriptions = await askEveryNode { _, locker async -> RedisSubscription? in
            try? await locker.backend.subscribe(toWakeUps: locker.keys(for: name).channel, bufferLimit: 16)
        }
        return subscriptions.compactMap { $0 ?? nil }.map { subscription in
            Task {
                do {
                    for try await _ in subscription { wakeUps.signal() }
                } catch {
                    wakeUps.signal()  // the connection failed: try again rather than sleep
                }
            }
        }
    }

    /// Runs `body` while holding lock `name` on a majority, extending it every
    /// `ttl` × renewal fraction and releasing it afterwards on every node.
    ///
    /// If an extend finds no majority, or none succeeds before the validity ends, `body` is
    /// cancelled and this throws ``LockError/Code/leaseLost``.
    public func withLock<T: Sendable>(
        _ name: String,
        ttl: Duration,
        wait: Duration = .zero,
        _ body: @Sendable (RedlockLease) async throws -> T
    ) async throws -> T {
        let lease = try await lock(name, ttl: ttl, wait: wait)
        let interval = ttl * lockers[0].configuration.renewalFraction
        // Unstructured, so the caller's cancellation does not stop it: only the body's end does.
        let renewal = Task { await self.keepExtended(lease, ttl: ttl, every: interval) }
        let outcome: Result<T, any Error> = await withoutActuallyEscaping(body) { body in
            await withTaskGroup(of: Result<T, any Error>?.self) { group in
                group.addTask {
                    do { return .success(try await body(lease)) } catch { return .failure(error) }
                }
                group.addTask {
                    await renewal.value ? nil
                        : .failure(LockError(.leaseLost, "lost the Redlock lease on '\(name.escapedForMessages)' while the body ran; the body was cancelled"))
                }
                while let next = await group.next() {
                    guard let result = next else { continue }  // renewal stopped: wait for the body
                    renewal.cancel()
                    group.cancelAll()
                    if case .failure(let error as LockError) = result, error.code == .leaseLost {
                        _ = await group.next()
                    }
                    return result
                }
                preconditionFailure("the body's task always reports")
            }
        }
        let stillOurs = await Task { await self.unlock(lease) }.value
        if case .success = outcome, !stillOurs {
            throw LockError(.leaseLost, "'\(name.escapedForMessages)' was no longer held by a majority at release: the body may have overlapped another holder")
        }
        return try outcome.get()
    }

    /// Keeps `lease` alive, as ``Locker/keepRenewed(_:ttl:)`` does for one server: extends it
    /// on a majority every `ttl` × renewal fraction until the Task is cancelled (returns
    /// `true`) or no majority can be extended before the validity ends (marks the lease lost
    /// and returns `false`).
    public func keepRenewed(_ lease: RedlockLease, ttl: Duration) async -> Bool {
        await keepExtended(lease, ttl: ttl, every: ttl * lockers[0].configuration.renewalFraction)
    }

    /// Extends `lease` every `interval` until the Task is cancelled (returns `true`) or the
    /// lease is lost (returns `false`). A failed extend is retried with backoff (exponential,
    /// jittered, ``RedlockConfiguration/retryBackoff``) until the validity ends.
    private func keepExtended(_ lease: RedlockLease, ttl: Duration, every interval: Duration) async -> Bool {
        while !Task.isCancelled {
            try? await Task.sleep(for: max(.milliseconds(1), min(interval, (lease.validUntil - ContinuousClock.now) / 2)))
            if Task.isCancelled { return true }
            var failures = 0
            while true {
                if (try? await extend(lease, ttl: ttl)) == true { break }
                if lease.isLost || ContinuousClock.now >= lease.validUntil {
                    lease.markLost()
                    return false
                }
                failures += 1
                let pause = min(ConnectionSlot.backoff(failures: failures, range: configuration.retryBackoff), lease.validUntil - ContinuousClock.now)
                try? await Task.sleep(for: max(pause, .milliseconds(1)))
                if Task.isCancelled { return true }
            }
        }
        return true
    }
}
