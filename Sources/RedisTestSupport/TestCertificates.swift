import Dispatch
import Synchronization

/// PEM files for TLS tests: a throw-away certificate authority plus a server and a client
/// certificate signed by it (RSA 2048, valid for two days).
///
/// The server certificate's subjectAltName covers `IP:127.0.0.1` and `DNS:localhost`.
/// The files are generated with `openssl` once per test process and shared by every caller.
public struct TestCertificates: Sendable {
    /// The self-signed certificate authority (PEM); trust it to verify either peer.
    public let caFile: String
    /// The server certificate (PEM), signed by the CA.
    public let serverCertificateFile: String
    /// The server's unencrypted private key (PEM).
    public let serverKeyFile: String
    /// The client certificate (PEM) for mutual TLS, signed by the CA.
    public let clientCertificateFile: String
    /// The client's unencrypted private key (PEM).
    public let clientKeyFile: String

    private static let cache = Mutex<TestCertificates?>(nil)

    /// The certificates of this process, generating them with `/usr/bin/openssl` on first use.
    ///
    /// Safe to call concurrently: the first caller generates the files while others wait.
    /// - Throws: ``RedisServerError`` when `openssl` is missing or fails.
    public static func shared() throws -> TestCertificates {
        try cache.withLock { slot throws(RedisServerError) -> TestCertificates in
            if let cached = slot { return cached }
            let generated = try CertificateGenerator.generate()
            slot = generated
            return generated
        }
    }

    init(directory: String) {
        caFile = "\(directory)/ca.crt"
        serverCertificateFile = "\(directory)/server.crt"
        serverKeyFile = "\(directory)/server.key"
        clientCertificateFile = "\(directory)/client.crt"
        clientKeyFile = "\(directory)/client.key"
    }
}

extension TestCertificates {
    /// ``shared()`` run on a Dispatch thread, so that generating (or waiting for another
    /// caller to generate) the certificates does not block Swift's cooperative thread pool.
    static func sharedWithoutBlocking() async throws -> TestCertificates {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try shared() })
            }
        }
    }
}
