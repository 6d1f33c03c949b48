import NIOCore
import RESP
import Synchronization

/// Release-channel subscriptions shared by the waiters of one lock: opened by the first
/// waiter that joins, confirmed by the server before `join` returns, dropped when the last
/// one leaves (or, with a `linger`, that long after unless another joins meanwhile), and
/// forgotten when the connection ends (so the next waiter subscribes again).
/// ``ReleaseListeners`` (the exclusive, read-write and semaphore locks) and
/// ``FairGrantListeners`` (the fair lock) differ only in what a message does.
final class SharedSubscriptions: Sendable {
    private struct Entry {
        let id: UInt64
        var users: Int
        /// Counts the times the entry became idle, so a lingering unsubscribe that another
        /// join overtook does nothing.
        var idleCount: UInt64 = 0
        /// Finishes once the server confirmed the subscription (or it failed).
        let ready: Task<Result<Void, LockError>, Never>
        let listener: Task<Void, Never>
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let nextID = Atomic<UInt64>(0)
    /// How long a subscription nobody uses stays open: a waiter that waits again within it
    /// (a contender that just released) needs no new `SUBSCRIBE`.
    private let linger: Duration

    init(linger: Duration = .zero) {
        self.linger = linger
    }

    /// Joins (or opens) the subscription to `channel` (by default the lock's release channel,
    /// `keys.channel`) and returns once it is confirmed, with the membership to hand back to
    /// ``leave(_:channel:membership:)``. When this join opens it, each message's payload goes
    /// to `onMessage` and the end of the connection to `onEnd`, in a task that prefers
    /// `executor`.
    func join(
        _ keys: LockKeys, channel: String? = nil, backend: any LockBackend, bufferLimit: Int, executor: (any TaskExecutor)?,
        onMessage: @escaping @Sendable (ByteBuffer) -> Void, onEnd: @escaping @Sendable () -> Void
    ) async throws(LockError) -> UInt64 {
        let channel = channel ?? keys.channel
        let (id, ready) = entries.withLock { entries -> (UInt64, Task<Result<Void, LockError>, Never>) in
            if var entry = entries[channel] {
                entry.users += 1
                entries[channel] = entry
                return (entry.id, entry.ready)
            }
            let id = nextID.add(1, ordering: .relaxed).newValue
            let (ready, listener) = open(keys, channel: channel, id: id, backend: backend, bufferLimit: bufferLimit, executor: executor, onMessage: onMessage, onEnd: onEnd)
            entries[channel] = Entry(id: id, users: 1, ready: ready, listener: listener)
            return (id, ready)
        }
        if case .failure(let error) = await ready.value {
            leave(channel, membership: id, linger: .zero)  // a failed subscription never lingers
            throw error
        }
        return id
    }

    /// Leaves the subscription to `channel` (by default `keys.channel`); the last member's
    /// leaving unsubscribes.
    func leave(_ keys: LockKeys, channel: String? = nil, membership id: UInt64) {
        leave(channel ?? keys.channel, membership: id, linger: linger)
    }

    private func leave(_ channel: String, membership id: UInt64, linger: Duration) {
        let (listener, idle): (Task<Void, Never>?, UInt64?) = entries.withLock { entries in
            guard var entry = entries[channel], entry.id == id, entry.users > 0 else { return (nil, nil) }
            entry.users -= 1
            guard entry.users == 0 else {
                entries[channel] = entry
                return (nil, nil)
            }
            guard linger > .zero else {
                entries[channel] = nil
                return (entry.listener, nil)
            }
            entry.idleCount += 1
            entries[channel] = entry
            return (nil, entry.idleCount)
        }
        listener?.cancel()  // ends the iteration, which unsubscribes
        if let idle {
            Task {
                try? await Task.sleep(for: linger)
                self.closeIfStillIdle(channel, id: id, idleCount: idle)
            }
        }
    }

    /// Unsubscribes from `channel` when nobody joined it since it became idle.
    private func closeIfStillIdle(_ channel: String, id: UInt64, idleCount: UInt64) {
        let listener: Task<Void, Never>? = entries.withLock { entries in
            guard let entry = entries[channel], entry.id == id, entry.users == 0, entry.idleCount == idleCount else { return nil }
            entries[channel] = nil
            return entry.listener
        }
        listener?.cancel()
    }

    private func open(
        _ keys: LockKeys, channel: String, id: UInt64, backend: any LockBackend, bufferLimit: Int, executor: (any TaskExecutor)?,
        onMessage: @escaping @Sendable (ByteBuffer) -> Void, onEnd: @escaping @Sendable () -> Void
    ) -> (Task<Result<Void, LockError>, Never>, Task<Void, Never>) {
        let subscribed = Task { () -> Result<RedisSubscription, LockError> in
            do throws(RedisError) {
                return .success(try await backend.subscribe(toWakeUps: channel, bufferLimit: bufferLimit))
            } catch {
                return .failure(LockError.from(error, during: "subscribing to the release channel of '\(keys.name.escapedForMessages)'"))
            }
        }
        let ready = Task { await subscribed.value.map { _ in () } }
        let listener = Task(executorPreference: executor) {
            guard case .success(let subscription) = await subscribed.value else { return }
            do {
                for try await message in subscription { onMessage(message.payload) }
            } catch {}
            guard !Task.isCancelled else { return }
            // The subscription ended with the connection: forget it, so that the next waiter
            // subscribes again, and let the waiters go on by their timers.
            self.entries.withLock { entries in
                if entries[channel]?.id == id { entries[channel] = nil }
            }
            onEnd()
        }
        return (ready, listener)
    }
}
