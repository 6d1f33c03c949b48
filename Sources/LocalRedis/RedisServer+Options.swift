extension RedisServer {
    /// How a test server is configured. Every option maps onto lines of the generated `redis.conf`.
    public struct Options: Sendable {
        /// Whether the TCP listener speaks TLS, and whether clients must present a certificate.
        public enum TLSMode: Sendable {
            /// Plain TCP.
            case off
            /// TLS with the server certificate of ``Options/certificates``; clients need no certificate.
            case serverOnly
            /// TLS where clients must present a certificate signed by the CA of
            /// ``Options/certificates`` (`tls-auth-clients yes`).
            case mutual
        }

        /// TLS mode of the TCP listener; defaults to ``TLSMode/off``.
        public var tls: TLSMode
        /// The PEM files the TLS listener uses; required unless ``tls`` is ``TLSMode/off``.
        public var certificates: ServerCertificates?
        /// Also listen on a unix socket (`redis.sock` in the server's directory, permissions 700).
        public var unixSocket: Bool
        /// Listen on TCP. `false` means unix socket only, which requires ``unixSocket``.
        public var tcp: Bool
        /// ACL rules, each written as a `user` line, e.g. `"ops on >opspw ~* &* +@all"`.
        /// A leading `user ` is accepted and not duplicated.
        public var aclRules: [String]
        /// The password of the default user (`requirepass`), if any.
        public var requirePassword: String?
        /// Additional raw `redis.conf` lines, e.g. `"maxmemory-policy allkeys-lru"`.
        public var extraConfiguration: [String]
        /// Run as a Sentinel (`--sentinel`); put its `sentinel monitor …` lines in
        /// ``extraConfiguration``. Sentinel rewrites its configuration file, which lives in the
        /// server's private directory.
        public var sentinel: Bool

        /// Creates options; the defaults give a plain TCP server without authentication.
        public init(
            tls: TLSMode = .off,
            certificates: ServerCertificates? = nil,
            unixSocket: Bool = false,
            tcp: Bool = true,
            aclRules: [String] = [],
            requirePassword: String? = nil,
            extraConfiguration: [String] = [],
            sentinel: Bool = false
        ) {
            self.tls = tls
            self.certificates = certificates
            self.unixSocket = unixSocket
            self.tcp = tcp
            self.aclRules = aclRules
            self.requirePassword = requirePassword
            self.extraConfiguration = extraConfiguration
            self.sentinel = sentinel
        }

        func validate() throws(RedisServerError) {
            if !tcp, !unixSocket {
                throw RedisServerError("invalid RedisServer.Options: tcp == false requires unixSocket == true")
            }
            if tls != .off, certificates == nil {
                throw RedisServerError("invalid RedisServer.Options: TLS needs certificates (set Options.certificates)")
            }
            if !tcp, tls != .off {
                throw RedisServerError("invalid RedisServer.Options: TLS needs a TCP listener (tcp == true)")
            }
        }
    }
}
