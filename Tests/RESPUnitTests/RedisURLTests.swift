@testable import RESP
import Testing

@Suite("RedisURLTests")
struct RedisURLTests {
    /// An empty environment, so tests never see the machine's REDIS_PASSWORD.
    static let noEnvironment: [String: String] = [:]

    private func parse(_ url: String, _ environment: [String: String] = noEnvironment) throws -> RedisConfiguration {
        try RedisConfiguration(url: url, environment: environment)
    }

    /// Parses `url`, expecting an `.invalidURL` error, and returns its message.
    private func failure(_ url: String, _ environment: [String: String] = noEnvironment,
                         sourceLocation: SourceLocation = #_sourceLocation) -> String {
        do {
            let configuration = try RedisConfiguration(url: url, environment: environment)
            Issue.record("expected an error for \(url), got \(configuration)", sourceLocation: sourceLocation)
            return ""
        } catch {
            #expect(error.code == .invalidURL, sourceLocation: sourceLocation)
            return error.message
        }
    }

    // MARK: - Valid forms

    struct ValidCase: Sendable, CustomTestStringConvertible {
        var url: String
        var endpoint: RedisConfiguration.Endpoint
        var username: String? = nil
        var password: String? = nil
        var database = 0
        var tls = false
        var testDescription: String { url }
    }

    static let validCases: [ValidCase] = [
        .init(url: "redis://localhost", endpoint: .tcp(host: "localhost", port: 6379)),
        .init(url: "redis://localhost:6380", endpoint: .tcp(host: "localhost", port: 6380)),
        .init(url: "redis://127.0.0.1:6379/", endpoint: .tcp(host: "127.0.0.1", port: 6379)),
        .init(url: "redis://127.0.0.1:6379/0", endpoint: .tcp(host: "127.0.0.1", port: 6379)),
        .init(url: "redis://10.0.0.5:1/15", endpoint: .tcp(host: "10.0.0.5", port: 1), database: 15),
        .init(url: "redis://cache.example.com:65535/1000000", endpoint: .tcp(host: "cache.example.com", port: 65535),
              database: 1_000_000),
        .init(url: "redis://redis_primary-1.internal", endpoint: .tcp(host: "redis_primary-1.internal", port: 6379)),
        .init(url: "REDIS://Host:7000", endpoint: .tcp(host: "Host", port: 7000)),
        .init(url: "redis://ops:secret@127.0.0.1:6379/2", endpoint: .tcp(host: "127.0.0.1", port: 6379),
              username: "ops", password: "secret", database: 2),
        .init(url: "redis://:secret@host", endpoint: .tcp(host: "host", port: 6379), password: "secret"),
        .init(url: "redis://ops@host", endpoint: .tcp(host: "host", port: 6379), username: "ops"),
        .init(url: "redis://@host", endpoint: .tcp(host: "host", port: 6379)),
        .init(url: "redis://ops:@host", endpoint: .tcp(host: "host", port: 6379), username: "ops"),
        .init(url: "redis://ops:pa:ss@host", endpoint: .tcp(host: "host", port: 6379), username: "ops", password: "pa:ss"),
        .init(url: "redis://ops:p@ss@host", endpoint: .tcp(host: "host", port: 6379), username: "ops", password: "p@ss"),
        .init(url: "redis://[::1]", endpoint: .tcp(host: "::1", port: 6379)),
        .init(url: "redis://[::1]:6380/3", endpoint: .tcp(host: "::1", port: 6380), database: 3),
        .init(url: "redis://u:p@[2001:db8::5]:7000", endpoint: .tcp(host: "2001:db8::5", port: 7000),
              username: "u", password: "p"),
        .init(url: "redis://[1:2:3:4:5:6:7:8]", endpoint: .tcp(host: "1:2:3:4:5:6:7:8", port: 6379)),
        .init(url: "redis://[::ffff:192.0.2.1]:6379", endpoint: .tcp(host: "::ffff:192.0.2.1", port: 6379)),
        .init(url: "redis://[fe80::1%25eth0]:6379", endpoint: .tcp(host: "fe80::1%eth0", port: 6379)),
        .init(url: "redis://[::]", endpoint: .tcp(host: "::", port: 6379)),
        .init(url: "rediss://host", endpoint: .tcp(host: "host", port: 6379), tls: true),
        .init(url: "rediss://default:pw@host:6390/4", endpoint: .tcp(host: "host", port: 6390),
              username: "default", password: "pw", database: 4, tls: true),
        .init(url: "unix:///var/run/redis.sock", endpoint: .unixSocket(path: "/var/run/redis.sock")),
        .init(url: "unix:///tmp/my%20redis.sock?db=3&user=ops&password=pw",
              endpoint: .unixSocket(path: "/tmp/my redis.sock"), username: "ops", password: "pw", database: 3),
        .init(url: "unix:///tmp/a@b.sock", endpoint: .unixSocket(path: "/tmp/a@b.sock")),
        .init(url: "redis://host?db=5", endpoint: .tcp(host: "host", port: 6379), database: 5),
        .init(url: "redis://host/5?db=5", endpoint: .tcp(host: "host", port: 6379), database: 5),
        .init(url: "redis://host?user=ops&password=pw", endpoint: .tcp(host: "host", port: 6379),
              username: "ops", password: "pw"),
        .init(url: "redis://ops:pw@host?user=ops&password=pw", endpoint: .tcp(host: "host", port: 6379),
              username: "ops", password: "pw"),
        .init(url: "redis://host?", endpoint: .tcp(host: "host", port: 6379)),
        .init(url: "redis://host?&db=1&", endpoint: .tcp(host: "host", port: 6379), database: 1),
    ]

    @Test(arguments: validCases)
    func validForms(_ valid: ValidCase) throws {
        let configuration = try parse(valid.url)
        #expect(configuration.endpoint == valid.endpoint)
        #expect(configuration.username == valid.username)
        #expect(configuration.password == valid.password)
        #expect(configuration.database == valid.database)
        #expect(configuration.tls == (valid.tls ? RedisTLSConfiguration() : nil))
        #expect(configuration.clientName == nil)
        #expect(configuration.protocolPreference == .resp3WithFallback)
        #expect(configuration.commandTimeout == .seconds(5))
        #expect(configuration.connectTimeout == .seconds(5))
    }

    // MARK: - Percent-decoding

    @Test(arguments: [
        ("redis://us%40er:p%40ss%3Aw%2Fo%3Frd%23@host", "us@er", "p@ss:w/o?rd#"),
        ("redis://%E2%9C%93:%C3%A9t%C3%A9@host", "✓", "été"),
        ("redis://a+b:c+d@host", "a+b", "c+d"),
        ("redis://ops:%25@host", "ops", "%"),
        ("redis://host?user=a%26b&password=x%3Dy%26z", "a&b", "x=y&z"),
        ("redis://host?user=a=b&password=c==", "a=b", "c=="),
    ])
    func percentDecoding(url: String, username: String, password: String) throws {
        let configuration = try parse(url)
        #expect(configuration.username == username)
        #expect(configuration.password == password)
    }

    @Test func percentDecodedQueryValues() throws {
        let configuration = try parse("rediss://host?name=my%2Dapp&ca=%2Fetc%2Fca%20dir%2Fca.pem&sni=a%2Eexample")
        #expect(configuration.clientName == "my-app")
        #expect(configuration.tls?.caFile == "/etc/ca dir/ca.pem")
        #expect(configuration.tls?.serverName == "a.example")
    }

    // MARK: - Query items

    @Test func allCommonQueryItems() throws {
        let configuration = try parse(
            "redis://host:7000?db=3&user=ops&password=pw&name=worker-1&protocol=2&timeout=500ms&connect_timeout=2m")
        #expect(configuration.endpoint == .tcp(host: "host", port: 7000))
        #expect(configuration.database == 3)
        #expect(configuration.username == "ops")
        #expect(configuration.password == "pw")
        #expect(configuration.clientName == "worker-1")
        #expect(configuration.protocolPreference == .resp2)
        #expect(configuration.commandTimeout == .milliseconds(500))
        #expect(configuration.connectTimeout == .seconds(120))
        #expect(configuration.tls == nil)
    }

    /// `proxy=` forces the proxy kind (no detection) and survives the redacted URL; without
    /// it the handshake detects the kind.
    @Test(arguments: [("codis", RedisProxyKind.codis), ("twemproxy", .twemproxy), ("none", RedisProxyKind.none)])
    func proxyItem(value: String, expected: RedisProxyKind) throws {
        let configuration = try parse("redis://host:19000?proxy=\(value)")
        #expect(configuration.proxy == expected)
        #expect(configuration.redactedURL == "redis://host:19000?proxy=\(value)")
        #expect(try parse(configuration.redactedURL) == configuration)
        #expect(try parse("redis://host:19000").proxy == nil)
        #expect(try parse("unix:///tmp/codis.sock?proxy=\(value)").proxy == expected)
    }

    @Test(arguments: [("3", RedisConfiguration.ProtocolPreference.resp3WithFallback), ("2", .resp2)])
    func protocolItem(value: String, expected: RedisConfiguration.ProtocolPreference) throws {
        #expect(try parse("redis://host?protocol=\(value)").protocolPreference == expected)
    }

    @Test(arguments: [
        ("5", Duration.seconds(5)), ("5s", .seconds(5)), ("500ms", .milliseconds(500)), ("2m", .seconds(120)),
        ("1.5s", .milliseconds(1500)), ("0.25", .milliseconds(250)),
    ])
    func timeoutItems(text: String, expected: Duration) throws {
        let configuration = try parse("redis://host?timeout=\(text)&connect_timeout=\(text)")
        #expect(configuration.commandTimeout == expected)
        #expect(configuration.connectTimeout == expected)
    }

    @Test func allTLSQueryItems() throws {
        let configuration = try parse(
            "rediss://host:6390?ca=/etc/ca.pem&cert=/etc/client.pem&key=/etc/client.key&verify=none&sni=redis.example")
        #expect(configuration.tls == RedisTLSConfiguration(
            caFile: "/etc/ca.pem", certificateFile: "/etc/client.pem", keyFile: "/etc/client.key",
            verifyPeer: false, serverName: "redis.example"))
    }

    @Test func verifyFull() throws {
        #expect(try parse("rediss://host?verify=full").tls?.verifyPeer == true)
        #expect(try parse("rediss://host").tls?.verifyPeer == true)
    }

    @Test func unixSocketWithCommonItems() throws {
        let configuration = try parse("unix:///run/redis.sock?name=cli&protocol=2&timeout=1s")
        #expect(configuration.endpoint == .unixSocket(path: "/run/redis.sock"))
        #expect(configuration.clientName == "cli")
        #expect(configuration.protocolPreference == .resp2)
        #expect(configuration.commandTimeout == .seconds(1))
        #expect(configuration.tls == nil)
    }

    // MARK: - Password from the environment

    @Test func passwordFromEnvironment() throws {
        let both = ["REDIS_PASSWORD": "first", "REDISCLI_AUTH": "second"]
        #expect(try parse("redis://host", both).password == "first")
        #expect(try parse("redis://host", ["REDISCLI_AUTH": "second"]).password == "second")
        #expect(try parse("redis://host", ["REDIS_PASSWORD": "", "REDISCLI_AUTH": "second"]).password == "second")
        #expect(try parse("redis://host", ["REDIS_PASSWORD": "", "REDISCLI_AUTH": ""]).password == nil)
        #expect(try parse("redis://host", ["OTHER": "x"]).password == nil)
        // The user name still comes from the URL.
        let userOnly = try parse("redis://ops@host", both)
        #expect(userOnly.username == "ops")
        #expect(userOnly.password == "first")
        #expect(try parse("unix:///tmp/r.sock", both).password == "first")
    }

    @Test func urlPasswordBeatsEnvironment() throws {
        let environment = ["REDIS_PASSWORD": "env", "REDISCLI_AUTH": "cli"]
        #expect(try parse("redis://:url@host", environment).password == "url")
        #expect(try parse("redis://host?password=query", environment).password == "query")
        #expect(try parse("unix:///tmp/r.sock?password=query", environment).password == "query")
    }

    @Test func environmentURL() throws {
        let fromVariable = try RedisConfiguration(environment: ["REDIS_URL": "rediss://ops@db.example:6390/1"])
        #expect(fromVariable.endpoint == .tcp(host: "db.example", port: 6390))
        #expect(fromVariable.username == "ops")
        #expect(fromVariable.database == 1)
        #expect(fromVariable.tls != nil)

        for environment in [[:], ["REDIS_URL": ""]] as [[String: String]] {
            let fallback = try RedisConfiguration(environment: environment)
            #expect(fallback == RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: 6379)))
        }
        let withPassword = try RedisConfiguration(environment: ["REDISCLI_AUTH": "pw"])
        #expect(withPassword.password == "pw")
        #expect(withPassword.endpoint == .tcp(host: "127.0.0.1", port: 6379))

        do {
            _ = try RedisConfiguration(environment: ["REDIS_URL": "http://:hunter2@x"])
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalidURL)
            #expect(error.message.hasPrefix("REDIS_URL: "))
            #expect(error.message.contains("'http'"))
            #expect(!error.message.contains("hunter2"))
        }
    }

    @Test func defaultArgumentReadsProcessEnvironment() throws {
        // Only checks that the default argument compiles and parses; the password may come from
        // the machine's environment.
        let configuration = try RedisConfiguration(url: "redis://127.0.0.1:6379")
        #expect(configuration.endpoint == .tcp(host: "127.0.0.1", port: 6379))
    }

    // MARK: - Errors

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        var url: String
        /// Pieces the message must contain (the offending part and what is expected).
        var mentions: [String]
        var testDescription: String { url.debugDescription }
        init(_ url: String, _ mentions: String...) {
            self.url = url
            self.mentions = mentions
        }
    }

    /// Every password in these URLs is `hunter2`, so the test can check no message leaks it.
    static let errorCases: [ErrorCase] = [
        .init("", "empty", "redis://"),
        .init("http://:hunter2@host", "unsupported scheme 'http'", "redis://, rediss://, unix:// or redis+sentinel://"),
        .init("ftp://host", "unsupported scheme 'ftp'"),
        .init("localhost:6379", "unsupported scheme 'localhost'", "redis://localhost:6379"),
        .init("hunter2@host", "no scheme", "redis://"),
        .init(":hunter2@host", "no scheme"),
        .init("//host:6379", "no scheme"),
        .init("redis:host", "'//'", "redis://"),
        .init("redis:/host", "'//'"),
        .init("redis://", "host is empty"),
        .init("redis://:6379", "host is empty"),
        .init("redis://:hunter2@", "host is empty"),
        .init("redis://:hunter2@:6379", "host is empty"),
        .init("redis:///2", "host is empty"),
        .init("redis://host:abc", "port 'abc' is not a number 1-65535"),
        .init("redis://:hunter2@host:abc", "port 'abc' is not a number 1-65535"),
        .init("redis://host:-1", "port '-1' is not a number"),
        .init("redis://host:+80", "port '+80' is not a number"),
        .init("redis://host:70000", "port '70000' is out of range 1-65535"),
        .init("redis://host:0", "port '0' is out of range 1-65535"),
        .init("redis://host:99999999999999999999999", "out of range 1-65535"),
        .init("redis://host:", "port is empty", "1-65535"),
        .init("redis://[::1", "unclosed '[' in IPv6 host"),
        .init("redis://:hunter2@[::1:6379/0", "unclosed '['"),
        .init("redis://[]", "IPv6 host '[]' is empty"),
        .init("redis://[zz::1]", "'[zz::1]'", "not a valid IPv6 address"),
        .init("redis://[1::2::3]", "'[1::2::3]'"),
        .init("redis://[1:2:3:4:5:6:7:8:9]", "not a valid IPv6"),
        .init("redis://[1:2:3:4:5:6:7]", "not a valid IPv6"),
        .init("redis://[12345::]", "not a valid IPv6"),
        .init("redis://[:::]", "not a valid IPv6"),
        .init("redis://[::1]x", "after ']'", "':port'"),
        .init("redis://[::1]:abc", "port 'abc'"),
        .init("redis://[fe80::1%eth0]", "zone", "%25"),
        .init("redis://::1", "'::1'", "brackets"),
        .init("redis://::1:6379", "brackets"),
        .init("redis://ho$t", "host 'ho$t'", "'$'"),
        .init("redis://hé", "non-ASCII", "host name"),
        .init("redis://300.1.1.1", "'300.1.1.1'", "IPv4"),
        .init("redis://1.2.3", "'1.2.3'", "IPv4"),
        .init("redis://host/x", "database 'x' is not a non-negative integer"),
        .init("redis://host/-1", "database '-1' is not a non-negative integer"),
        .init("redis://host/1/2", "database '1/2'"),
        .init("redis://host/1000001", "database '1000001' is out of range 0-1000000"),
        .init("redis://host/99999999999999999999", "out of range"),
        .init("redis://host?db=x", "database 'x' is not a non-negative integer"),
        .init("redis://host/2?db=3", "'/2'", "db=3", "give it once"),
        .init("redis://ops@host?user=dev", "'ops'", "'dev'", "user name given twice"),
        .init("redis://:hunter2@host?password=other", "password given twice"),
        .init("redis://host?foo=1", "unknown query item 'foo'",
              "known items are db, user, password, name, protocol, proxy, timeout, connect_timeout, ca, cert, key, verify, sni"),
        .init("redis://host?DB=1", "unknown query item 'DB'"),
        .init("redis://host?db", "query item 'db' has no value", "key=value"),
        .init("redis://host?db=", "query item 'db' is empty"),
        .init("redis://host?db=1&db=1", "'db' appears more than once"),
        .init("redis://host?protocol=4", "protocol '4'", "protocol=2 or protocol=3"),
        .init("redis://host?proxy=envoy", "proxy 'envoy' is not supported", "none, codis, twemproxy", "leave it out"),
        .init("redis://host?proxy=Codis", "proxy 'Codis' is not supported"),
        .init("redis://host?proxy=", "query item 'proxy' is empty"),
        .init("redis://host?timeout=abc", "'timeout'", "'abc'", "500ms"),
        .init("redis://host?timeout=-5s", "'timeout'", "'-5s'", "negative"),
        .init("redis://host?timeout=0", "'timeout'", "greater than zero"),
        .init("redis://host?connect_timeout=5h", "'connect_timeout'", "'5h'", "ms, s or m"),
        .init("redis://host?name=a%20b", "client name 'a b'", "spaces"),
        .init("redis://host?ca=/etc/ca.pem", "'ca' only applies to rediss:// URLs"),
        .init("redis://host?cert=/c.pem", "'cert' only applies to rediss://"),
        .init("redis://host?key=/k.pem", "'key' only applies to rediss://"),
        .init("redis://host?verify=none", "'verify' only applies to rediss://"),
        .init("redis://host?sni=x", "'sni' only applies to rediss://"),
        .init("unix:///tmp/r.sock?ca=/etc/ca.pem", "'ca' only applies to rediss://"),
        .init("rediss://host?cert=/c.pem", "'cert' needs a matching 'key'"),
        .init("rediss://host?key=/k.pem", "'key' needs a matching 'cert'"),
        .init("rediss://host?verify=maybe", "verify 'maybe'", "verify=full or verify=none"),
        .init("redis://us%4ger@host", "malformed percent escape in the user name", "two hex digits"),
        .init("redis://ops:hunter2%zz@host", "malformed percent escape in the password", "two hex digits"),
        .init("redis://ops:hunter2%@host", "malformed percent escape in the password"),
        .init("redis://ops:hunter2%C3@host", "password is not valid UTF-8"),
        .init("redis://host?password=hunter2%2", "malformed percent escape in the query item 'password'"),
        .init("redis://host?name=%G0", "malformed percent escape in the query item 'name'"),
        .init("unix://sock", "unix socket path must be absolute: 'sock'"),
        .init("unix://tmp/redis.sock", "must be absolute: 'tmp/redis.sock'", "unix:///"),
        .init("unix:/tmp/redis.sock", "unix://", "absolute path"),
        .init("unix:tmp", "unix://"),
        .init("unix://", "unix socket path is empty"),
        .init("unix://?db=1", "unix socket path is empty"),
        .init("unix://ops:hunter2@/tmp/r.sock", "query items", "password=P"),
        .init("unix:///tmp/", "'/tmp/'", "ends in '/'"),
        .init("unix:///tmp/r%zz.sock", "malformed percent escape in the unix socket path"),
        .init("unix:///tmp/r%00.sock", "%00"),
        .init("unix:///tmp/r.sock?db=1000001", "database '1000001' is out of range"),
        .init(" redis://host", "space or control character"),
        .init("redis://host\n", "space or control character"),
        .init("redis://:hunter2 @host", "space or control character", "%20"),
        .init("redis://:hunter2#@host", "'#'", "%23"),
        .init("redis://host#frag", "'#'"),
        // Unencoded '/' or '?' in a password: the text around the host may be password pieces.
        .init("redis://ops:hun/ter2@host", "'@' found after the host", "%2F"),
        .init("redis://ops:hunter?2@host", "port is not a number"),
        .init("redis://ops:123?hunter2@host", "query item has no '='", "%3F"),
    ]

    @Test(arguments: errorCases)
    func errors(_ errorCase: ErrorCase) {
        let message = failure(errorCase.url)
        for piece in errorCase.mentions {
            #expect(message.contains(piece), "\(message.debugDescription) should mention \(piece.debugDescription)")
        }
        #expect(!message.contains("hunter"), "\(message.debugDescription) leaks the password")
        #expect(!message.contains("ter2"), "\(message.debugDescription) leaks part of the password")
    }

    /// Passwords in the query or from the environment never show up in messages either.
    @Test(arguments: [
        "redis://host?password=hunter2&foo=1",
        "redis://host:abc?password=hunter2",
        "rediss://host?password=hunter2&cert=/c.pem",
        "redis://host?password=hunter2&db=x",
        "unix://sock?password=hunter2",
        "redis://:hunter2@host/2?db=3",
    ])
    func errorsNeverQuoteThePassword(url: String) {
        let message = failure(url, ["REDIS_PASSWORD": "hunter2"])
        #expect(!message.isEmpty)
        #expect(!message.contains("hunter2"), "\(message.debugDescription) leaks the password")
    }

    // MARK: - redactedURL

    @Test(arguments: [
        ("redis://ops:hunter2@127.0.0.1:6379/2", "redis://ops@127.0.0.1:6379/2"),
        ("redis://:hunter2@host", "redis://host:6379"),
        ("redis://host", "redis://host:6379"),
        ("redis://host/0", "redis://host:6379"),
        ("REDIS://host:7000/0", "redis://host:7000"),
        ("redis://us%40er:hunter2@[::1]:6380/1", "redis://us%40er@[::1]:6380/1"),
        ("redis://[fe80::1%25eth0]", "redis://[fe80::1%25eth0]:6379"),
        ("rediss://host?password=hunter2", "rediss://host:6379"),
        ("rediss://u:hunter2@host:6390/3?name=app&protocol=2&timeout=500ms&connect_timeout=1.5s"
            + "&ca=/etc/ca.pem&cert=/c.pem&key=/k.pem&verify=none&sni=redis.example",
         "rediss://u@host:6390/3?name=app&protocol=2&timeout=500ms&connect_timeout=1500ms"
            + "&ca=/etc/ca.pem&cert=/c.pem&key=/k.pem&verify=none&sni=redis.example"),
        ("redis://host?timeout=120&connect_timeout=5s", "redis://host:6379?timeout=2m"),
        ("unix:///tmp/r.sock?password=hunter2", "unix:///tmp/r.sock"),
        ("unix:///tmp/my%20r.sock?db=2&user=ops&password=hunter2&name=x",
         "unix:///tmp/my%20r.sock?db=2&user=ops&name=x"),
    ])
    func redactedURL(url: String, expected: String) throws {
        let configuration = try parse(url, ["REDIS_PASSWORD": "hunter2"])
        #expect(configuration.redactedURL == expected)
        #expect(!configuration.redactedURL.contains("hunter2"))

        // The redacted URL reads back into the same configuration, minus the password.
        var withoutPassword = configuration
        withoutPassword.password = nil
        #expect(try parse(configuration.redactedURL) == withoutPassword)
    }

    @Test func redactedURLOfHandBuiltConfiguration() throws {
        var configuration = RedisConfiguration(
            endpoint: .tcp(host: "2001:db8::1", port: 6379), username: "a b", password: "hunter2", database: 7)
        configuration.commandTimeout = .microseconds(1500)
        #expect(configuration.redactedURL == "redis://a%20b@[2001:db8::1]:6379/7?timeout=0.0015s")
        configuration.commandTimeout = .nanoseconds(1500)
        #expect(configuration.redactedURL == "redis://a%20b@[2001:db8::1]:6379/7?timeout=0.0000015s")
        #expect(try parse(configuration.redactedURL).commandTimeout == .nanoseconds(1500))
    }

    // MARK: - Duration parsing

    @Test(arguments: [
        ("0", Duration.zero), ("0s", .zero), ("0ms", .zero), ("0m", .zero),
        ("5", .seconds(5)), ("10s", .seconds(10)), ("500ms", .milliseconds(500)), ("2m", .seconds(120)),
        ("1.5s", .milliseconds(1500)), ("1.5", .milliseconds(1500)), ("0.5ms", .microseconds(500)),
        ("1.25m", .seconds(75)), ("007s", .seconds(7)), ("1.000000000000000000000001s", .seconds(1)),
        ("0.000000001s", .nanoseconds(1)), ("86400", .seconds(86400)),
        ("9223372036s", .seconds(9_223_372_036)),
    ])
    func durationParsing(text: String, expected: Duration) throws {
        #expect(try Duration(parsing: text) == expected)
    }

    @Test(arguments: [
        ("", "empty"),
        ("-1", "negative"), ("-5s", "negative"), ("-0.5ms", "negative"),
        ("abc", "not valid"), ("s", "not valid"), ("ms", "not valid"), ("5h", "not valid"), ("5 s", "not valid"),
        (" 5s", "not valid"), ("5s ", "not valid"), ("+5s", "not valid"), ("1e3", "not valid"), ("5S", "not valid"),
        ("5MS", "not valid"), ("1.", "not valid"), (".5s", "not valid"), ("1.2.3s", "not valid"),
        ("5sec", "not valid"), ("5us", "not valid"), ("1_000", "not valid"), ("٥s", "not valid"),
        ("9223372037s", "too large"), ("153722868m", "too large"), ("99999999999999999999999999999999999999999s", "too large"),
        ("9223372036854775808ms", "too large"),
    ])
    func durationParsingErrors(text: String, problem: String) {
        do {
            let duration = try Duration(parsing: text)
            Issue.record("expected an error for \(text.debugDescription), got \(duration)")
        } catch {
            #expect(error.code == .invalidConfiguration)
            #expect(error.message.contains(problem))
            if !text.isEmpty { #expect(error.message.contains("'\(text)'")) }
            #expect(error.message.contains("ms, s or m"))
            #expect(error.message.contains("500ms"))
        }
    }

    @Test(arguments: [
        Duration.zero, .seconds(5), .milliseconds(500), .seconds(120), .milliseconds(1500), .nanoseconds(1),
        .microseconds(1500), .seconds(3600), .seconds(9_223_372_036),
    ])
    func durationDescriptionRoundTrips(duration: Duration) throws {
        #expect(try Duration(parsing: duration.parsableDescription) == duration)
    }
}
