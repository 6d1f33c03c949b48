import Foundation

extension RedisConfiguration {
    /// The environment variable read when no URL is given.
    public static let urlEnvironmentVariable = "REDIS_URL"

    /// Environment variables consulted for a password when the URL carries none (first hit wins).
    public static let passwordEnvironmentVariables = ["REDIS_PASSWORD", "REDISCLI_AUTH"]

    /// The URL used by ``init(environment:)`` when `REDIS_URL` is unset or empty.
    static let defaultURL = "redis://127.0.0.1:6379"

    /// The process environment, for default arguments.
    @usableFromInline
    static var processEnvironment: [String: String] { ProcessInfo.processInfo.environment }

    /// Parses a Redis URL.
    ///
    /// Accepted forms:
    /// - `redis://[user[:password]@]host[:port][/db][?query]`: plaintext TCP. `host` is a name,
    ///   an IPv4 address or an IPv6 address in brackets (`[::1]`); `port` defaults to 6379.
    /// - `rediss://…`: the same over TLS (``tls`` is set, with full verification by default).
    /// - `unix:///absolute/path/to/socket[?query]`: a unix domain socket.
    /// - `redis+sentinel://[user[:password]@]host[:port][,host[:port]…]/MASTER[/db][?query]`
    ///   (or `rediss+sentinel://`): the master Sentinels know as `MASTER`; see
    ///   ``RedisSentinelConfiguration``. Sentinel ports default to 26379.
    ///
    /// User name, password and query values are percent-decoded (`%40` is `@`); a `+` stays a
    /// `+`. The database comes from the path (`/2`) or the query item `db`.
    ///
    /// Query items: `db`, `user`, `password`, `name` (``clientName``), `protocol` (`2` or `3`),
    /// `proxy` (`codis`, `twemproxy` or `none`: skips detection, see ``proxy``),
    /// `timeout` and `connect_timeout` (see ``Swift/Duration/init(parsing:)``; must be positive),
    /// and for `rediss://` only: `ca`, `cert` and `key` (PEM files; `cert` and `key` together),
    /// `verify` (`full` or `none`) and `sni`.
    ///
    /// When the URL carries no password, the first non-empty variable of
    /// ``passwordEnvironmentVariables`` in `environment` supplies it.
    ///
    /// - Parameters:
    ///   - url: The URL, for example `redis://ops:secret@10.0.0.5:6380/2?name=worker`.
    ///   - environment: Where to look for a password; defaults to the process environment
    ///     (pass a dictionary in tests).
    /// - Throws: ``RedisError`` with code ``RedisError/Code/invalidURL`` whose message names the
    ///   wrong part and what is expected. Messages never contain the password.
    public init(url: String, environment: [String: String] = RedisConfiguration.processEnvironment) throws(RedisError) {
        try self.init(url: RedisURL(parsing: url), environment: environment)
    }

    /// The configuration of the server (or, for a Sentinel URL, the master) `url` names; see
    /// `init(url:environment:)` with a string. A URL that lists several hosts other than
    /// Sentinels is a cluster's seed list: read it with
    /// `RedisClusterConfiguration(url:environment:)`.
    ///
    /// - Throws: ``RedisError/Code/invalidURL`` naming the item that is wrong.
    public init(url: RedisURL, environment: [String: String] = RedisConfiguration.processEnvironment) throws(RedisError) {
        guard url.hosts.count == 1 || url.scheme.isSentinel else {
            throw RedisError(.invalidURL, "the URL lists \(url.hosts.count) hosts, but one server takes one host: a list of hosts is a cluster's seeds (use --cluster, or RedisClusterConfiguration)")
        }
        try self.init(node: url, endpoint: url.hosts[0], environment: environment)
        if let masterName = url.masterName {
            let password = environment[RedisSentinelConfiguration.passwordEnvironmentVariable].flatMap { $0.isEmpty ? nil : $0 }
            sentinel = RedisSentinelConfiguration(sentinels: url.hosts, masterName: masterName, password: password)
        }
    }

    /// Reads the URL from `REDIS_URL` in `environment`, or uses `redis://127.0.0.1:6379` when the
    /// variable is unset or empty; see ``init(url:environment:)-(String,_)``.
    ///
    /// - Parameter environment: The variables to read; defaults to the process environment.
    /// - Throws: ``RedisError`` with code ``RedisError/Code/invalidURL`` when `REDIS_URL` cannot
    ///   be parsed; the message starts with `REDIS_URL:`.
    public init(environment: [String: String] = RedisConfiguration.processEnvironment) throws(RedisError) {
        let url = environment[Self.urlEnvironmentVariable] ?? ""
        if url.isEmpty {
            try self.init(url: Self.defaultURL, environment: environment)
            return
        }
        do {
            try self.init(url: url, environment: environment)
        } catch {
            throw RedisError(error.code, "\(Self.urlEnvironmentVariable): \(error.message)")
        }
    }

    /// The settings `url` gives one node at `endpoint`: its user info, database and query
    /// items, applied and checked, with the password from `environment` when the URL has none.
    init(node url: RedisURL, endpoint: Endpoint, environment: [String: String]) throws(RedisError) {
        var configuration = RedisConfiguration(endpoint: endpoint)
        configuration.username = url.username
        configuration.password = url.password
        configuration.database = url.database ?? 0
        var tls: RedisTLSConfiguration? = url.scheme.usesTLS ? RedisTLSConfiguration() : nil

        for item in url.queryItems {
            let (key, value) = (item.name, item.value)
            if RedisURLParser.tlsQueryItems.contains(key), tls == nil {
                throw Self.failure("'\(key)' only applies to rediss:// URLs")
            }
            switch key {
            case "db":
                let database = try RedisURLParser.parseDatabase(value)
                if let pathDatabase = url.database, pathDatabase != database {
                    throw Self.failure(
                        "database given twice: path '/\(url.databaseText)' and query item db=\(value) "
                            + "disagree; give it once")
                }
                configuration.database = database
            case "user":
                if let username = url.username, username != value {
                    throw Self.failure(
                        "user name given twice: '\(username)' before '@' and '\(value)' in query item 'user' "
                            + "disagree; give it once")
                }
                configuration.username = value
            case "password":
                if let password = url.password, password != value {
                    throw Self.failure(
                        "password given twice, before '@' and in query item 'password', with different values; "
                            + "give it once")
                }
                configuration.password = value
            case "name":
                guard value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                    throw Self.failure(
                        "client name '\(value)' must be printable ASCII without spaces or newlines "
                            + "(Redis rejects others in CLIENT SETNAME)")
                }
                configuration.clientName = value
            case "protocol":
                switch value {
                case "3": configuration.protocolPreference = .resp3WithFallback
                case "2": configuration.protocolPreference = .resp2
                default: throw Self.failure("protocol '\(value)' is not supported: use protocol=2 or protocol=3")
                }
            case "proxy":
                guard let proxy = RedisProxyKind(rawValue: value) else {
                    let known = RedisProxyKind.allCases.map(\.rawValue).joined(separator: ", ")
                    throw Self.failure("proxy '\(value)' is not supported: use proxy= one of \(known), or leave it out to detect it")
                }
                configuration.proxy = proxy
            case "timeout":
                configuration.commandTimeout = try Self.parseTimeout(value, key: key)
            case "connect_timeout":
                configuration.connectTimeout = try Self.parseTimeout(value, key: key)
            case "ca":
                tls?.caFile = value
            case "cert":
                tls?.certificateFile = value
            case "key":
                tls?.keyFile = value
            case "verify":
                switch value {
                case "full": tls?.verifyPeer = true
                case "none": tls?.verifyPeer = false
                default: throw Self.failure("verify '\(value)' is not supported: use verify=full or verify=none")
                }
            case "sni":
                tls?.serverName = value
            default:
                break  // the parser admits only known keys.
            }
        }
        if let tls {
            if tls.certificateFile != nil, tls.keyFile == nil {
                throw Self.failure("'cert' needs a matching 'key' query item: give both or neither")
            }
            if tls.keyFile != nil, tls.certificateFile == nil {
                throw Self.failure("'key' needs a matching 'cert' query item: give both or neither")
            }
        }
        configuration.tls = tls

        if configuration.password == nil {
            for name in RedisConfiguration.passwordEnvironmentVariables {
                if let value = environment[name], !value.isEmpty {
                    configuration.password = value
                    break
                }
            }
        }
        self = configuration
    }

    private static func parseTimeout(_ text: String, key: String) throws(RedisError) -> Duration {
        let duration: Duration
        do {
            duration = try Duration(parsing: text)
        } catch {
            throw failure("query item '\(key)': \(error.message)")
        }
        if duration == .zero {
            throw failure("query item '\(key)': \(key) '\(text)' must be greater than zero, e.g. 500ms or 5s")
        }
        return duration
    }

    private static func failure(_ message: String) -> RedisError { RedisError(.invalidURL, message) }
}
