/// Which library left a lock in Redis, as far as its key and value tell.
public enum LockFormat: String, Sendable, Hashable, CaseIterable, Codable {
    /// This library's JSON record (see ``LockRecord``).
    case lockwatch
    /// The original Go lock: `DUSEPK_REDIS_LOCK_<key>` holding the caller's token.
    case goLegacy = "go-legacy"
    /// redis-py's `Lock`: a 32-hex `uuid1` value.
    case redisPy = "redis-py"
    /// python-redis-lock: `lock:<name>` with a sibling `lock-signal:<name>`.
    case pythonRedisLock = "python-redis-lock"
    /// Redisson `RLock`: a hash `{"<uuid>:<threadId>": holdCount}`; `:write` for write locks.
    case redisson
    /// redsync (Go Redlock): 24 base64 characters ending `==`.
    case redsync
    /// pottery's `Redlock`: `redlock:<key>` holding a uuid4.
    case pottery
    /// node-redlock: 32 random hex characters.
    case nodeRedlock = "node-redlock"
    /// A string value of no known format.
    case unknownString = "unknown-string"
    /// A hash of no known format.
    case unknownHash = "unknown-hash"
    /// Another type (list, set, …) that matched the filter.
    case other
}
