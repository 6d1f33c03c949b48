import NIOCore
@testable import RESP
import RedisTestSupport
import Testing

/// `rediss://` against redis-server's TLS listener, with and without client certificates.
@Suite("IntegrationTLSTests")
struct IntegrationTLSTests {
    /// Connects with `url` and sends PING; returns the reply text.
    private static func ping(_ url: String) async throws -> String {
        let connection = try await RedisConnection.connect(Integration.configuration(url))
        defer { Task { await connection.close() } }
        return try await connection.send("PING").decode(as: String.self)
    }

    @Test func serverOnlyTLS() async throws {
        try await withRedisServer(.init(tls: .serverOnly)) { server in
            let certificates = try #require(server.certificates)
            let base = "rediss://127.0.0.1:\(server.port)"

            // Trusting the test CA.
            #expect(try await Self.ping("\(base)?ca=\(certificates.caFile)") == "PONG")
            // The host name from the certificate's subjectAltName, checked against the CA.
            #expect(try await Self.ping("rediss://localhost:\(server.port)?ca=\(certificates.caFile)") == "PONG")

            // The reconnecting client over TLS, with RESP2 as well.
            let client = RedisClient(configuration: try Integration.configuration("\(base)?ca=\(certificates.caFile)&protocol=2"))
            _ = try await client.send("SET", "tls", "works")
            #expect(try await client.send("GET", "tls").decode(as: String?.self) == "works")
            await client.shutdown()

            // System trust store: the test CA is unknown. Repeated, because whether the
            // TLS failure is reported correctly depends on a race inside connect().
            let untrusted = try await Integration.within(.seconds(10), "TLS without the CA") {
                var errors: [RedisError] = []
                for _ in 0 ..< 20 {
                    do throws(RedisError) {
                        let connection = try await RedisConnection.connect(Integration.configuration(base))
                        await connection.close()
                    } catch {
                        errors.append(error)
                    }
                }
                return errors
            }
            #expect(untrusted.count == 20, "a client without the CA connected")
            for error in untrusted {
                #expect(error.code == .tlsFailure, "\(error)")
                #expect(error.message.contains("TLS"), "\(error)")
            }

            // verify=none works without the CA.
            #expect(try await Self.ping("\(base)?verify=none") == "PONG")

            // (A mismatched sni= is not tested: NIOSSL accepts the certificate's IP SAN
            // 127.0.0.1 matching the peer address whatever the host name.)

            // A CA file that does not exist is a TLS setup error, reported before connecting.
            let missing = try await Integration.expectError(.tlsFailure, "missing CA file") {
                try await Self.ping("\(base)?ca=/nonexistent/ca.pem")
            }
            #expect(missing.message.contains("/nonexistent/ca.pem"), "\(missing)")
        }
    }

    /// Plaintext RESP to a TLS port must fail quickly with an error that hints at rediss://.
    @Test func plaintextClientToTLSPortFailsClearly() async throws {
        try await withRedisServer(.init(tls: .serverOnly)) { server in
            let started = ContinuousClock.now
            let outcome = try await Integration.within(.seconds(5), "plaintext connect to a TLS port") { () async throws -> RedisError? in
                do {
                    let connection = try await RedisConnection.connect(Integration.configuration("redis://127.0.0.1:\(server.port)"))
                    await connection.close()
                    return nil
                } catch let error as RedisError {
                    return error
                }
            }
            let error = try #require(outcome, "a plaintext client connected to a TLS port")
            #expect(ContinuousClock.now - started < .seconds(2))
            #expect([.connectionClosed, .protocolViolation, .tlsFailure].contains(error.code), "\(error)")
            #expect(error.message.contains("rediss://"), "the error should suggest rediss://: \(error)")
        }
    }

    @Test func mutualTLS() async throws {
        try await withRedisServer(.init(tls: .mutual)) { server in
            let certificates = try #require(server.certificates)
            let base = "rediss://127.0.0.1:\(server.port)?ca=\(certificates.caFile)"
            let withCertificate = "\(base)&cert=\(certificates.clientCertificateFile)&key=\(certificates.clientKeyFile)"
            #expect(try await Self.ping(withCertificate) == "PONG")

            // The field-by-field configuration works the same.
            let configuration = RedisConfiguration(
                endpoint: .tcp(host: "127.0.0.1", port: server.port),
                tls: RedisTLSConfiguration(
                    caFile: certificates.caFile, certificateFile: certificates.clientCertificateFile,
                    keyFile: certificates.clientKeyFile))
            let connection = try await RedisConnection.connect(configuration)
            #expect(try await connection.send("ECHO", "mtls").decode(as: String.self) == "mtls")
            await connection.close()

            // Without a client certificate the server rejects the handshake; no hang.
            // Repeated, because the reported error depends on a race inside connect().
            let errors = try await Integration.within(.seconds(10), "mutual TLS without a client certificate") {
                var errors: [RedisError] = []
                for _ in 0 ..< 10 {
                    do throws(RedisError) {
                        let connection = try await RedisConnection.connect(Integration.configuration(base))
                        _ = try await connection.send("PING")
                        await connection.close()
                    } catch {
                        errors.append(error)
                    }
                }
                return errors
            }
            #expect(errors.count == 10, "a client without a certificate passed mutual TLS")
            for error in errors {
                #expect([.tlsFailure, .connectionClosed].contains(error.code), "\(error)")
                #expect(!error.message.contains("notFound"), "\(error)")
            }

            // A certificate without its key is a configuration error.
            try await Integration.expectError(.invalidConfiguration, "certificate without key") {
                var halfConfigured = configuration
                halfConfigured.tls?.keyFile = nil
                return try await RedisConnection.connect(halfConfigured)
            }
        }
    }
}
