extension DistributedLock {
    /// Runs `body` while holding lock `name`, renewing the lease in the background
    /// (``keepRenewed(_:ttl:)``) and releasing it afterwards.
    ///
    /// If a renewal finds the lock gone or cannot succeed before the lease's validity ends,
    /// the lease is lost: `body`'s Task is cancelled and this throws
    /// ``LockError/Code/leaseLost``. It also throws `leaseLost` when the final release finds
    /// the lock no longer held by the lease, since the body may then have overlapped another
    /// holder. Renewal goes on until `body` returns, also when the caller is cancelled (a body
    /// that ignores cancellation keeps a renewed lease), and the release is always attempted:
    /// it deletes the lock only if it is still the lease's.
    ///
    /// - Parameters:
    ///   - name: the lock's name (its key is the lock's prefix plus the name).
    ///   - ttl: how long the lease lasts between renewals.
    ///   - wait: how long to wait for the lock (zero: fail at once if it is held).
    ///   - body: the work to do while the lock is held; it gets the lease.
    public func withLock<T: Sendable>(
        _ name: String,
        ttl: Duration,
        wait: Duration = .zero,
        _ body: @Sendable (Lease) async throws -> T
    ) async throws -> T {
        let lease = try await lock(name, ttl: ttl, wait: wait, token: nil)
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
        // Release by token is always safe, so it is attempted even after a loss (also a
        // `leaseLost` the body threw for another lock); after our own loss it is not awaited,
        // since the server may be the reason (unreachable until its command timeout).
        let release = Task { try? await self.unlock(lease) }
        if lease.isLost, case .failure(let error) = outcome { throw error }
        let released = await release.value ?? true
        if case .failure(let error as LockError) = outcome, error.code == .leaseLost { throw error }
        if !released {
            record(.goneAtRelease, of: lease)
            if case .success = outcome {
                throw LockError(.leaseLost, "'\(name.escapedForMessages)' was no longer ours at release: the lease expired while the body ran, so it may have overlapped another holder")
            }
        }
        return try outcome.get()
    }
}

private enum BodyOrLoss<T: Sendable>: Sendable {
    case body(Result<T, any Error>)
    case loss(LeaseLoss?)
}
