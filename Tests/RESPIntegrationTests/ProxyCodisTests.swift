import Foundation
import NIOCore
@testable import RESP
import RedisTestSupport
import Testing

/// Helpers of the proxy tests (`Proxy*Tests.swift`), which run the client through a real
/// Codis 3.2 and a real twemproxy started by RedisTestSupport.
enum ProxyTesting {
    /// A client for `url` with an empty environment.
    static func client(_ url: String) throws -> RedisClient {
        RedisClient(configuration: try Integration.configuration(url))
    }

    /// What `client`'s memory knows about its endpoint.
    static func knowledge(_ client: RedisClient) -> EndpointMemory.Knowledge {
        client.endpointMemory.knowledge(for: client.configuration.endpoint)
    }

    /// The `calls=N` of `cmdstat_<command>` in `server`'s `INFO commandstats`, 0 when absent.
    static func calls(of command: String, on server: RedisServer) throws -> Int {
        let stats = try server.cli(["INFO", "commandstats"])
        guard let line = stats.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix("cmdstat_\(command):") }),
              let field = line.split(separator: ":", maxSplits: 1).last?.split(separator: ",").first(where: { $0.hasPrefix("calls=") })
        else { return 0 }
        return Int(field.dropFirst("calls=".count)) ?? 0
    }
}

/// The client through a real Codis 3.2 (two groups of one codis-server each, a dashboard and
/// a proxy): connect, detection, keys in both groups, pipelining, the backend hiccup.
@Suite("ProxyCodisTests", .serialized)
struct ProxyCodisTests {
    /// Connecting used to fail on the refused `CLIENT SETNAME`; now the handshake falls back
    /// to RESP2 (Codis hands HELLO to a 3.2 backend, which does not know it), stays unnamed,
    /// detects Codis, and keys land in the group that owns their slot.
    @Test func connectsDetectsCodisAndServesBothGroups() async throws {
        try await withCodisCluster(groups: 2) { codis in
            let client = try ProxyTesting.client("\(codis.url)?name=lockwatch-test")
            let connection = try await client.connection()
            #expect(await connection.proxyKind == .codis)
            #expect(await connection.isRESP3 == false)
            #expect(client.proxyKind == .codis)
            #expect(ProxyTesting.knowledge(client) == EndpointMemory.Knowledge(helloRefused: true, proxy: .codis))

            for group in 1 ... 2 {
                let key = codis.key(inGroup: group, prefix: "orders:")
                _ = try await client.send("SET", key, "group-\(group)")
                #expect(try await client.send("GET", key).decode(as: String?.self) == "group-\(group)")
                // Stored by that group's codis-server, not the other one.
                #expect(try codis.servers[group - 1].cli(["GET", key]) == "group-\(group)")
                #expect(try codis.servers[2 - group].cli(["EXISTS", key]) == "0")
            }
            await client.shutdown()
        }
    }

    /// Pipelined commands through the proxy, across both groups: one batch in one write, and
    /// many tasks sharing the connection; replies stay matched to their commands.
    @Test func pipelinesAcrossGroups() async throws {
        try await withCodisCluster(groups: 2) { codis in
            let client = try ProxyTesting.client(codis.url)
            let keys = (0 ..< 200).map { "pipe:\($0)" }
            #expect(Set(keys.map { codis.server(for: $0).port }).count == 2, "the keys should span both groups")
            var batch = RESPCommandBatch()
            for key in keys { batch.append("SET", key, "v-\(key)") }
            for key in keys { batch.append("GET", key) }
            let replies = try await client.send(batch: batch)
            #expect(replies.count == 400)
            for (index, key) in keys.enumerated() {
                #expect(try replies[200 + index].get().decode(as: String?.self) == "v-\(key)")
            }
            let values = try await withThrowingTaskGroup(of: (String, String?).self) { group in
                for key in keys {
                    group.addTask { (key, try await client.send("GET", key).decode(as: String?.self)) }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            #expect(values.count == 200)
            #expect(values.allSatisfy { $0.value == "v-\($0.key)" })
            await client.shutdown()
        }
    }

    /// `proxy=` skips detection: `codis` goes straight to RESP2 without a client name; `none`
    /// treats Codis as Redis, whose refused `CLIENT SETNAME` is passed over.
    @Test func forcedProxyKind() async throws {
        try await withCodisCluster(groups: 2) { codis in
            let forcedCodis = try await RedisConnection.connect(Integration.configuration("\(codis.url)?proxy=codis&name=x"))
            #expect(await forcedCodis.proxyKind == .codis)
            #expect(await forcedCodis.isRESP3 == false)
            #expect(try await forcedCodis.send("SET", "forced:a", "1").decode(as: String.self) == "OK")
            await forcedCodis.close()

            let forcedNone = try await RedisConnection.connect(Integration.configuration("\(codis.url)?proxy=none&name=x"))
            #expect(await forcedNone.proxyKind == RedisProxyKind.none)
            #expect(try await forcedNone.send("GET", "forced:a").decode(as: String?.self) == "1")
            await forcedNone.close()

            // Detected, for comparison.
            let detected = try await RedisConnection.connect(Integration.configuration("\(codis.url)?protocol=2"))
            #expect(await detected.proxyKind == .codis)
            await detected.close()
        }
    }

    /// Codis answers `ERR handle response, backend conn …` while it cannot reach a group's
    /// server (as right after it starts): the client sends the command again within its
    /// timeout instead of failing, once the server is back.
    @Test func backendHiccupIsRetriedWithinTheTimeout() async throws {
        try await withCodisCluster(groups: 2) { codis in
            let key = codis.key(inGroup: 2, prefix: "hiccup:")
            let client = try ProxyTesting.client("\(codis.url)?timeout=20s")
            _ = try await client.send("SET", key, "before")
            let server = codis.servers[1]
            server.kill()

            // What Codis answers now, seen by a connection that treats it as plain Redis.
            let plain = try await RedisConnection.connect(Integration.configuration("\(codis.url)?proxy=none"))
            let hiccup = try await Integration.expectError(.serverError, "GET while group 2 is down") {
                try await plain.send("GET", key)
            }
            #expect(hiccup.message.hasPrefix("ERR handle response, backend conn"), "\(hiccup)")
            await plain.close()

            // A session publishes its counters when it answers something a second or more
            // after it last did: once the count of SETs grows, the client's session has
            // answered the SET below, while the server was down, so with a refusal.
            let before = try codis.proxyCalls("SET")
            let write = Task { try await client.send("SET", key, "after").decode(as: String.self) }
            try await Integration.poll("the proxy counts the client's refused SET", limit: .seconds(15)) {
                try codis.proxyCalls("SET") > before
            }
            try await server.restart()
            #expect(try await write.value == "OK")
            #expect(try server.cli(["GET", key]) == "after")
            await client.shutdown()
        }
    }
}
