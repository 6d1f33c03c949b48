/// Where to find a master through Redis Sentinel: the Sentinels to ask and the name they
/// monitor it under.
///
/// A ``RedisConfiguration`` with ``RedisConfiguration/sentinel`` set connects by asking the
/// Sentinels (in order, first answer wins) for the master's address with
/// `SENTINEL get-master-addr-by-name`, connects there, and checks with `ROLE` that the server
/// really is a master. Every reconnect asks again, so after a failover the client follows the
/// promoted replica. Sentinel closes the clients of a demoted master, which triggers exactly
/// that reconnect.
///
/// Replication is asynchronous: a lock acquired on the master just before a failover can be
/// missing on the promoted replica, and another client can then acquire it too.
public struct RedisSentinelConfiguration: Sendable, Hashable {
    /// The Sentinels, asked in this order.
    public var sentinels: [RedisConfiguration.Endpoint]
    /// The name the Sentinels monitor the master under (`sentinel monitor NAME …`).
    public var masterName: String
    /// The ACL user for the Sentinels themselves; `nil` for none.
    public var username: String?
    /// The password for the Sentinels themselves (from `REDIS_SENTINEL_PASSWORD` when parsed
    /// from a URL); `nil` for none.
    public var password: String?

    /// The environment variable that supplies ``password`` for a `redis+sentinel://` URL.
    public static let passwordEnvironmentVariable = "REDIS_SENTINEL_PASSWORD"

    /// Makes a Sentinel configuration.
    public init(sentinels: [RedisConfiguration.Endpoint], masterName: String, username: String? = nil, password: String? = nil) {
        self.sentinels = sentinels
        self.masterName = masterName
        self.username = username
        self.password = password
    }
}
