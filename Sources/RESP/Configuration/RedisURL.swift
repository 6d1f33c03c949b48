/// A Redis URL parsed once: its scheme, hosts, user, whether it carries a password, its
/// database and its query items. Every configuration reads this value: one server
/// (`RedisConfiguration(url:environment:)`), a cluster's seed list
/// (`RedisClusterConfiguration(url:environment:)`), a Sentinel URL, and
/// proxies (the `proxy` query item).
///
/// ```swift
/// let url = try RedisURL(parsing: "redis://ops@10.0.0.1:7000,10.0.0.2:7000?timeout=2s")
/// url.isSeedList     // true: a cluster's seeds
/// url.hasPassword    // false
/// ```
///
/// Parsing checks the syntax of every part (hosts, ports, the database, percent escapes,
/// known query item names given once); what the items mean (a valid `protocol`, a TLS item
/// on a `redis://` URL, …) is checked when a configuration is made from the value.
public struct RedisURL: Sendable, Hashable, CustomStringConvertible, CustomReflectable {
    /// What the URL points at.
    public enum Scheme: String, Sendable, Hashable, CaseIterable {
        /// `redis://`: plaintext TCP.
        case redis
        /// `rediss://`: TCP with TLS.
        case rediss
        /// `unix://`: a unix domain socket.
        case unix
        /// `redis+sentinel://`: the master a set of Sentinels knows.
        case redisSentinel = "redis+sentinel"
        /// `rediss+sentinel://`: the same, with TLS to the master.
        case redissSentinel = "rediss+sentinel"

        /// Whether connections use TLS.
        public var usesTLS: Bool { self == .rediss || self == .redissSentinel }

        /// Whether the hosts are Sentinels.
        public var isSentinel: Bool { self == .redisSentinel || self == .redissSentinel }
    }

    /// One `key=value` query item, percent-decoded.
    public struct QueryItem: Sendable, Hashable {
        /// The item's name (one of the known names).
        public var name: String
        /// Its decoded value (never empty).
        public var value: String
    }

    /// The scheme, lowercased.
    public var scheme: Scheme
    /// The hosts in order: one server, a cluster's seeds, or the Sentinels (their ports
    /// default to 26379, others to 6379); for `unix://` the socket.
    public var hosts: [RedisConfiguration.Endpoint]
    /// The user name before `@`, percent-decoded.
    public var username: String?
    /// The password before `@`, percent-decoded; never shown.
    var password: String?
    /// The database in the path (`/2`), if any.
    public var database: Int?
    /// The path's database as written, for messages.
    var databaseText = ""
    /// The master's name, for a Sentinel URL.
    public var masterName: String?
    /// The query items in order.
    public var queryItems: [QueryItem]
    /// Whether nothing before the host ended in `@` (then a later `@` hints at an unencoded
    /// `/` or `?` in a password, whose parts messages must not quote).
    var authorityLacksAt = false

    /// Parses `text`; see `RedisConfiguration(url:environment:)` for the
    /// accepted forms.
    ///
    /// - Throws: ``RedisError`` with code ``RedisError/Code/invalidURL`` whose message names
    ///   the wrong part and what is expected; it never contains the password.
    public init(parsing text: String) throws(RedisError) {
        self = try RedisURLParser.parse(text)
    }

    init(scheme: Scheme, hosts: [RedisConfiguration.Endpoint], queryItems: [QueryItem]) {
        self.scheme = scheme
        self.hosts = hosts
        self.queryItems = queryItems
    }

    /// Whether a password is in the URL, before `@` or as the `password` query item.
    public var hasPassword: Bool {
        password != nil || queryItems.contains { $0.name == "password" }
    }

    /// Whether the URL lists several hosts that are not Sentinels: a cluster's seeds.
    public var isSeedList: Bool { hosts.count > 1 && !scheme.isSentinel }

    /// The value of query item `name`, if given.
    public func queryValue(_ name: String) -> String? {
        queryItems.first { $0.name == name }?.value
    }

    /// `scheme://[user@]hosts[/master][/db]` with the query item names, never the password
    /// or the item values (they may hold secrets).
    public var description: String {
        var text = scheme.rawValue + "://"
        if let username { text += RedisURLParser.percentEncode(username) + "@" }
        text += hosts.map { host in
            if case .unixSocket(let path) = host { return path }
            return host.description
        }.joined(separator: ",")
        if let masterName { text += "/" + RedisURLParser.percentEncode(masterName) }
        if let database { text += "/\(database)" }
        if !queryItems.isEmpty { text += "?" + queryItems.map { "\($0.name)=…" }.joined(separator: "&") }
        return text
    }

    /// The ``description``, so that `dump` and debuggers never show the password.
    public var customMirror: Mirror {
        Mirror(self, children: ["url": description], displayStyle: .struct)
    }
}
