import RESP

extension Locker {
    /// Runs `body` while holding lock `name`, renewing the lease in the background (every
    /// `ttl` × ``LockConfiguration/renewalFraction``) and releasing it afterwards.
    ///
    /// If a renewal finds the lock gone or cannot succeed before the lease's validity ends,
    /// the lease is lost: `body`'s Task is cancelled and this throws
    /// ``LockError/Code/leaseLost``. It also throws `leaseLost` when the final release finds
    /// the lock no longer ours, since the body may then have overlapped another holder.
    /// Renewal goes on until `body` returns, also when the caller is cancelled (a body that
    /// ignores cancellation keeps a renewed lease), and the release is always attempted: it
    /// deletes the lock only if it is still ours.
    ///
    /// - Parameter wait: how long to wait for the lock (zero: fail at once if it is held).
    public func withLock<T: Sendable>(
        _ name: String,
        ttl: Duration,
        wait: Duration = .zero,
        _ body: @Sendable (LockLease) async throws -> T
    ) async throws -> T {
        let lease = try await lock(name, ttl: ttl, wait: wait)
        // Unstructured, so the caller's cancellation does not stop it: only the body's end does.
        let renewal = Task { await self.keepRenewed(lease, ttl: ttl) }
        let outcome: Result<T, any Error> = await withoutActuallyEscaping(body) { body in
            await withTaskGroup(of: BodyOrLoss<T>.self) { group in
                group.addTask {
                    do { return .body(.success(try await body(lease))) } catch { return .body(.failure(error)) }
                }
                group.addTask { .loss(await renewal.value) }
                while let next = await group.next() {
                    switch next {
                    case .body(let result):
                        renewal.cancel()
                        group.cancelAll()
                        return result
                    case .loss(let loss?):
                        group.cancelAll()
                        _ = await group.next()  // the body, after cancellation
                        return .failure(LockError(.leaseLost, "lost the lease on '\(name.escapedForMessages)' while the body ran: \(loss); the body was cancelled"))
                    case .loss(nil):
                        continue  // renewal stopped (the lease was released by the body): wait for it
                    }
                }
                preconditionFailure("the body's task always reports")
            }
        }
        // In a Task of its own: a cancelled caller must still release (the client sends
        // nothing from a cancelled Task). An unreachable server keeps the lock until its TTL.
        // Compare-and-delete is always safe, so it is attempted even after a loss (also a
        // `leaseLost` the body threw for another lock); after our own loss it is not awaited,
        // since the server may be the reason (unreachable until its command timeout).
        let release = Task { try? await self.unlock(lease) }
        if lease.isLost, case .failure(let error) = outcome { throw error }
        let released = await release.value ?? true
        if case .failure(let error as LockError) = outcome, error.code == .leaseLost { throw error }
        if !released {
            metrics.leaseLosses.increment()
            if case .success = outcome {
                throw LockError(.leaseLost, "'\(name.escapedForMessages)' was no longer ours at release: the lease expired while the body ran, so it may have overlapped another holder")
            }
        }
        return try outcome.get()
    }

    /// Keeps `lease` alive, extending it to `ttl` every `ttl` × renewal fraction, until it is
    /// lost (returns why, after marking the lease) or the Task is cancelled (returns `nil`).
    /// A renewal that fails for a network reason is retried until the lease's validity ends.
    /// The first renewal comes before half the validity left has passed, however long the
    /// acquire took. When the connection drops or is reopened (the server may have restarted
    /// and lost the lock), the lease is verified at once rather than at the next renewal.
    /// Behind a proxy (Codis, twemproxy) a backend's restart does not drop the client's
    /// connection, so there the lease is renewed at least every second instead.
    public func keepRenewed(_ lease: LockLease, ttl: Duration) async -> LeaseLoss? {
        var interval = ttl * configuration.renewalFraction
        if let proxy = backend.proxyKind, proxy != .none { interval = min(interval, .seconds(1)) }
        let wakeUp = WakeSignal(eventLoop: backend.eventLoopGroup.any())
        let wakeUpID = renewalWakeUps.add(wakeUp)
        defer { renewalWakeUps.remove(wakeUpID) }
        while !Task.isCancelled {
            await wakeUp.wait(atMost: min(interval, (lease.validUntil - ContinuousClock.now) / 2))
            var failures = 0
            while true {
                if Task.isCancelled || lease.isReleased { return nil }
                let validUntil = lease.validUntil
                let result = await extendBefore(validUntil, lease: lease, ttl: ttl)
                if Task.isCancelled { return nil }
                switch result {
                case .extended:
                    metrics.renewals.increment()
                case .lost:
                    return report(lease, loss: lease.loss ?? .expired)
                case .failed(let reason):
                    if ContinuousClock.now >= validUntil {
                        return report(lease, loss: .renewalFailed(reason))
                    }
                    // Retry soon (the connection's own backoff paces reconnects); a reopened
                    // connection wakes us at once.
                    failures += 1
                    let retry = min(ConnectionSlot.backoff(failures: failures, range: .milliseconds(5) ... max(interval / 4, .milliseconds(5))), validUntil - ContinuousClock.now)
                    await wakeUp.wait(atMost: max(retry, .milliseconds(1)))
                    continue
                }
                break
            }
        }
        return nil
    }

    private enum RenewalResult: Sendable {
        case extended, lost, failed(String)
    }

    /// One extend, given up when `validUntil` passes first. The extend is not awaited once
    /// given up: it may be parked in a reconnect for seconds.
    private func extendBefore(_ validUntil: ContinuousClock.Instant, lease: LockLease, ttl: Duration) async -> RenewalResult {
        let left = validUntil - ContinuousClock.now
        guard left > .zero else { return .failed("no reply before the lease's validity ended") }
        let extend: @Sendable () async -> RenewalResult = {
            do throws(LockError) {
                return try await self.extend(lease, ttl: ttl) ? .extended : .lost
            } catch {
                return .failed(error.message)
            }
        }
        let results = await allResults(within: left, endOnCancel: true, [extend])
        return results[0] ?? .failed("no reply before the lease's validity ended")
    }

    private func report(_ lease: LockLease, loss: LeaseLoss) -> LeaseLoss {
        lease.markLost(loss)
        metrics.leaseLosses.increment()
        logger.warning("lease lost", metadata: ["lock": "\(lease.keys.lock.escapedForMessages)", "fence": "\(lease.fence)", "reason": "\(loss)"])
        return loss
    }
}

private enum BodyOrLoss<T: Sendable>: Sendable {
    case body(Result<T, any Error>)
    case loss(LeaseLoss?)
}
