import Logging
import RESP

/// Checks, once per ``Locker``, server settings that silently break lock guarantees, and logs
/// a warning for each. Servers that refuse `CONFIG GET` (ACLs, managed services) are skipped;
/// `INFO replication` is optional the same way. Behind a proxy the check is skipped with one
/// debug line: Codis refuses `CONFIG` and twemproxy closes the connection on it, which would
/// cut off the commands of every other task sharing that connection.
enum ServerSafetyCheck {
    static func warnIfUnsafe(backend: any LockBackend, accepting accepted: Set<ServerRisk> = [], logger: Logger) async {
        if backend.proxyKind == nil, let client = backend as? RedisClient {
            _ = try? await client.connection()  // the handshake detects a proxy
        }
        if let proxy = backend.proxyKind, proxy != .none {
            logger.debug("connected through \(proxy), which refuses CONFIG GET; skipping the lock safety check (check the servers behind it directly)")
            return
        }
        let reply = try? await backend.send(RESPCommand("CONFIG", "GET", "*"), nearKey: "", timeout: nil)
        guard var settings = try? reply?.decode(as: [String: String].self) else {
            logger.debug("CONFIG GET is not allowed; skipping the lock safety check")
            return
        }
        if let info = try? await backend.send(RESPCommand("INFO", "replication"), nearKey: "", timeout: nil).decode(as: String.self) {
            for line in info.split(whereSeparator: \.isNewline) where line.hasPrefix("connected_slaves:") {
                settings["connected_slaves"] = String(line.dropFirst("connected_slaves:".count))
            }
        }
        for (risk, warning) in risks(for: settings) where !accepted.contains(risk) {
            logger.warning("\(warning.escapedForMessages)")
        }
    }

    /// The warnings that apply to a server with these `CONFIG GET *` settings (plus
    /// `connected_slaves` from `INFO replication`, when known).
    static func warnings(for settings: [String: String]) -> [String] {
        risks(for: settings).map(\.warning)
    }

    /// The risks of a server with these settings, each with its warning.
    static func risks(for settings: [String: String]) -> [(risk: ServerRisk, warning: String)] {
        var warnings: [(risk: ServerRisk, warning: String)] = []
        if let policy = settings["maxmemory-policy"], policy != "noeviction" {
            warnings.append(.eviction, "maxmemory-policy is '\(policy)': under memory pressure Redis may evict lock keys and fence counters, letting two clients hold a lock. Set maxmemory-policy noeviction.")
        }
        let appendOnly = settings["appendonly"] == "yes"
        let snapshots = !(settings["save"] ?? "").isEmpty
        if !appendOnly && !snapshots {
            warnings.append(.noPersistence, "persistence is off (no AOF, no snapshots): a restart loses every lock and resets fence counters, so fences can repeat. Enable appendonly with appendfsync always, or delay restarts past the longest lock TTL.")
        } else if !appendOnly {
            warnings.append(.lossyPersistence, "only RDB snapshots are on: a restart can roll fence counters back to the last snapshot. Enable appendonly with appendfsync always for fences that never repeat.")
        } else if let fsync = settings["appendfsync"], fsync != "always" {
            warnings.append(.lossyPersistence, "appendfsync is '\(fsync)': a crash (of Redis or the machine) can lose the last \(fsync == "everysec" ? "second" : "seconds") of writes, so a lock can vanish and fences can repeat after the restart. Set appendfsync always for fences that never repeat.")
        }
        let replicaOf = settings["replicaof"] ?? settings["slaveof"] ?? ""
        if !replicaOf.isEmpty {
            warnings.append(.replica, "this server is a replica of \(replicaOf): locks belong on the primary; a replica refuses them or serves stale data.")
        }
        if let replicas = settings["connected_slaves"].flatMap({ Int($0) }), replicas > 0 {
            warnings.append(.replication, "this server has \(replicas) replica(s): replication is asynchronous, so a failover can lose a lock just granted and roll fence counters back (fences can repeat). Locker.confirmReplicated after acquiring narrows the window; it does not close it.")
        }
        return warnings
    }
}

extension Array where Element == (risk: ServerRisk, warning: String) {
    fileprivate mutating func append(_ risk: ServerRisk, _ warning: String) {
        append((risk, warning))
    }
}
