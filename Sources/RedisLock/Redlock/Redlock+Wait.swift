import RESP

extension Redlock {
    /// Waits up to `wait` for lock `name` on a majority of the nodes.
    ///
    /// - Parameters:
    ///   - name: the lock's name.
    ///   - ttl: how long the lease lasts on each node.
    ///   - wait: how long to keep trying.
    ///   - token: your own token, the same on every node and every try; by default
    ///     128 random bits, new for each try.
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
    public func lock(_ name: String, ttl: Duration, wait: Duration, token: String? = nil) async throws(LockError) -> RedlockLease {
        let start = ContinuousClock.now
        let deadline = start + wait
        // A free lock costs no subscription: try once first. Only then subscribe, before
        // the next try, so a release between that try and the wait still wakes us.
        if case .acquired(let lease) = try await tryLock(name, ttl: ttl, token: token) { return lease }
        let wakeUps = WakeSignal(eventLoop: lockers[0].backend.eventLoopGroup.any())
        let listeners = await listenForReleases(of: name, wakeUps: wakeUps)
        defer { listeners.forEach { $0.cancel() } }
        var attempts = 0
        while true {
            if Task.isCancelled { throw LockError(.cancelled, "waiting for '\(name.escapedForMessages)' was cancelled") }
            switch try await tryLock(name, ttl: ttl, token: token) {
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
                var pause = Backoff(configuration.retryBackoff, jitter: .aboveFloor).pause(after: attempts)
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
}
