import Dispatch
import Synchronization

/// PEM files for TLS tests: a throw-away certificate authority plus a server and a client
/// certificate signed by it (RSA 2048, valid for two days).
///
/// The server certificate's subjectAltName covers `IP:127.0.0.1` and `DNS:localhost`.
/// The files are generated with `openssl` once per test process and shared by every caller.
public enum TestCertificates {
    private static let cache = Mutex<ServerCertificates?>(nil)

    /// The certificates of this process, generating them with `/usr/bin/openssl` on first use.
    ///
    /// Safe to call concurrently: the first caller generates the files while others wait.
    /// - Throws: ``RedisServerError`` when `openssl` is missing or fails.
    public static func shared() throws -> ServerCertificates {
        try cache.withLock { slot throws(RedisServerError) -> ServerCertificates in
            if let cached = slot { return cached }
            let generated = try CertificateGenerator.generate()
            slot = generated
            return generated
        }
    }
}

extension TestCertificates {
    /// ``shared()`` run on a Dispatch thread, so that generating (or waiting for another
    /// caller to generate) the certificates does not block Swift's cooperative thread pool.
    static func sharedWithoutBlocking() async throws -> ServerCertificates {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try shared() })
            }
        }
    }
}
