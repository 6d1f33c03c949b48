import NIOCore
import RESP
import Synchronization

/// The waiters of one ``FairLocker`` by lock and token, and its subscriptions (two per lock,
/// shared by its waiters, opened by the first and dropped when the last leaves): the lock's
/// release channel, and this locker's own grant channel for the lock.
///
/// A hand-off publishes `granted:<token>|<record>` on the grant channel of the locker whose
/// waiter it is (its ``tag`` rides in the waiter's queue entry), so only that process wakes,
/// not every process waiting for the lock; the message goes to the waiter with that token.
/// Any message on the release channel (a release with nobody queued, a plain ``Locker``'s
/// release, an operator's force-release) wakes every waiter of the lock to try again. A
/// release by this locker delivers its hand-off to a local waiter directly
/// (``deliver(key:token:value:)``), without waiting for the message.
final class FairGrantListeners: Sendable {
    private let waiters = Mutex<[String: [String: FairWaiter]]>([:])
    /// A contender that released waits again at once: its subscriptions stay a second after
    /// its last waiter left, so that next wait sends no `SUBSCRIBE` (two round trips, and
    /// others served while they are in flight).
    private let subscriptions = SharedSubscriptions(linger: .seconds(1))

    /// This locker's name in grant channels: 16 random hex digits (half a lock token).
    let tag = String(LockValidation.newToken().prefix(16))

    /// The channel hand-offs to this locker's waiters of a lock are published on:
    /// `<release channel>:<tag>`, in the lock's hash tag (one Cluster slot).
    func grantChannel(_ keys: LockKeys) -> String {
        keys.channel + ":" + tag
    }

    /// Both subscriptions a waiter joins.
    struct Membership: Sendable {
        let release: UInt64
        let grants: UInt64
    }

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

    /// Joins (or opens) the subscriptions to the lock's release channel and to this locker's
    /// grant channel for it; returns once the server confirmed both, with the membership to
    /// hand back to ``leave(_:membership:)``.
    func join(_ keys: LockKeys, backend: any LockBackend) async throws(LockError) -> Membership {
        let release = try await subscriptions.join(
            keys, backend: backend, bufferLimit: 64, executor: nil,
            onMessage: { payload in self.handle(String(buffer: payload), key: keys.lock) },
            onEnd: { self.wakeAll(key: keys.lock) }
        )
        do throws(LockError) {
            let grants = try await subscriptions.join(
                keys, channel: grantChannel(keys), backend: backend, bufferLimit: 64, executor: nil,
                onMessage: { payload in self.handle(String(buffer: payload), key: keys.lock) },
                onEnd: { self.wakeAll(key: keys.lock) }
            )
            return Membership(release: release, grants: grants)
        } catch {
            subscriptions.leave(keys, membership: release)
            throw error
        }
    }

    /// Leaves both subscriptions; the last member's leaving unsubscribes.
    func leave(_ keys: LockKeys, membership: Membership) {
        subscriptions.leave(keys, channel: grantChannel(keys), membership: membership.grants)
        subscriptions.leave(keys, membership: membership.release)
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
