/// The Redis names that belong to one lock. All share the hash tag `{name}`, so they live in
/// one Cluster slot and every script works unchanged on a cluster.
///
/// With the default prefix `lock:` the lock `orders:42` uses:
/// - `lock:{orders:42}`: the lock itself, a string holding a ``LockRecord`` with a TTL;
/// - `lock:{orders:42}:fence`: the fencing counter, bumped by every acquire, never expiring;
/// - `lock:{orders:42}:released`: the pub/sub channel a release publishes on.
public struct LockKeys: Sendable, Hashable {
    /// The lock's name as the caller gave it.
    public let name: String
    /// The key holding the lock record.
    public let lock: String
    /// The key of the fencing counter.
    public let fence: String
    /// The channel releases publish on, which waiters subscribe to.
    public let channel: String

    /// The names for lock `name` under `prefix`.
    public init(name: String, prefix: String) {
        self.name = name
        self.lock = prefix + "{" + name + "}"
        self.fence = lock + Self.fenceSuffix
        self.channel = lock + Self.channelSuffix
    }

    /// The names for lock `name` in the Go lock's layout (``LockLayout/legacy``): the key is
    /// `prefix + name`, as Go writes it. Its wake-up channel carries the key's hash tag (the
    /// whole key in braces when it has none), so a release script may publish on it in the
    /// key's cluster slot. `fence` names a key the legacy layout never writes.
    public init(legacyName name: String, prefix: String) {
        self.name = name
        self.lock = prefix + name
        self.fence = lock + Self.fenceSuffix
        self.channel = (Self.hasHashTag(lock) ? lock : "{" + lock + "}") + Self.channelSuffix
    }

    /// Whether `key` has a Redis hash tag: a `{` followed later by a `}` with something in
    /// between (the first such pair).
    static func hasHashTag(_ key: String) -> Bool {
        guard let open = key.firstIndex(of: "{"), let close = key[key.index(after: open)...].firstIndex(of: "}") else { return false }
        return close > key.index(after: open)
    }

    /// What follows the lock key in the fence counter's key.
    public static let fenceSuffix = ":fence"
    /// What follows the lock key in the wake-up channel's name.
    public static let channelSuffix = ":released"
}
