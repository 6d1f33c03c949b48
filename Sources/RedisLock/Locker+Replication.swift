import RESP

/// How many replicas confirmed a lock's write; see ``Locker/confirmReplicated(_:replicas:timeout:)``.
public struct ReplicationReport: Sendable, Hashable, CustomStringConvertible {
    /// How many replicas were asked for.
    public var requested: Int
    /// How many acknowledged the write before the timeout.
    public var acknowledged: Int

    /// Whether at least ``requested`` replicas have the lock.
    public var isReplicated: Bool { acknowledged >= requested }

    /// `replicated to 1 of 1 replicas` or `NOT replicated: 0 of 1 replicas acknowledged`.
    public var description: String {
        isReplicated
            ? "replicated to \(acknowledged) of \(requested) replicas"
            : "NOT replicated: \(acknowledged) of \(requested) replicas acknowledged; a failover now could lose this lock"
    }
}

extension Locker {
    /// Waits (`WAIT replicas timeout`) until `replicas` replicas have every write this client
    /// made so far, including `lease`'s acquire, or `timeout` passes, and reports how many did.
    ///
    /// With asynchronous replication (Sentinel, replicas promoted on failure) a lock the master
    /// confirmed can be missing on the replica promoted after a crash. This narrows the window;
    /// it does not close it (`WAIT` does not make replication synchronous, and a replica that
    /// acknowledged can still lose the write). `WAIT` runs on the client's shared pipelined
    /// connection, so other commands of this client queue behind it for up to `timeout`: keep
    /// it short.
    public func confirmReplicated(_ lease: LockLease, replicas: Int, timeout: Duration) async throws(LockError) -> ReplicationReport {
        guard replicas >= 1 else { throw LockError(.invalidArgument, "replicas must be at least 1") }
        let milliseconds = max(1, timeout.milliseconds)
        do {
            // On the connection that carried the acquire (a cluster: the lock's primary).
            let reply = try await backend.send(RESPCommand("WAIT", replicas, milliseconds), nearKey: lease.keys.lock, timeout: timeout + .seconds(1))
            let acknowledged = try reply.decode(as: Int.self)
            return ReplicationReport(requested: replicas, acknowledged: acknowledged)
        } catch {
            throw LockError.from(error, during: "waiting for replicas of '\(lease.name.escapedForMessages)'")
        }
    }
}
