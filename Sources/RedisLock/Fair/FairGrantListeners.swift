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
    private struct Subscription {
        let id: UInt64
        var users: Int
        /// Finishes once the server confirmed the subscription (or it failed).
        let ready: Task<Result<Void, LockError>, Never>
        let listener: Task<Void, Never>
    }

    private let waiters = Mutex<[String: [String: FairWaiter]]>([:])
    private let subscriptions = Mutex<[String: Subscription]>([:])
    private let nextID = Atomic<UInt64>(0)

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
        let (id, ready) = subscriptions.withLock { subscriptions -> (UInt64, Task<Result<Void, LockError>, Never>) in
            if var entry = subscriptions[keys.lock] {
                entry.users += 1
                subscriptions[keys.lock] = entry
                return (entry.id, entry.ready)
            }
            let id = nextID.add(1, ordering: .relaxed).newValue
            let (ready, listener) = listen(keys, id: id, backend: backend)
            subscriptions[keys.lock] = Subscription(id: id, users: 1, ready: ready, listener: listener)
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
        let listener: Task<Void, Never>? = subscriptions.withLock { subscriptions in
            guard var entry = subscriptions[keys.lock], entry.id == id else { return nil }
            entry.users -= 1
            guard entry.users == 0 else {
                subscriptions[keys.lock] = entry
                return nil
            }
            subscriptions[keys.lock] = nil
            return entry.listener
        }
        listener?.cancel()  // ends the iteration, which unsubscribes
    }

    private func listen(_ keys: LockKeys, id: UInt64, backend: any LockBackend) -> (Task<Result<Void, LockError>, Never>, Task<Void, Never>) {
        let subscribed = Task { () -> Result<RedisSubscription, LockError> in
            do throws(RedisError) {
                return .success(try await backend.subscribe(toWakeUps: keys.channel, bufferLimit: 64))
            } catch {
                return .failure(LockError.from(error, during: "subscribing to the release channel of '\(keys.name.escapedForMessages)'"))
            }
        }
        let ready = Task { await subscribed.value.map { _ in () } }
        let listener = Task {
            guard case .success(let subscription) = await subscribed.value else { return }
            do {
                for try await message in subscription {
                    self.handle(String(buffer: message.payload), key: keys.lock)
                }
            } catch {}
            guard !Task.isCancelled else { return }
            // The subscription ended with the connection: forget it, so that the next waiter
            // subscribes again, and let the waiters go on by their timers.
            self.subscriptions.withLock { subscriptions in
                if subscriptions[keys.lock]?.id == id { subscriptions[keys.lock] = nil }
            }
            self.wakeAll(key: keys.lock)
        }
        return (ready, listener)
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
