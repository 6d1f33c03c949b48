import Foundation
import NIOCore
@testable import RESP
import RedisTestSupport
import Testing

/// The client through a real twemproxy (nutcracker) in front of two redis-servers: connect
/// although it closes the connection on `HELLO`, detection, the remembered RESP2, keys on
/// both backends, pipelining, `SELECT`.
@Suite("ProxyTwemproxyTests", .serialized)
struct ProxyTwemproxyTests {
    /// Makes twemproxy close one connection on a command it does not know (a client that
    /// insists on naming itself): one more `client_err`, a marker in its stats.
    private static func closeOneConnection(_ proxy: Twemproxy) async throws {
        try await Integration.expectError(.connectionClosed, "CLIENT SETNAME through twemproxy with proxy=none") {
            try await RedisConnection.connect(Integration.configuration("\(proxy.url)?proxy=none&protocol=2&name=marker"))
        }
    }

    /// Waits until twemproxy's stats show `count` connections it closed on an unknown command.
    private static func waitForClosedConnections(_ proxy: Twemproxy, atLeast count: Int) async throws -> Int {
        var last = 0
        try await Integration.poll("twemproxy counts \(count) client_err", limit: .seconds(5)) {
            last = try proxy.poolStatistic("client_err") ?? 0
            return last >= count
        }
        return last
    }

    /// Connecting used to fail (twemproxy hangs up on HELLO); now the client reconnects once
    /// with RESP2, detects twemproxy, skips `CLIENT SETNAME`, and keys spread over both
    /// backends by their hash tags.
    @Test func connectsAfterHelloClosesAndServesBothBackends() async throws {
        try await withTwemproxy(backends: 2) { proxy in
            let client = try ProxyTesting.client("\(proxy.url)?name=lockwatch-test")
            let connection = try await client.connection()
            #expect(await connection.proxyKind == .twemproxy)
            #expect(await connection.isRESP3 == false)
            #expect(client.proxyKind == .twemproxy)

            let keys = (0 ..< 40).map { "{orders:\($0)}:lock" }
            for key in keys { _ = try await client.send("SET", key, "v-\(key)") }
            for key in keys { #expect(try await client.send("GET", key).decode(as: String?.self) == "v-\(key)") }
            let holders = try keys.map { key in try #require(try proxy.backend(holding: key)).port }
            #expect(Set(holders).count == 2, "the keys should spread over both backends")
            // One closed connection (the HELLO), none for the client name.
            #expect(try await Self.waitForClosedConnections(proxy, atLeast: 1) == 1)
            await client.shutdown()
        }
    }

    /// After HELLO closed the connection once, the endpoint is remembered as RESP2: the next
    /// connection of the client goes straight to RESP2 and twemproxy closes nothing more.
    @Test func remembersRESP2ForTheEndpoint() async throws {
        try await withTwemproxy(backends: 2) { proxy in
            let client = try ProxyTesting.client(proxy.url)
            _ = try await client.send("SET", "{memory}:a", "1")
            #expect(try await Self.waitForClosedConnections(proxy, atLeast: 1) == 1)
            #expect(ProxyTesting.knowledge(client) == EndpointMemory.Knowledge(helloRefused: true, proxy: .twemproxy))

            try await client.connection().close()
            #expect(try await client.send("GET", "{memory}:a").decode(as: String?.self) == "1")
            // A marker after the reconnect: were HELLO sent again, there would be three.
            try await Self.closeOneConnection(proxy)
            #expect(try await Self.waitForClosedConnections(proxy, atLeast: 2) == 2)

            // A new client has no memory and pays the closed HELLO again.
            let fresh = try ProxyTesting.client(proxy.url)
            _ = try await fresh.send("GET", "{memory}:a")
            #expect(try await Self.waitForClosedConnections(proxy, atLeast: 3) == 3)
            await fresh.shutdown()
            await client.shutdown()
        }
    }

    /// twemproxy serves database 0 only: a URL with another database fails with an error
    /// that says so, instead of a closed connection.
    @Test func selectThroughTwemproxyIsAClearError() async throws {
        try await withTwemproxy(backends: 2) { proxy in
            for url in ["\(proxy.url)/2", "\(proxy.url)?db=3&proxy=twemproxy"] {
                let error = try await Integration.expectError(.invalidConfiguration, "SELECT through twemproxy (\(url))") {
                    try await RedisConnection.connect(Integration.configuration(url))
                }
                #expect(error.message.contains("twemproxy"), "\(error)")
                #expect(error.message.contains("database 0 only"), "\(error)")
            }
        }
    }

    /// `proxy=twemproxy` skips HELLO and detection (nothing is closed); `proxy=none` with a
    /// client name fails, with a message that points at detection.
    @Test func forcedProxyKind() async throws {
        try await withTwemproxy(backends: 2) { proxy in
            let forced = try await RedisConnection.connect(Integration.configuration("\(proxy.url)?proxy=twemproxy&name=x"))
            #expect(await forced.proxyKind == .twemproxy)
            #expect(try await forced.send("SET", "{forced}:a", "1").decode(as: String.self) == "OK")
            await forced.close()
            try await Self.closeOneConnection(proxy)
            // Only the marker: the forced connection sent nothing twemproxy closes on.
            #expect(try await Self.waitForClosedConnections(proxy, atLeast: 1) == 1)

            let error = try await Integration.expectError(.connectionClosed, "proxy=none through twemproxy") {
                try await RedisConnection.connect(Integration.configuration("\(proxy.url)?proxy=none&name=x"))
            }
            #expect(error.message.contains("leave out proxy=none"), "\(error)")
        }
    }

    /// A batch of commands on keys of many tags (both backends) in one write: twemproxy
    /// returns the replies in order.
    @Test func pipelinesAcrossBackends() async throws {
        try await withTwemproxy(backends: 2) { proxy in
            let client = try ProxyTesting.client(proxy.url)
            let keys = (0 ..< 100).map { "{pipe:\($0)}" }
            var batch = RESPCommandBatch()
            for key in keys { batch.append("SET", key, "v-\(key)") }
            for key in keys { batch.append("GET", key) }
            let replies = try await client.send(batch: batch)
            #expect(replies.count == 200)
            for (index, key) in keys.enumerated() {
                #expect(try replies[100 + index].get().decode(as: String?.self) == "v-\(key)")
            }
            let holders = try keys.map { key in try #require(try proxy.backend(holding: key)).port }
            #expect(Set(holders).count == 2)
            await client.shutdown()
        }
    }
}
