import RESP
import RedisLock

/// The lock `hold` takes: on one server or a cluster (a ``Locker``), or on a Redlock set.
enum HoldableLock: Sendable {
    case locker(Locker)
    case redlock(Redlock)

    /// Makes the lock for `servers`.
    init(servers: LockInspector.Servers, configuration: LockConfiguration) throws(LockError) {
        switch servers {
        case .single(let client): self = .locker(try Locker(client: client, configuration: configuration))
        case .cluster(let cluster): self = .locker(try Locker(backend: cluster, configuration: configuration))
        case .redlock(let clients): self = .redlock(try Redlock(clients: clients, lockConfiguration: configuration))
        }
    }

    /// Waits up to `wait` for `name`; `token` (a single locker only) replaces the random one.
    func lock(_ name: String, ttl: Duration, wait: Duration, token: String? = nil) async throws(LockError) -> HeldLock {
        switch self {
        case .locker(let locker):
            return .single(try await locker.lock(name, ttl: ttl, wait: wait, token: token), locker)
        case .redlock(let redlock):
            // Connect first: the acquire's per-node timeout is meant for a round trip.
            await redlock.connect(within: min(max(wait, .milliseconds(100)), .seconds(2)))
            return .redlock(try await redlock.lock(name, ttl: ttl, wait: wait), redlock)
        }
    }
}

/// A lease `hold` holds while its command runs.
enum HeldLock: Sendable {
    case single(LockLease, Locker)
    case redlock(RedlockLease, Redlock)

    /// What the command gets in its environment. A Redlock has no single fence (each node
    /// counts its own), so it gets `LOCK_FENCES` (`address=fence,…`) and no `LOCK_FENCE`; the
    /// legacy (Go) layout has no fence at all, so it gets neither.
    func environment(name: String) -> [String: String] {
        switch self {
        case .single(let lease, let locker) where locker.configuration.layout == .legacy:
            return ["LOCK_NAME": name, "LOCK_KEY": lease.keys.lock, "LOCK_TOKEN": lease.token]
        case .single(let lease, _):
            return ["LOCK_NAME": name, "LOCK_KEY": lease.keys.lock, "LOCK_TOKEN": lease.token, "LOCK_FENCE": String(lease.fence)]
        case .redlock(let lease, let redlock):
            let fences = lease.fences.sorted { $0.key < $1.key }.map { node, fence in
                "\((redlock.lockers[node].backend as? RedisClient)?.configuration.endpoint.description ?? "node\(node + 1)")=\(fence)"
            }
            return [
                "LOCK_NAME": name, "LOCK_KEY": redlock.lockers[0].keys(for: name).lock, "LOCK_TOKEN": lease.token,
                "LOCK_FENCES": fences.joined(separator: ","),
            ]
        }
    }

    /// The fence for messages.
    var fenceDescription: String {
        switch self {
        case .single(_, let locker) where locker.configuration.layout == .legacy: "legacy layout, no fence"
        case .single(let lease, _): "fence \(lease.fence)"
        case .redlock(let lease, _): "fences \(lease.fences.sorted { $0.key < $1.key }.map { String($0.value) }.joined(separator: ","))"
        }
    }

    /// Whether the lease is neither lost nor past its validity, as far as this client knows.
    var isValid: Bool {
        switch self {
        case .single(let lease, _): lease.isValid
        case .redlock(let lease, _): lease.isValid
        }
    }

    /// Keeps the lease alive until the Task is cancelled (`nil`) or it is lost (why).
    func keepRenewed(ttl: Duration) async -> String? {
        switch self {
        case .single(let lease, let locker):
            return await locker.keepRenewed(lease, ttl: ttl).map { "\($0)" }
        case .redlock(let lease, let redlock):
            return await redlock.keepRenewed(lease, ttl: ttl) ? nil : "no majority of the nodes could be extended before the lease's validity ended"
        }
    }

    /// Releases it; `false` when it was no longer ours.
    func unlock() async throws(LockError) -> Bool {
        switch self {
        case .single(let lease, let locker): try await locker.unlock(lease)
        case .redlock(let lease, let redlock): await redlock.unlock(lease)
        }
    }
}
