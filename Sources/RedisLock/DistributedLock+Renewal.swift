extension DistributedLock {
    /// Keeps `lease` alive, extending it to `ttl` every ``renewalInterval(for:)``, until it is
    /// lost (returns why, after marking the lease) or the Task is cancelled or the lease
    /// released (returns `nil`).
    ///
    /// Each extend is raced against the lease's validity: one that has not answered when the
    /// validity ends counts as failed (and is not awaited: it may be parked in a reconnect).
    /// A failed extend (a network error, nodes that did not answer) is retried with
    /// ``Backoff`` until the validity ends; then the lease is lost
    /// (``LeaseLoss/renewalFailed(_:)``). The first renewal comes before half the validity
    /// left has passed, however long the acquire took. When the lock's connection drops or is
    /// reopened (``observeConnectionChanges(_:)``: the server may have restarted and lost the
    /// lock), the lease is verified at once rather than at the next renewal.
    public func keepRenewed(_ lease: Lease, ttl: Duration) async -> LeaseLoss? {
        let interval = renewalInterval(for: ttl)
        let wakeUp = WakeSignal(eventLoop: eventLoopGroup.any())
        let stopObserving = observeConnectionChanges { wakeUp.signal() }
        defer { stopObserving?() }
        let retries = Backoff(.milliseconds(5) ... max(interval / 4, .milliseconds(5)), jitter: .aboveFloor)
        while !Task.isCancelled {
            await wakeUp.wait(atMost: min(interval, (lease.validUntil - ContinuousClock.now) / 2))
            var failures = 0
            while true {
                if Task.isCancelled || lease.isReleased { return nil }
                let validUntil = lease.validUntil
                let result = await extend(lease, ttl: ttl, before: validUntil)
                if Task.isCancelled { return nil }
                switch result {
                case .extended:
                    record(.renewed, of: lease)
                case .lost:
                    return reportLoss(of: lease, lease.loss ?? .expired)
                case .failed(let reason):
                    if ContinuousClock.now >= validUntil {
                        return reportLoss(of: lease, .renewalFailed(reason))
                    }
                    // Retry soon (the connection's own backoff paces reconnects); a reopened
                    // connection wakes us at once.
                    failures += 1
                    let retry = min(retries.pause(after: failures), validUntil - ContinuousClock.now)
                    await wakeUp.wait(atMost: max(retry, .milliseconds(1)))
                    continue
                }
                break
            }
        }
        return nil
    }

    /// One extend, given up when `validUntil` passes first. A `false` is a loss once the
    /// lease is marked lost (or released); otherwise a failure to retry.
    private func extend(_ lease: Lease, ttl: Duration, before validUntil: ContinuousClock.Instant) async -> RenewalResult {
        let left = validUntil - ContinuousClock.now
        guard left > .zero else { return .failed("no reply before the lease's validity ended") }
        let extend: @Sendable () async -> RenewalResult = {
            do throws(LockError) {
                if try await self.extend(lease, ttl: ttl) { return .extended }
                return lease.isLost || lease.isReleased ? .lost : .failed("too few nodes extended the lock")
            } catch {
                return .failed(error.message)
            }
        }
        let results = await allResults(within: left, endOnCancel: true, [extend])
        return results[0] ?? .failed("no reply before the lease's validity ended")
    }

    private func reportLoss(of lease: Lease, _ loss: LeaseLoss) -> LeaseLoss {
        record(.lost(loss), of: lease)
        return loss
    }
}

private enum RenewalResult: Sendable {
    case extended, lost, failed(String)
}
