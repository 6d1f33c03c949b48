import NIOCore
import RESP

/// The release-channel subscriptions of one ``Locker``: all its waiters for one lock share
/// one subscription, opened by the first and dropped when the last one leaves. Each message
/// wakes the head of that lock's ``LocalWaitQueue``, except the messages of this locker's own
/// releases: ``Locker/unlock(_:)`` has already woken the head for those, without the wait for
/// the message.
final class ReleaseListeners: Sendable {
    private let subscriptions = SharedSubscriptions()
    /// The payload this locker's releases publish.
    let tag: String

    init(tag: String) {
        self.tag = tag
    }

    /// Joins (or opens) the subscription to `keys.channel` and returns once it is confirmed:
    /// from then on no release of the lock goes unnoticed. Returns the membership to hand
    /// back to ``leave(_:membership:)``.
    func join(_ keys: LockKeys, backend: any LockBackend, queue: LocalWaitQueue) async throws(LockError) -> UInt64 {
        let tag = ByteBuffer(string: self.tag)
        // On the connection's loop (when known), where the messages arrive: a message wakes
        // the waiter there, and its try is written there, without a thread hop.
        return try await subscriptions.join(
            keys, backend: backend, bufferLimit: 16, executor: backend.waiterExecutor,
            onMessage: { payload in if payload != tag { queue.wakeHead(keys.lock) } },
            onEnd: { queue.wakeHead(keys.lock) }
        )
    }

    /// Leaves the subscription; the last member's leaving unsubscribes.
    func leave(_ keys: LockKeys, membership id: UInt64) {
        subscriptions.leave(keys, membership: id)
    }
}
