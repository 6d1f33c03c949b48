import Synchronization

/// The waiters of one ``Locker``, first in first out per lock. Only the head of a lock's
/// queue tries to acquire; a release by this locker (or its release message) wakes the head
/// directly, and a newcomer joins the back of the queue instead of barging in. Fairness holds
/// among the waiters of one locker; across processes the lock stays a race.
final class LocalWaitQueue: Sendable {
    private struct Entry: Sendable {
        let id: UInt64
        let signal: WakeSignal
    }

    private let queues = Mutex<[String: [Entry]]>([:])
    private let nextID = Atomic<UInt64>(0)
    /// Waiters over all keys, read without the lock: a release with nobody waiting (the
    /// uncontended case) costs one atomic load.
    private let total = Atomic<Int>(0)

    /// Whether anyone of this locker waits for `key`.
    func hasWaiters(_ key: String) -> Bool {
        queues.withLock { !($0[key]?.isEmpty ?? true) }
    }

    /// How many of this locker's tasks wait for `key`.
    func count(_ key: String) -> Int {
        queues.withLock { $0[key]?.count ?? 0 }
    }

    /// Whether the waiter at the front of `key`'s queue is asleep in its wait (for tests).
    func headIsParked(_ key: String) -> Bool {
        queues.withLock { $0[key]?.first?.signal }?.isWaiting ?? false
    }

    /// Joins the back of `key`'s queue; returns the waiter's id.
    func enqueue(_ key: String, signal: WakeSignal) -> UInt64 {
        let id = nextID.add(1, ordering: .relaxed).newValue
        queues.withLock { queues in
            queues[key, default: []].append(Entry(id: id, signal: signal))
            total.add(1, ordering: .sequentiallyConsistent)
        }
        return id
    }

    /// Whether waiter `id` is at the front of `key`'s queue.
    func isHead(_ key: String, id: UInt64) -> Bool {
        queues.withLock { $0[key]?.first?.id == id }
    }

    /// Leaves the queue. When the head leaves, the next waiter is woken so it starts trying
    /// (and learns the holder's TTL for its fallback timer).
    func remove(_ key: String, id: UInt64) {
        let next: WakeSignal? = queues.withLock { queues in
            guard var entries = queues[key], let index = entries.firstIndex(where: { $0.id == id }) else { return nil }
            entries.remove(at: index)
            total.subtract(1, ordering: .sequentiallyConsistent)
            queues[key] = entries.isEmpty ? nil : entries
            return index == 0 ? entries.first?.signal : nil
        }
        next?.signal()
    }

    /// Wakes the waiter at the front of `key`'s queue (the lock was just released).
    func wakeHead(_ key: String) {
        guard total.load(ordering: .sequentiallyConsistent) > 0 else { return }
        queues.withLock { $0[key]?.first?.signal }?.signal()
    }
}
