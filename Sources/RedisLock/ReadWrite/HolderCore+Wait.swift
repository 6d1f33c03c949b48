import RESP

extension HolderCore {
    /// Takes `role`'s lease on `name`, waiting up to `wait`: the ``WaitLoop`` of ``Locker``
    /// (see ``Locker/lock(_:ttl:wait:token:)``) with this core's queue, subscriptions and
    /// try. Waiters of this core queue locally (only the head tries; each one that gets in
    /// wakes the next, so readers and permits enter one after another), are woken by release
    /// messages on `PREFIX{NAME}:released`, and poll where pub/sub is refused (a proxy). A
    /// writer that stops waiting without the lock drops its writer-waiting marker at once.
    func lock(_ name: String, ttl: Duration, wait: Duration, token: String?, role: HolderRole) async throws(LockError) -> LockLease {
        let token = try LockValidation.token(token, layout: .record)
        if case .permit(let count) = role, count < 1 {
            throw LockError(.invalidArgument, "a semaphore needs at least 1 permit, not \(count)")
        }
        let loop = WaitLoop(
            attempt: HolderTry(core: self, name: name, ttl: ttl, token: token, role: role),
            locker: locker, keys: locker.keys(for: name), queue: waitQueue, listeners: releaseListeners)
        do {
            // On the caller's executor, as before: issue 17 moved only Locker's wait to the
            // connection's event loop (and measured only that).
            return try await loop.lease(start: ContinuousClock.now, wait: wait, onWaiterExecutor: false)
        } catch {
            if role == .write {
                // In a Task of its own: a cancelled caller's commands are not sent.
                await Task { await self.withdrawWriter(name, token: token) }.value
            }
            throw error
        }
    }
}

/// The try of ``HolderCore/lock(_:ttl:wait:token:role:)``: ``HolderCore/tryAcquire(_:ttl:token:role:)``.
private struct HolderTry: LockTry {
    let core: HolderCore
    let name: String
    let ttl: Duration
    let token: String
    let role: HolderRole

    func once() async throws(LockError) -> HolderAttempt {
        try await core.tryAcquire(name, ttl: ttl, token: token, role: role)
    }

    func holder(in contention: HolderContention) -> LockHolder? { contention.holder }

    func remaining(in contention: HolderContention) -> Duration? { contention.remaining }

    var subject: String { "\(role.leaseName) '\(name.escapedForMessages)'" }

    func heldMessage(_ contention: HolderContention) -> String { "could not take \(subject): \(contention.description)" }

    func stillHeld(_ contention: HolderContention?) -> String {
        ": \(contention?.description ?? "another waiter of this process was ahead")"
    }

    /// A waiting writer renews its marker with each try.
    var longestPause: Duration? { role == .write ? HolderCore.writerWaitingTTL / 4 : nil }
}
