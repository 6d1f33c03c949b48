/// The hand-written parser behind ``RedisURL/init(parsing:)``: the one place that splits a
/// Redis URL into scheme, user info, hosts, path and query.
///
/// It works on the URL's UTF-8 bytes and splits only at ASCII delimiters, so every piece is valid
/// UTF-8 again. Error messages quote the offending part but never the password.
enum RedisURLParser {
    typealias Bytes = ArraySlice<UInt8>

    /// The query items every form accepts, in the order error messages list them.
    static let commonQueryItems = ["db", "user", "password", "name", "protocol", "proxy", "timeout", "connect_timeout"]
    /// The query items only `rediss://` accepts.
    static let tlsQueryItems = ["ca", "cert", "key", "verify", "sni"]
    /// The largest database number accepted.
    static let maxDatabase = 1_000_000
    /// Sentinel's default port.
    static let sentinelPort = 26379

    private static let expectedForms =
        "expected redis://[user[:password]@]host[:port][/db], rediss://… or unix:///path/to/socket"

    static let expectedSentinelForm = "redis+sentinel://[user[:password]@]host[:port][,host[:port]…]/MASTER[/db][?query]"

    static func failure(_ message: String) -> RedisError { RedisError(.invalidURL, message) }

    static func string(_ bytes: Bytes) -> String { String(decoding: bytes, as: UTF8.self) }

    static func ascii(_ character: Unicode.Scalar) -> UInt8 { UInt8(character.value) }

    /// Parses `url`; see ``RedisURL/init(parsing:)``.
    static func parse(_ url: String) throws(RedisError) -> RedisURL {
        if url.isEmpty { throw failure("Redis URL is empty: \(expectedForms)") }
        let bytes = Array(url.utf8)[...]

        if let index = bytes.firstIndex(where: { $0 <= 0x20 || $0 == 0x7F }) {
            throw failure(
                "Redis URL contains a space or control character at offset \(index): remove surrounding "
                    + "whitespace and percent-encode spaces as %20")
        }
        if bytes.contains(ascii("#")) {
            throw failure(
                "Redis URL must not contain '#' (fragments are not supported): percent-encode a '#' in "
                    + "the user name or password as %23")
        }

        // Scheme.
        guard let colon = bytes.firstIndex(of: ascii(":")), colon > bytes.startIndex,
              isScheme(bytes[..<colon])
        else { throw failure("Redis URL has no scheme: \(expectedForms)") }
        var rest = bytes[(colon + 1)...]
        guard let scheme = RedisURL.Scheme(rawValue: string(bytes[..<colon]).lowercased()) else {
            var hint = ""
            if !rest.isEmpty, rest.allSatisfy(isDigit) {
                hint = " (for a host and port, write redis://\(string(bytes[..<colon])):\(string(rest)))"
            }
            throw failure(
                "unsupported scheme '\(string(bytes[..<colon]))' in Redis URL: use redis://, rediss://, unix:// or redis+sentinel://"
                    + hint)
        }
        guard rest.starts(with: "//".utf8) else {
            if scheme == .unix {
                throw failure("expected 'unix://' followed by an absolute path, e.g. unix:///var/run/redis.sock")
            }
            throw failure("expected '//' after '\(scheme.rawValue):', e.g. \(scheme.rawValue)://127.0.0.1:6379")
        }
        rest = rest.dropFirst(2)

        // Query.
        var query: Bytes = []
        if let questionMark = rest.firstIndex(of: ascii("?")) {
            query = rest[(questionMark + 1)...]
            rest = rest[..<questionMark]
        }

        var parsed: RedisURL
        switch scheme {
        case .unix:
            parsed = RedisURL(scheme: scheme, hosts: [try parseUnix(rest)], queryItems: [])
        case .redis, .rediss, .redisSentinel, .redissSentinel:
            parsed = try parseNetwork(rest, scheme: scheme, hasLaterAt: query.contains(ascii("@")))
        }
        parsed.queryItems = try parseQuery(query, hidingKeysWithAt: parsed.authorityLacksAt)
        return parsed
    }

    // MARK: - unix://

    private static func parseUnix(_ pathBytes: Bytes) throws(RedisError) -> RedisConfiguration.Endpoint {
        if pathBytes.isEmpty { throw failure("unix socket path is empty: expected unix:///path/to/socket") }
        if pathBytes.first != ascii("/") {
            if pathBytes.contains(ascii("@")) {
                throw failure(
                    "unix socket URLs take credentials as query items: "
                        + "expected unix:///path/to/socket?user=U&password=P")
            }
            throw failure(
                "unix socket path must be absolute: '\(string(pathBytes))' (expected unix:///path/to/socket)")
        }
        let path = try percentDecode(pathBytes, part: "unix socket path")
        if path.utf8.contains(0) { throw failure("unix socket path must not contain %00") }
        if path.hasSuffix("/") {
            throw failure("unix socket path '\(path)' ends in '/': expected the socket file, e.g. unix:///var/run/redis.sock")
        }
        return .unixSocket(path: path)
    }

    // MARK: - redis://, rediss:// and their Sentinel forms

    /// Parses what follows `scheme://` up to the query: user info, the host list and the path
    /// (`/db`, or `/MASTER[/db]` for Sentinels).
    private static func parseNetwork(_ main: Bytes, scheme: RedisURL.Scheme, hasLaterAt queryHasAt: Bool) throws(RedisError) -> RedisURL {
        var authority = main
        var path: Bytes = []
        if let slash = main.firstIndex(of: ascii("/")) {
            authority = main[..<slash]
            path = main[slash...]
        }
        var parsed = RedisURL(scheme: scheme, hosts: [], queryItems: [])
        var databaseText: Bytes = path.dropFirst()
        if scheme.isSentinel {
            guard !path.isEmpty else { throw failure("Sentinel URL has no master name: \(expectedSentinelForm)") }
            let segments = path.dropFirst().split(separator: ascii("/"), omittingEmptySubsequences: false)
            guard let rawName = segments.first, !rawName.isEmpty else {
                throw failure("Sentinel URL has an empty master name: \(expectedSentinelForm)")
            }
            guard segments.count <= 2 else { throw failure("Sentinel URL path must be /MASTER or /MASTER/db: \(expectedSentinelForm)") }
            databaseText = segments.count == 2 ? segments[1] : []
            parsed.masterName = try percentDecode(rawName, part: "master name")
        }

        // User info ends at the last '@', so an unencoded '@' in the password still works.
        var hostList = authority
        if let at = authority.lastIndex(of: ascii("@")) {
            let userInfo = authority[..<at]
            hostList = authority[(at + 1)...]
            let user: Bytes
            var password: Bytes = []
            if let colon = userInfo.firstIndex(of: ascii(":")) {
                user = userInfo[..<colon]
                password = userInfo[(colon + 1)...]
            } else {
                user = userInfo
            }
            if !user.isEmpty { parsed.username = try percentDecode(user, part: "user name") }
            if !password.isEmpty { parsed.password = try percentDecode(password, part: "password") }
        } else {
            parsed.authorityLacksAt = true
        }
        // A '@' after the host means the user info contains an unencoded '/' or '?', so the
        // pieces around the host may be parts of a password: never quote them.
        let laterAt = scheme.isSentinel ? databaseText.contains(ascii("@")) : path.contains(ascii("@"))
        let suspicious = parsed.authorityLacksAt && (laterAt || queryHasAt)
        if parsed.authorityLacksAt, laterAt {
            throw failure(
                "'@' found after the host: percent-encode '/', '?' and '#' in the user name or password "
                    + "(%2F, %3F, %23)")
        }
        parsed.hosts = try parseHostList(hostList, scheme: scheme, quotePort: !suspicious)

        // The database: nothing, "/" or "/N" (Sentinels: "/MASTER/N").
        if !databaseText.isEmpty {
            let text = string(databaseText)
            parsed.database = try parseDatabase(text)
            parsed.databaseText = text
        }
        if let masterName = parsed.masterName, masterName.isEmpty || !masterName.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7F }) {
            throw failure("Sentinel URL has an invalid master name: use letters, digits and punctuation, percent-encoded if needed")
        }
        return parsed
    }

    static func parseDatabase(_ text: String) throws(RedisError) -> Int {
        guard !text.isEmpty, text.utf8.allSatisfy(isDigit) else {
            throw failure("database '\(text)' is not a non-negative integer: expected e.g. /2 or db=2")
        }
        guard text.utf8.count <= 7, let database = Int(text), database <= maxDatabase else {
            throw failure("database '\(text)' is out of range 0-\(maxDatabase)")
        }
        return database
    }

    // MARK: - Query

    private static func parseQuery(_ query: Bytes, hidingKeysWithAt: Bool) throws(RedisError) -> [RedisURL.QueryItem] {
        var items: [RedisURL.QueryItem] = []
        for item in query.split(separator: ascii("&"), omittingEmptySubsequences: true) {
            guard let equals = item.firstIndex(of: ascii("=")) else {
                if hidingKeysWithAt, item.contains(ascii("@")) {
                    throw failure("query item has no '=': percent-encode '?' in the user name or password as %3F")
                }
                throw failure("query item '\(string(item))' has no value: expected key=value")
            }
            let key = string(item[..<equals])
            guard commonQueryItems.contains(key) || tlsQueryItems.contains(key) else {
                let known = (commonQueryItems + tlsQueryItems).joined(separator: ", ")
                throw failure("unknown query item '\(key)': known items are \(known)")
            }
            if items.contains(where: { $0.name == key }) {
                throw failure("query item '\(key)' appears more than once: give it once")
            }
            let rawValue = item[(equals + 1)...]
            if rawValue.isEmpty { throw failure("query item '\(key)' is empty: give a value or leave it out") }
            items.append(RedisURL.QueryItem(name: key, value: try percentDecode(rawValue, part: "query item '\(key)'")))
        }
        return items
    }
}
