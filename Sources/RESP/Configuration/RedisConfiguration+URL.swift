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
        self = try RedisURLParser.parse(url, environment: environment)
    }

    /// Reads the URL from `REDIS_URL` in `environment`, or uses `redis://127.0.0.1:6379` when the
    /// variable is unset or empty; see ``init(url:environment:)``.
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

    /// The configuration as a URL without the password, for display and logging:
    /// e.g. `redis://ops@127.0.0.1:6379/2`.
    ///
    /// The port is always present; the database only when it is not 0. Settings that differ from
    /// the defaults (client name, protocol, timeouts, TLS files and options) follow as query
    /// items, so ``init(url:environment:)`` reads the result back into the same configuration,
    /// minus the password.
    public var redactedURL: String {
        let defaults = RedisConfiguration(endpoint: endpoint)
        var url: String
        var query: [(String, String)] = []
        switch endpoint {
        case .tcp where sentinel != nil:
            url = tls == nil ? "redis+sentinel://" : "rediss+sentinel://"
            if let username { url += RedisURLParser.percentEncode(username) + "@" }
            url += (sentinel?.sentinels ?? []).map(\.description).joined(separator: ",")
            url += "/" + RedisURLParser.percentEncode(sentinel?.masterName ?? "")
            if database != 0 { url += "/\(database)" }
        case .tcp(let host, let port):
            url = tls == nil ? "redis://" : "rediss://"
            if let username { url += RedisURLParser.percentEncode(username) + "@" }
            if host.contains(":") {
                url += "[" + host.replacingPercent() + "]"
            } else {
                url += host.replacingPercent()
            }
            url += ":\(port)"
            if database != 0 { url += "/\(database)" }
        case .unixSocket(let path):
            url = "unix://" + RedisURLParser.percentEncode(path, keeping: "/")
            if database != 0 { query.append(("db", "\(database)")) }
            if let username { query.append(("user", username)) }
        }
        if let clientName { query.append(("name", clientName)) }
        if protocolPreference != defaults.protocolPreference {
            query.append(("protocol", protocolPreference == .resp2 ? "2" : "3"))
        }
        if let proxy { query.append(("proxy", proxy.rawValue)) }
        if commandTimeout != defaults.commandTimeout {
            query.append(("timeout", commandTimeout.parsableDescription))
        }
        if connectTimeout != defaults.connectTimeout {
            query.append(("connect_timeout", connectTimeout.parsableDescription))
        }
        if let tls {
            if let caFile = tls.caFile { query.append(("ca", caFile)) }
            if let certificateFile = tls.certificateFile { query.append(("cert", certificateFile)) }
            if let keyFile = tls.keyFile { query.append(("key", keyFile)) }
            if !tls.verifyPeer { query.append(("verify", "none")) }
            if let serverName = tls.serverName { query.append(("sni", serverName)) }
        }
        if !query.isEmpty {
            url += "?" + query.map { "\($0.0)=\(RedisURLParser.percentEncode($0.1, keeping: "/"))" }
                .joined(separator: "&")
        }
        return url
    }
}

extension String {
    /// The string with every `%` written as `%25`, for hosts (IPv6 zone ids) in a URL.
    fileprivate func replacingPercent() -> String {
        var result = ""
        for character in self { result += character == "%" ? "%25" : String(character) }
        return result
    }
}

/// The hand-written parser behind ``RedisConfiguration/init(url:environment:)``.
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

    private static let expectedForms =
        "expected redis://[user[:password]@]host[:port][/db], rediss://… or unix:///path/to/socket"

    private static func failure(_ message: String) -> RedisError { RedisError(.invalidURL, message) }

    private static func string(_ bytes: Bytes) -> String { String(decoding: bytes, as: UTF8.self) }

    private static func ascii(_ character: Unicode.Scalar) -> UInt8 { UInt8(character.value) }

    /// Parses `url` into a configuration; see ``RedisConfiguration/init(url:environment:)``.
    static func parse(_ url: String, environment: [String: String]) throws(RedisError) -> RedisConfiguration {
        if url.isEmpty { throw failure("Redis URL is empty: \(expectedForms)") }
        if SentinelURLParser.handles(url) { return try SentinelURLParser.parse(url, environment: environment) }
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
        let scheme = string(bytes[..<colon]).lowercased()
        var rest = bytes[(colon + 1)...]
        guard ["redis", "rediss", "unix"].contains(scheme) else {
            var hint = ""
            if !rest.isEmpty, rest.allSatisfy(isDigit) {
                hint = " (for a host and port, write redis://\(string(bytes[..<colon])):\(string(rest)))"
            }
            throw failure(
                "unsupported scheme '\(string(bytes[..<colon]))' in Redis URL: use redis://, rediss://, unix:// or redis+sentinel://"
                    + hint)
        }
        guard rest.starts(with: "//".utf8) else {
            if scheme == "unix" {
                throw failure("expected 'unix://' followed by an absolute path, e.g. unix:///var/run/redis.sock")
            }
            throw failure("expected '//' after '\(scheme):', e.g. \(scheme)://127.0.0.1:6379")
        }
        rest = rest.dropFirst(2)

        // Query.
        var query: Bytes?
        if let questionMark = rest.firstIndex(of: ascii("?")) {
            query = rest[(questionMark + 1)...]
            rest = rest[..<questionMark]
        }

        var parts = Parts()
        if scheme == "unix" {
            try parseUnix(rest, into: &parts)
        } else {
            try parseTCP(rest, hasLaterAt: query?.contains(ascii("@")) ?? false, into: &parts)
        }
        let items = try parseQuery(query ?? [], hidingKeysWithAt: parts.authorityLacksAt)
        return try makeConfiguration(scheme: scheme, parts: parts, items: items, environment: environment)
    }

    /// What the scheme-specific part yields before query items are applied.
    private struct Parts {
        var endpoint = RedisConfiguration.Endpoint.tcp(host: "127.0.0.1", port: 6379)
        var username: String?
        var password: String?
        var pathDatabase: Int?
        var pathDatabaseText = ""
        var authorityLacksAt = false
    }

    // MARK: - unix://

    private static func parseUnix(_ pathBytes: Bytes, into parts: inout Parts) throws(RedisError) {
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
        parts.endpoint = .unixSocket(path: path)
    }

    // MARK: - redis:// and rediss://

    private static func parseTCP(_ main: Bytes, hasLaterAt queryHasAt: Bool, into parts: inout Parts) throws(RedisError) {
        var authority = main
        var path: Bytes = []
        if let slash = main.firstIndex(of: ascii("/")) {
            authority = main[..<slash]
            path = main[slash...]
        }

        // User info ends at the last '@', so an unencoded '@' in the password still works.
        var hostPort = authority
        if let at = authority.lastIndex(of: ascii("@")) {
            let userInfo = authority[..<at]
            hostPort = authority[(at + 1)...]
            let user: Bytes
            var password: Bytes = []
            if let colon = userInfo.firstIndex(of: ascii(":")) {
                user = userInfo[..<colon]
                password = userInfo[(colon + 1)...]
            } else {
                user = userInfo
            }
            if !user.isEmpty { parts.username = try percentDecode(user, part: "user name") }
            if !password.isEmpty { parts.password = try percentDecode(password, part: "password") }
        } else {
            parts.authorityLacksAt = true
        }
        // A '@' after the host means the user info contains an unencoded '/' or '?', so the
        // pieces around the host may be parts of a password: never quote them.
        let suspicious = parts.authorityLacksAt && (path.contains(ascii("@")) || queryHasAt)
        if parts.authorityLacksAt, path.contains(ascii("@")) {
            throw failure(
                "'@' found after the host: percent-encode '/', '?' and '#' in the user name or password "
                    + "(%2F, %3F, %23)")
        }

        let (host, port) = try parseHostPort(hostPort, quotePort: !suspicious)
        parts.endpoint = .tcp(host: host, port: port)

        // Path: nothing, "/" or "/N".
        if path.count > 1 {
            let text = string(path.dropFirst())
            parts.pathDatabase = try parseDatabase(text)
            parts.pathDatabaseText = text
        }
    }

    private static func parseHostPort(_ hostPort: Bytes, quotePort: Bool) throws(RedisError) -> (String, Int) {
        let emptyHost = failure("host is empty: expected redis://host[:port], e.g. redis://127.0.0.1:6379")
        if hostPort.isEmpty { throw emptyHost }

        let host: String
        var portBytes: Bytes?
        if hostPort.first == ascii("[") {
            guard let close = hostPort.firstIndex(of: ascii("]")) else {
                throw failure("unclosed '[' in IPv6 host: expected redis://[address]:port, e.g. redis://[::1]:6379")
            }
            let inside = hostPort[(hostPort.startIndex + 1)..<close]
            host = try parseIPv6(inside)
            let after = hostPort[(close + 1)...]
            if !after.isEmpty {
                guard after.first == ascii(":") else {
                    throw failure("unexpected text after ']' in IPv6 host '\(string(hostPort[...close]))': expected ':port'")
                }
                portBytes = after.dropFirst()
            }
        } else {
            let colons = hostPort.count(where: { $0 == ascii(":") })
            if colons > 1 {
                throw failure(
                    "IPv6 host '\(string(hostPort))' must be in brackets, e.g. redis://[::1]:6379")
            }
            var hostBytes = hostPort
            if let colon = hostPort.firstIndex(of: ascii(":")) {
                hostBytes = hostPort[..<colon]
                portBytes = hostPort[(colon + 1)...]
            }
            if hostBytes.isEmpty { throw emptyHost }
            host = try parseHostName(hostBytes)
        }

        guard let portBytes else { return (host, 6379) }
        if portBytes.isEmpty {
            throw failure("port is empty after ':': expected a number 1-65535, or leave out the ':' for 6379")
        }
        let portText = quotePort ? "port '\(string(portBytes))'" : "port"
        guard portBytes.allSatisfy(isDigit) else {
            throw failure("\(portText) is not a number 1-65535"
                + (quotePort ? "" : " (percent-encode '/', '?' and '#' in the user name or password)"))
        }
        guard portBytes.count <= 5, let port = Int(string(portBytes)), (1...65535).contains(port) else {
            throw failure("\(portText) is out of range 1-65535")
        }
        return (host, port)
    }

    private static func parseHostName(_ bytes: Bytes) throws(RedisError) -> String {
        let host = string(bytes)
        let expected = "expected a host name, an IPv4 address or an IPv6 address in brackets"
        if let bad = bytes.first(where: { !(isAlphanumeric($0) || $0 == ascii("-") || $0 == ascii(".") || $0 == ascii("_")) }) {
            let shown = bad < 0x80 ? "'\(Character(Unicode.Scalar(bad)))'" : "a non-ASCII character"
            throw failure("host '\(host)' contains \(shown): \(expected)")
        }
        if bytes.allSatisfy({ isDigit($0) || $0 == ascii(".") }), !isIPv4(bytes) {
            throw failure("host '\(host)' is not a valid IPv4 address: expected four numbers 0-255 like 10.0.0.1")
        }
        return host
    }

    /// Validates the text between `[` and `]` and returns the address with a zone id decoded
    /// (`fe80::1%25eth0` becomes `fe80::1%eth0`).
    private static func parseIPv6(_ inside: Bytes) throws(RedisError) -> String {
        let shown = "[\(string(inside))]"
        if inside.isEmpty { throw failure("IPv6 host '[]' is empty: expected an address such as [::1]") }
        var address = inside
        var zone: Bytes?
        if let percent = inside.firstIndex(of: ascii("%")) {
            address = inside[..<percent]
            let rest = inside[(percent + 1)...]
            guard rest.starts(with: "25".utf8), rest.count > 2,
                  rest.dropFirst(2).allSatisfy({ isAlphanumeric($0) || $0 == ascii("-") || $0 == ascii(".") || $0 == ascii("_") })
            else {
                throw failure("IPv6 zone in host '\(shown)' is malformed: expected [address%25zone], e.g. [fe80::1%25eth0]")
            }
            zone = rest.dropFirst(2)
        }
        guard isIPv6(address) else {
            throw failure("IPv6 host '\(shown)' is not a valid IPv6 address: expected e.g. [::1] or [2001:db8::5]")
        }
        if let zone { return string(address) + "%" + string(zone) }
        return string(address)
    }

    // MARK: - Query

    private static func parseQuery(_ query: Bytes, hidingKeysWithAt: Bool) throws(RedisError) -> [(key: String, value: String)] {
        var items: [(key: String, value: String)] = []
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
            if items.contains(where: { $0.key == key }) {
                throw failure("query item '\(key)' appears more than once: give it once")
            }
            let rawValue = item[(equals + 1)...]
            if rawValue.isEmpty { throw failure("query item '\(key)' is empty: give a value or leave it out") }
            items.append((key, try percentDecode(rawValue, part: "query item '\(key)'")))
        }
        return items
    }

    // MARK: - Assembly

    private static func makeConfiguration(
        scheme: String, parts: Parts, items: [(key: String, value: String)], environment: [String: String]
    ) throws(RedisError) -> RedisConfiguration {
        var configuration = RedisConfiguration(endpoint: parts.endpoint)
        configuration.username = parts.username
        configuration.password = parts.password
        configuration.database = parts.pathDatabase ?? 0
        var tls: RedisTLSConfiguration? = scheme == "rediss" ? RedisTLSConfiguration() : nil

        for (key, value) in items {
            if tlsQueryItems.contains(key), tls == nil {
                throw failure("'\(key)' only applies to rediss:// URLs")
            }
            switch key {
            case "db":
                let database = try parseDatabase(value)
                if let pathDatabase = parts.pathDatabase, pathDatabase != database {
                    throw failure(
                        "database given twice: path '/\(parts.pathDatabaseText)' and query item db=\(value) "
                            + "disagree; give it once")
                }
                configuration.database = database
            case "user":
                if let username = parts.username, username != value {
                    throw failure(
                        "user name given twice: '\(username)' before '@' and '\(value)' in query item 'user' "
                            + "disagree; give it once")
                }
                configuration.username = value
            case "password":
                if let password = parts.password, password != value {
                    throw failure(
                        "password given twice, before '@' and in query item 'password', with different values; "
                            + "give it once")
                }
                configuration.password = value
            case "name":
                guard value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                    throw failure(
                        "client name '\(value)' must be printable ASCII without spaces or newlines "
                            + "(Redis rejects others in CLIENT SETNAME)")
                }
                configuration.clientName = value
            case "protocol":
                switch value {
                case "3": configuration.protocolPreference = .resp3WithFallback
                case "2": configuration.protocolPreference = .resp2
                default: throw failure("protocol '\(value)' is not supported: use protocol=2 or protocol=3")
                }
            case "proxy":
                guard let proxy = RedisProxyKind(rawValue: value) else {
                    let known = RedisProxyKind.allCases.map(\.rawValue).joined(separator: ", ")
                    throw failure("proxy '\(value)' is not supported: use proxy= one of \(known), or leave it out to detect it")
                }
                configuration.proxy = proxy
            case "timeout":
                configuration.commandTimeout = try parseTimeout(value, key: key)
            case "connect_timeout":
                configuration.connectTimeout = try parseTimeout(value, key: key)
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
                default: throw failure("verify '\(value)' is not supported: use verify=full or verify=none")
                }
            case "sni":
                tls?.serverName = value
            default:
                break  // parseQuery admits only known keys.
            }
        }
        if let tls {
            if tls.certificateFile != nil, tls.keyFile == nil {
                throw failure("'cert' needs a matching 'key' query item: give both or neither")
            }
            if tls.keyFile != nil, tls.certificateFile == nil {
                throw failure("'key' needs a matching 'cert' query item: give both or neither")
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
        return configuration
    }

    private static func parseDatabase(_ text: String) throws(RedisError) -> Int {
        guard !text.isEmpty, text.utf8.allSatisfy(isDigit) else {
            throw failure("database '\(text)' is not a non-negative integer: expected e.g. /2 or db=2")
        }
        guard text.utf8.count <= 7, let database = Int(text), database <= maxDatabase else {
            throw failure("database '\(text)' is out of range 0-\(maxDatabase)")
        }
        return database
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

    // MARK: - Characters

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }

    /// RFC 3986: `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`.
    private static func isScheme(_ bytes: Bytes) -> Bool {
        guard let first = bytes.first, isAlphanumeric(first), !isDigit(first) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == ascii("+") || $0 == ascii("-") || $0 == ascii(".") }
    }

    private static func isIPv4(_ bytes: Bytes) -> Bool {
        let octets = bytes.split(separator: ascii("."), omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { octet in
            guard (1...3).contains(octet.count), octet.allSatisfy(isDigit),
                  octet.count == 1 || octet.first != ascii("0"),
                  let value = Int(string(octet))
            else { return false }
            return value <= 255
        }
    }

    private static func isIPv6(_ bytes: Bytes) -> Bool {
        // Split at "::" (at most once), then check the groups on either side.
        var head = bytes
        var tail: Bytes?
        var index = bytes.startIndex
        while index + 1 < bytes.endIndex {
            if bytes[index] == ascii(":"), bytes[index + 1] == ascii(":") {
                if tail != nil { return false }
                head = bytes[..<index]
                tail = bytes[(index + 2)...]
                index += 2
            } else {
                index += 1
            }
        }
        if let tail, tail.first == ascii(":") { return false }  // ":::"

        func groups(_ part: Bytes, isLast: Bool) -> Int? {
            if part.isEmpty { return 0 }
            let pieces = part.split(separator: ascii(":"), omittingEmptySubsequences: false)
            var count = 0
            for (offset, piece) in pieces.enumerated() {
                if isLast, offset == pieces.count - 1, piece.contains(ascii(".")) {
                    guard isIPv4(piece) else { return nil }
                    count += 2
                } else {
                    guard (1...4).contains(piece.count), piece.allSatisfy({ hexValue($0) != nil }) else { return nil }
                    count += 1
                }
            }
            return count
        }

        if let tail {
            guard let headCount = groups(head, isLast: false), let tailCount = groups(tail, isLast: true) else {
                return false
            }
            return headCount + tailCount <= 7
        }
        return groups(head, isLast: true) == 8
    }

    // MARK: - Percent encoding

    /// Decodes `%XX` escapes; `part` names the URL part for the error message, which never
    /// quotes the text itself (it may be a password).
    static func percentDecode(_ bytes: Bytes, part: String) throws(RedisError) -> String {
        guard bytes.contains(ascii("%")) else { return string(bytes) }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == ascii("%") {
                guard index + 2 < bytes.endIndex,
                      let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
                else {
                    throw failure(
                        "malformed percent escape in the \(part): expected '%' followed by two hex digits "
                            + "(write '%' itself as %25)")
                }
                decoded.append(high << 4 | low)
                index += 3
            } else {
                decoded.append(bytes[index])
                index += 1
            }
        }
        guard let text = String(validating: decoded, as: UTF8.self) else {
            throw failure("the \(part) is not valid UTF-8 after percent-decoding")
        }
        return text
    }

    /// Percent-encodes everything except RFC 3986 unreserved characters and `keeping`.
    static func percentEncode(_ text: String, keeping: Unicode.Scalar? = nil) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var encoded: [UInt8] = []
        for byte in text.utf8 {
            if isAlphanumeric(byte) || byte == ascii("-") || byte == ascii(".") || byte == ascii("_")
                || byte == ascii("~") || (keeping.map { byte == ascii($0) } ?? false) {
                encoded.append(byte)
            } else {
                encoded += [ascii("%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }
}
