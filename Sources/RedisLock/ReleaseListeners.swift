import NIOCore
import RESP
import Synchronization

/// The release-channel subscriptions of one ``Locker``: all its waiters for one lock share
/// one subscription, opened by the first and dropped when the last one leaves. Each message
/// wakes the head of that lock's ``LocalWaitQueue``, except the messages of this locker's own
/// releases: ``Locker/unlock(_:)`` has already woken the head for those, without the wait for
/// the message.
final class ReleaseListeners: Sendable {
    private struct Entry {
        let id: UInt64
        var users: Int
        /// Finishes once the server confirmed the subscription (or it failed).
        let ready: Task<Result<Void, LockError>, Never>
        let listener: Task<Void, Never>
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let nextID = Atomic<UInt64>(0)
    /// The payload this locker's releases publish.
    let tag: String

    init(tag: String) {
        self.tag = tag
    }

    /// Joins (or opens) the subscription to `keys.channel` and returns once it is confirmed:
    /// from then on no release of the lock goes unnoticed. Returns the membership to hand
    /// back to ``leave(_:membership:)``.
    func join(_ keys: LockKeys, backend: any LockBackend, queue: LocalWaitQueue) async throws(LockError) -> UInt64 {
        let (id, ready) = entries.withLock { entries -> (UInt64, Task<Result<Void, LockError>, Never>) in
            if var entry = entries[keys.lock] {
                entry.users += 1
                entries[keys.lock] = entry
                return (entry.id, entry.ready)
            }
            let id = nextID.add(1, ordering: .relaxed).newValue
            let (ready, listener) = open(keys, id: id, backend: backend, queue: queue)
            entries[keys.lock] = Entry(id: id, users: 1, ready: ready, listener: listener)
            return (id, ready)
        }
        if case .failure(let error) = await ready.value {
            leave(keys, membership: id)
            throw error
        }
        return id
    }

    /// Leaves the subscription; the last member's leaving unsubscribes.
    func leave(_ keys: LockKeys, membership id: UInt64) {
        let listener: Task<Void, Never>? = entries.withLock { entries in
            guard var entry = entries[keys.lock], entry.id == id else { return nil }
            entry.users -= 1
            guard entry.users == 0 else {
                entries[keys.lock] = entry
                return nil
            }
            entries[keys.lock] = nil
            return entry.listener
        }
        listener?.cancel()  // ends the iteration, which unsubscribes
    }

    private func open(
        _ keys: LockKeys, id: UInt64, backend: any LockBackend, queue: LocalWaitQueue
    ) -> (Task<Result<Void, LockError>, Never>, Task<Void, Never>) {
        let subscribed = Task { () -> Result<RedisSubscription, LockError> in
            do throws(RedisError) {
                return .success(try await backend.subscribe(toWakeUps: keys.channel, bufferLimit: 16))
            } catch {
                return .failure(LockError.from(error, during: "subscribing to the release channel of '\(keys.name.escapedForMessages)'"))
            }
        }
        let ready = Task { await subscribed.value.map { _ in () } }
        let tag = ByteBuffer(string: self.tag)
        // On the connection's loop (when known), where the messages arrive: a message wakes
        // the waiter there, and its try is written there, without a thread hop.
        let listener = Task(executorPreference: backend.waiterExecutor) {
            guard case .success(let subscription) = await subscribed.value else { return }
            do {
                for try await message in subscription where message.payload != tag {
                    queue.wakeHead(keys.lock)
                }
            } catch {}
            guard !Task.isCancelled else { return }
            // The subscription ended with the connection: forget it, so that the next waiter
            // subscribes again, and let the waiters go on by their timers.
            self.entries.withLock { entries in
                if entries[keys.lock]?.id == id { entries[keys.lock] = nil }
            }
            queue.wakeHead(keys.lock)
        }
        return (ready, listener)
    }
}
