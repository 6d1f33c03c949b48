import Logging
import RESP

/// Checks, once per ``Locker``, server settings that silently break lock guarantees, and logs
/// a warning for each. Servers that refuse `CONFIG GET` (ACLs, managed services) are skipped.
enum ServerSafetyCheck {
    static func warnIfUnsafe(backend: any LockBackend, logger: Logger) async {
        let reply = try? await backend.send(RESPCommand("CONFIG", "GET", "*"), nearKey: "", timeout: nil)
        guard let settings = try? reply?.decode(as: [String: String].self) else {
            logger.debug("CONFIG GET is not allowed; skipping the lock safety check")
            return
        }
        for warning in warnings(for: settings) {
            logger.warning("\(warning)")
        }
    }

    /// The warnings that apply to a server with these `CONFIG GET *` settings.
    static func warnings(for settings: [String: String]) -> [String] {
        var warnings: [String] = []
        if let policy = settings["maxmemory-policy"], policy != "noeviction" {
            warnings.append("maxmemory-policy is '\(policy)': under memory pressure Redis may evict lock keys and fence counters, letting two clients hold a lock. Set maxmemory-policy noeviction.")
        }
        let appendOnly = settings["appendonly"] == "yes"
        let snapshots = !(settings["save"] ?? "").isEmpty
        if !appendOnly && !snapshots {
            warnings.append("persistence is off (no AOF, no snapshots): a restart loses every lock and resets fence counters, so fences can repeat. Enable appendonly with appendfsync always, or delay restarts past the longest lock TTL.")
        } else if !appendOnly {
            warnings.append("only RDB snapshots are on: a restart can roll fence counters back to the last snapshot. Enable appendonly with appendfsync always for fences that never repeat.")
        }
        return warnings
    }
}
