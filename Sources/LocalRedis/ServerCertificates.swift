/// The PEM files of a TLS setup for a local server: a certificate authority, the server's
/// certificate and key, and a client certificate and key for mutual TLS, all signed by that CA.
///
/// LocalRedis only points `redis-server` at them; making them is up to the caller (the test
/// support module generates a throw-away set with `openssl`).
public struct ServerCertificates: Sendable, Hashable {
    /// The certificate authority (PEM); trust it to verify either peer.
    public var caFile: String
    /// The server certificate (PEM), signed by the CA.
    public var serverCertificateFile: String
    /// The server's unencrypted private key (PEM).
    public var serverKeyFile: String
    /// The client certificate (PEM) for mutual TLS, signed by the CA.
    public var clientCertificateFile: String
    /// The client's unencrypted private key (PEM).
    public var clientKeyFile: String

    /// Names the five files.
    public init(caFile: String, serverCertificateFile: String, serverKeyFile: String, clientCertificateFile: String, clientKeyFile: String) {
        self.caFile = caFile
        self.serverCertificateFile = serverCertificateFile
        self.serverKeyFile = serverKeyFile
        self.clientCertificateFile = clientCertificateFile
        self.clientKeyFile = clientKeyFile
    }

    /// The conventional names in one directory: `ca.crt`, `server.crt`, `server.key`,
    /// `client.crt`, `client.key`.
    public init(directory: String) {
        self.init(
            caFile: "\(directory)/ca.crt",
            serverCertificateFile: "\(directory)/server.crt",
            serverKeyFile: "\(directory)/server.key",
            clientCertificateFile: "\(directory)/client.crt",
            clientKeyFile: "\(directory)/client.key"
        )
    }
}
