/// Everything a ``RedisClient`` needs to reach and talk to one Redis server.
///
/// Build it from a URL with ``init(url:environment:)-(String,_)`` or field by field.
public struct RedisConfiguration: Sendable, Hashable {
    /// Where the server listens.
    public enum Endpoint: Sendable, Hashable, CustomStringConvertible {
        /// A TCP host name or IP address and port.
        case tcp(host: String, port: Int)
        /// A unix domain socket path.
        case unixSocket(path: String)

        /// `host:port` (IPv6 in brackets) or `unix:PATH`.
        public var description: String {
            switch self {
            case .tcp(let host, let port):
                host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            case .unixSocket(let path):
                "unix:\(path)"
            }
        }
    }

    /// Which RESP version to ask for in the handshake.
    public enum ProtocolPreference: Sendable, Hashable {
        /// Send `HELLO 3`; fall back to RESP2 when the server or proxy does not know `HELLO`.
        case resp3WithFallback
        /// Speak RESP2 only (`AUTH` and `SELECT` instead of `HELLO`).
        case resp2
    }

    /// The server's address.
    public var endpoint: Endpoint
    /// TLS settings; `nil` means plaintext.
    public var tls: RedisTLSConfiguration?
    /// The ACL user name; `nil` authenticates as `default` when a password is set.
    public var username: String?
    /// The password; `nil` means no `AUTH`.
    public var password: String?
    /// The logical database selected after connecting.
    public var database: Int
    /// The name set with `CLIENT SETNAME`, shown by `CLIENT LIST`; `nil` sets none.
    public var clientName: String?
    /// Which protocol version the handshake asks for.
    public var protocolPreference: ProtocolPreference
    /// How long a single command may take before it fails with ``RedisError/Code/timeout``.
    public var commandTimeout: Duration
    /// How long connecting (TCP, TLS and handshake) may take.
    public var connectTimeout: Duration
    /// The shortest and longest pause between reconnect attempts (exponential with jitter).
    public var reconnectBackoff: ClosedRange<Duration>
    /// Bounds on what the decoder accepts from the server.
    public var limits: RESPLimits
    /// Find the master through these Sentinels instead of connecting to ``endpoint``; `nil`
    /// connects to ``endpoint`` directly.
    public var sentinel: RedisSentinelConfiguration?
    /// The proxy in front of Redis, when known; `nil` (the default) detects it during the
    /// handshake: a server that closes the connection on `HELLO` or on a command it does not
    /// know is twemproxy, one that answers `SLOTSMAPPING` or refuses a command with
    /// `ERR handle request, …` is Codis. Through a proxy the handshake speaks RESP2 and sends
    /// only what the proxy accepts (no `CLIENT SETNAME`; no `SELECT` through twemproxy).
    public var proxy: RedisProxyKind?

    /// Makes a configuration for `endpoint` with default settings.
    public init(
        endpoint: Endpoint,
        tls: RedisTLSConfiguration? = nil,
        username: String? = nil,
        password: String? = nil,
        database: Int = 0,
        clientName: String? = nil,
        protocolPreference: ProtocolPreference = .resp3WithFallback,
        commandTimeout: Duration = .seconds(5),
        connectTimeout: Duration = .seconds(5),
        reconnectBackoff: ClosedRange<Duration> = .milliseconds(20) ... .seconds(2),
        limits: RESPLimits = RESPLimits(),
        sentinel: RedisSentinelConfiguration? = nil,
        proxy: RedisProxyKind? = nil
    ) {
        self.endpoint = endpoint
        self.tls = tls
        self.username = username
        self.password = password
        self.database = database
        self.clientName = clientName
        self.protocolPreference = protocolPreference
        self.commandTimeout = commandTimeout
        self.connectTimeout = connectTimeout
        self.reconnectBackoff = reconnectBackoff
        self.limits = limits
        self.sentinel = sentinel
        self.proxy = proxy
    }
}

/// TLS settings for a `rediss://` connection. Peer verification is on unless switched off.
public struct RedisTLSConfiguration: Sendable, Hashable {
    /// A PEM file of CA certificates to trust; `nil` uses the system's trust store.
    public var caFile: String?
    /// A PEM client certificate for mutual TLS.
    public var certificateFile: String?
    /// The PEM private key that belongs to ``certificateFile``.
    public var keyFile: String?
    /// Whether the server's certificate chain and host name are checked (default `true`).
    public var verifyPeer: Bool
    /// The host name sent for SNI and checked against the certificate; defaults to the host.
    public var serverName: String?

    /// Makes TLS settings; with no arguments: system trust store, full verification.
    public init(
        caFile: String? = nil,
        certificateFile: String? = nil,
        keyFile: String? = nil,
        verifyPeer: Bool = true,
        serverName: String? = nil
    ) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.verifyPeer = verifyPeer
        self.serverName = serverName
    }
}

extension RedisConfiguration: CustomStringConvertible, CustomDebugStringConvertible {
    /// The URL form without the password, so printing a configuration never leaks it.
    public var description: String { redactedURL }
    /// The same as ``description``: the password is never printed.
    public var debugDescription: String { "RedisConfiguration(\(redactedURL))" }
}

extension RedisConfiguration: CustomReflectable {
    /// Hides the password from `dump` and the debugger's child list.
    public var customMirror: Mirror {
        Mirror(self, children: ["url": redactedURL], displayStyle: .struct)
    }
}
