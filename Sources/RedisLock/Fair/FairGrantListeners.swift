import NIOCore
import RESP
import Synchronization

/// The waiters of one ``FairLocker`` by lock and token, and its subscriptions to the locks'
/// release channels (one per lock, shared by its waiters, opened by the first and dropped when
/// the last leaves).
///
/// A hand-off publishes `granted:<token>|<record>` on the lock's shared channel; the message
/// goes to the waiter with that token (if it is one of ours) and nobody else is woken. Any
/// other message (a release with nobody queued, a plain ``Locker``'s release) wakes every
/// waiter of the lock to try again. A release by this locker delivers its hand-off to a local
/// waiter directly (``deliver(key:token:value:)``), without waiting for the message.
final class FairGrantListeners: Sendable {
    private let waiters = Mutex<[String: [String: FairWaiter]]>([:])
    private let subscriptions = SharedSubscriptions()

    /// Adds `waiter` under `token` for the lock at `key`.
    func register(_ waiter: FairWaiter, key: String, token: String) {
        waiters.withLock { $0[key, default: [:]][token] = waiter }
    }

    /// Removes the waiter with `token` of the lock at `key`.
    func unregister(key: String, token: String) {
        waiters.withLock { waiters in
            waiters[key]?[token] = nil
            if waiters[key]?.isEmpty == true { waiters[key] = nil }
        }
    }

    /// Hands `value` to the local waiter with `token`, if there is one; returns whether there was.
    @discardableResult
    func deliver(key: String, token: String, value: String) -> Bool {
        guard let waiter = waiters.withLock({ $0[key]?[token] }) else { return false }
        waiter.deliver(value)
        return true
    }

    /// Wakes every local waiter of the lock at `key`.
    func wakeAll(key: String) {
        for waiter in waiters.withLock({ Array(($0[key] ?? [:]).values) }) { waiter.signal.signal() }
    }

    /// Joins (or opens) the subscription to `keys.channel`; returns once the server confirmed
    /// it, with the membership to hand back to ``leave(_:membership:)``.
    func join(_ keys: LockKeys, backend: any LockBackend) async throws(LockError) -> UInt64 {
        try await subscriptions.join(
            keys, backend: backend, bufferLimit: 64, executor: nil,
            onMessage: { payload in self.handle(String(buffer: payload), key: keys.lock) },
            onEnd: { self.wakeAll(key: keys.lock) }
        )
    }

    /// Leaves the subscription; the last member's leaving unsubscribes.
    func leave(_ keys: LockKeys, membership id: UInt64) {
        subscriptions.leave(keys, membership: id)
    }

    /// `granted:<token>|<record>` goes to that waiter; anything else wakes them all.
    private func handle(_ payload: String, key: String) {
        guard let grant = FairGrant(message: payload) else {
            wakeAll(key: key)
            return
        }
        deliver(key: key, token: grant.token, value: grant.value)
    }
}

/// A hand-off message: `granted:<token>|<record>`.
struct FairGrant: Sendable, Hashable {
    /// The waiter the lock was handed to.
    let token: String
    /// The record the lock now holds.
    let value: String

    /// Parses `message`; `nil` when it is not a hand-off.
    init?(message: String) {
        guard message.hasPrefix(Self.marker), let bar = message.firstIndex(of: "|") else { return nil }
        token = String(message[message.index(message.startIndex, offsetBy: Self.marker.count) ..< bar])
        value = String(message[message.index(after: bar)...])
    }

    /// What every hand-off message starts with.
    static let marker = "granted:"
}
