import RESP
import RedisLock

extension LockInspector.Deployment {
    /// The lock `hold` takes on these servers: a ``Locker`` on one server or a cluster, a
    /// ``Redlock`` over a Redlock set. `hold` drives it through ``DistributedLock`` alone.
    /// With `--shared`, `--writer` or `--permits`, the matching ``SharedLockView`` of a
    /// ``ReadWriteLocker`` or ``Semaphore`` on that ``Locker`` (not on a Redlock set: `hold`
    /// refuses that combination first).
    func holdableLock(configuration: LockConfiguration, kind: HoldKind = .exclusive) throws(LockError) -> any DistributedLock {
        if kind == .fair {
            switch self {
            case .single(let client): return try FairLocker(client: client, configuration: configuration)
            case .cluster(let cluster): return try FairLocker(backend: cluster, configuration: configuration)
            case .redlock: break
            }
        }
        let locker: Locker
        switch self {
        case .single(let client): locker = try Locker(client: client, configuration: configuration)
        case .cluster(let cluster): locker = try Locker(backend: cluster, configuration: configuration)
        case .redlock(let clients): return try Redlock(clients: clients, lockConfiguration: configuration)
        }
        switch kind {
        case .exclusive: return locker
        case .shared: return try ReadWriteLocker(locker).reading
        case .writer: return try ReadWriteLocker(locker).writing
        case .permits(let count): return try Semaphore(locker).permits(count)
        case .fair: throw LockError(.invalidArgument, "a fair lock takes one server or one cluster, not a Redlock set")
        }
    }

    /// Whether these are the independent servers of a Redlock set.
    var isRedlockSet: Bool {
        if case .redlock = self { return true }
        return false
    }
}

/// A lease `hold` holds while its command runs, with the lock that took it.
struct HeldLock<Lock: DistributedLock>: Sendable {
    let lock: Lock
    let lease: Lock.Lease
    let name: String

    /// Waits up to `wait` for `name` on `lock`; `token` replaces the random one.
    static func acquire(_ name: String, on lock: Lock, ttl: Duration, wait: Duration, token: String?) async throws(LockError) -> HeldLock {
        // Connect first: a Redlock's per-node timeout is meant for a round trip.
        await lock.connect(within: min(max(wait, .milliseconds(100)), .seconds(2)))
        return HeldLock(lock: lock, lease: try await lock.lock(name, ttl: ttl, wait: wait, token: token), name: name)
    }

    /// What the command gets in its environment. A Redlock has no single fence (each node
    /// counts its own), so it gets `LOCK_FENCES` (`address=fence,…`) and no `LOCK_FENCE`; the
    /// legacy (Go) layout has no fence at all, so it gets neither.
    func environment() -> [String: String] {
        var environment = ["LOCK_NAME": name, "LOCK_KEY": lock.key(for: name), "LOCK_TOKEN": lease.token]
        switch lock.fencing(of: lease) {
        case .none: break
        case .single(let fence): environment["LOCK_FENCE"] = String(fence)
        case .perNode(let fences): environment["LOCK_FENCES"] = fences.map { "\($0.node)=\($0.fence)" }.joined(separator: ",")
        }
        return environment
    }

    /// The fence for messages.
    var fenceDescription: String {
        switch lock.fencing(of: lease) {
        case .none: "legacy layout, no fence"
        case .single(let fence): "fence \(fence)"
        case .perNode(let fences): "fences \(fences.map { String($0.fence) }.joined(separator: ","))"
        }
    }

    /// Whether the lease is neither lost nor past its validity, as far as this client knows.
    var isValid: Bool { lease.isValid }

    /// Keeps the lease alive until the Task is cancelled (`nil`) or it is lost (why).
    func keepRenewed(ttl: Duration) async -> String? {
        await lock.keepRenewed(lease, ttl: ttl).map { "\($0)" }
    }

    /// Releases it; `false` when it was no longer ours.
    func unlock() async throws(LockError) -> Bool {
        try await lock.unlock(lease)
    }
}
