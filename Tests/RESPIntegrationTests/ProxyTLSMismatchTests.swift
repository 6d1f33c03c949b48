import Foundation
@testable import RESP
import RedisTestSupport
import Testing

/// `rediss://` pointed at a plaintext port (the mistake proxies invite: Codis and twemproxy
/// speak no TLS) used to take 10-15 s and end in "HELLO got no reply"; now it fails within the
/// connect timeout, saying that the port does not speak TLS.
@Suite("ProxyTLSMismatchTests")
struct ProxyTLSMismatchTests {
    @Test func redissToPlaintextPortFailsWithinTheConnectTimeout() async throws {
        try await withRedisServer { server in
            // Repeated: the TLS hello is random, and a plaintext Redis either waits for a line
            // end it never gets or answers a line in plaintext, depending on its bytes.
            for _ in 0 ..< 6 {
                let started = ContinuousClock.now
                let error = try await Integration.expectError(.tlsFailure, "rediss:// to a plaintext port") {
                    try await RedisConnection.connect(
                        Integration.configuration("rediss://127.0.0.1:\(server.port)?verify=none&connect_timeout=1s"))
                }
                let elapsed = ContinuousClock.now - started
                // 1 s, plus slack for a loaded machine; it used to take 10-15 s.
                #expect(elapsed < .seconds(2), "took \(elapsed)")
                #expect(error.message.contains("does not speak TLS"), "\(error)")
                #expect(error.message.contains("redis://"), "\(error)")
            }
            // The server is unharmed and still serves plaintext clients.
            let plain = try await RedisConnection.connect(Integration.configuration(server.url))
            #expect(try await plain.send("PING").decode(as: String.self) == "PONG")
            await plain.close()
        }
    }
}
