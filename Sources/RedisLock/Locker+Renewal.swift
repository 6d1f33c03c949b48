import RESP

extension Locker {
    /// Runs `body` while holding lock `name`, renewing the lease in the background (every
    /// `ttl` × ``LockConfiguration/renewalFraction``) and releasing it afterwards.
    ///
    /// If a renewal finds the lock gone or cannot succeed before the lease's validity ends,
    /// the lease is lost: `body`'s Task is cancelled and this throws
    /// ``LockError/Code/leaseLost``. It also throws `leaseLost` when the final release finds
    /// the lock no longer ours, since the body may then have overlapped another holder.
    ///
    /// - Parameter wait: how long to wait for the lock (zero: fail at once if it is held).
    public func withLock<T: Sendable>(
        _ name: String,
        ttl: Duration,
        wait: Duration = .zero,
        _ body: @Sendable (LockLease) async throws -> T
    ) async throws -> T {
        let lease = try await lock(name, ttl: ttl, wait: wait)
        let outcome: Result<T, any Error> = await withoutActuallyEscaping(body) { body in
            await withTaskGroup(of: BodyOrLoss<T>.self) { group in
                group.addTask {
                    do { return .body(.success(try await body(lease))) } catch { return .body(.failure(error)) }
                }
                group.addTask { .loss(await self.keepRenewed(lease, ttl: ttl)) }
                while let next = await group.next() {
                    switch next {
                    case .body(let result):
                        group.cancelAll()
                        return result
                    case .loss(let loss?):
                        group.cancelAll()
                        _ = await group.next()  // the body, after cancellation
                        return .failure(LockError(.leaseLost, "lost the lease on '\(name.escapedForMessages)' while the body ran: \(loss); the body was cancelled"))
                    case .loss(nil):
                        continue  // renewal stopped because we are cancelled: wait for the body
                    }
                }
                preconditionFailure("the body's task always reports")
            }
        }
        if case .failure(let error as LockError) = outcome, error.code == .leaseLost { throw error }
        // In a Task of its own: a cancelled caller must still release (the client sends
        // nothing from a cancelled Task). An unreachable server keeps the lock until its TTL.
        let released = await Task { try? await self.unlock(lease) }.value ?? true
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
    public func keepRenewed(_ lease: LockLease, ttl: Duration) async -> LeaseLoss? {
        let interval = ttl * configuration.renewalFraction
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return nil }
            while true {
                if lease.isReleased { return nil }
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
                    let retry = min(interval / 4, validUntil - ContinuousClock.now)
                    do { try await Task.sleep(for: max(retry, .milliseconds(1))) } catch { return nil }
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

    /// One extend, given up when `validUntil` passes first.
    private func extendBefore(_ validUntil: ContinuousClock.Instant, lease: LockLease, ttl: Duration) async -> RenewalResult {
        await withTaskGroup(of: RenewalResult?.self) { group in
            group.addTask {
                do throws(LockError) {
                    return try await self.extend(lease, ttl: ttl) ? .extended : .lost
                } catch {
                    return .failed(error.message)
                }
            }
            group.addTask {
                try? await Task.sleep(until: validUntil, clock: .continuous)
                return Task.isCancelled ? nil : .failed("no reply before the lease's validity ended")
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .failed("cancelled")
        }
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
