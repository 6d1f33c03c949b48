/// Parses `redis+sentinel://` and `rediss+sentinel://` URLs:
/// `redis+sentinel://[user[:password]@]host1[:port1][,host2[:port2]…]/MASTER[/db][?query]`.
///
/// The user, password, database and query items are the master's, exactly as in a `redis://`
/// URL; ports default to Sentinel's 26379. The Sentinels' own password comes from
/// `REDIS_SENTINEL_PASSWORD`, never from the URL.
enum SentinelURLParser {
    /// The schemes this parser handles, lowercased.
    static let schemes = ["redis+sentinel", "rediss+sentinel"]

    static let expectedForm = "redis+sentinel://[user[:password]@]host[:port][,host[:port]…]/MASTER[/db][?query]"

    /// Whether `url` starts with a Sentinel scheme (case-insensitive).
    static func handles(_ url: String) -> Bool {
        guard let separator = url.range(of: "://") else { return false }
        return schemes.contains(url[..<separator.lowerBound].lowercased())
    }

    static func parse(_ url: String, environment: [String: String]) throws(RedisError) -> RedisConfiguration {
        guard let separator = url.range(of: "://") else { throw failure("expected \(expectedForm)") }
        let tls = url[..<separator.lowerBound].lowercased().hasPrefix("rediss")
        var rest = url[separator.upperBound...]
        var query = ""
        if let questionMark = rest.firstIndex(of: "?") {
            query = String(rest[questionMark...])
            rest = rest[..<questionMark]
        }
        guard let slash = rest.firstIndex(of: "/") else {
            throw failure("Sentinel URL has no master name: \(expectedForm)")
        }
        let authority = rest[..<slash]
        let path = rest[rest.index(after: slash)...].split(separator: "/", omittingEmptySubsequences: false)
        guard let rawName = path.first, !rawName.isEmpty else {
            throw failure("Sentinel URL has an empty master name: \(expectedForm)")
        }
        guard path.count <= 2 else { throw failure("Sentinel URL path must be /MASTER or /MASTER/db: \(expectedForm)") }
        let database = path.count == 2 ? "/" + path[1] : ""

        var userInfo = ""
        var hosts = authority[...]
        if let at = authority.lastIndex(of: "@") {
            userInfo = String(authority[...at])
            hosts = authority[authority.index(after: at)...]
        }
        let hostList = hosts.split(separator: ",", omittingEmptySubsequences: false)
        guard !hostList.isEmpty, hostList.allSatisfy({ !$0.isEmpty }) else {
            throw failure("Sentinel URL needs at least one Sentinel host, separated by commas: \(expectedForm)")
        }
        let scheme = tls ? "rediss" : "redis"
        // The master's settings: the URL as if it named the first Sentinel directly.
        var configuration = try RedisURLParser.parse(
            "\(scheme)://\(userInfo)\(withDefaultPort(hostList[0]))\(database)\(query)", environment: environment)
        var sentinels: [RedisConfiguration.Endpoint] = []
        for host in hostList {
            sentinels.append(try RedisURLParser.parse("redis://\(withDefaultPort(host))", environment: [:]).endpoint)
        }
        let masterName = try RedisURLParser.percentDecode(Array(rawName.utf8)[...], part: "master name")
        guard !masterName.isEmpty, masterName.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7F })
        else { throw failure("Sentinel URL has an invalid master name: use letters, digits and punctuation, percent-encoded if needed") }
        configuration.endpoint = sentinels[0]
        let password = environment[RedisSentinelConfiguration.passwordEnvironmentVariable].flatMap { $0.isEmpty ? nil : $0 }
        configuration.sentinel = RedisSentinelConfiguration(sentinels: sentinels, masterName: masterName, password: password)
        return configuration
    }

    /// `host` with Sentinel's default port 26379 when it names none.
    private static func withDefaultPort(_ host: Substring) -> String {
        if host.hasPrefix("[") { return host.hasSuffix("]") ? "\(host):26379" : String(host) }
        return host.contains(":") ? String(host) : "\(host):26379"
    }

    private static func failure(_ message: String) -> RedisError { RedisError(.invalidURL, message) }
}
