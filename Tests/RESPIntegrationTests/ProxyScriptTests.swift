import Foundation
import NIOCore
@testable import RESP
import RedisTestSupport
import Testing

/// Scripts through Codis and twemproxy (`EVALSHA`, then `EVAL` on `NOSCRIPT`, never
/// `SCRIPT LOAD`, which both refuse), with every key of a script under one hash tag, and
/// directly on codis-server 3.2.11, where a write after `TIME` needs
/// `redis.replicate_commands()`.
@Suite("ProxyScriptTests", .serialized)
struct ProxyScriptTests {
    /// Reads the server clock, then writes two keys of one tag: the shape of the lock's
    /// acquire script. Redis 3.2 refuses the write after `TIME` unless the script asks for
    /// effects replication first (a no-op from Redis 5 on).
    static let stampAndCount = RedisScript("""
        redis.replicate_commands()
        local now = redis.call('TIME')
        redis.call('SET', KEYS[1], ARGV[1] .. '@' .. now[1])
        return redis.call('INCR', KEYS[2])
        """)

    /// The same without `redis.replicate_commands()`.
    static let stampWithoutReplication = RedisScript("""
        local now = redis.call('TIME')
        return redis.call('SET', KEYS[1], now[1])
        """)

    @Test func scriptsThroughCodisUseEvalOnNoscript() async throws {
        try await withCodisCluster(groups: 2) { codis in
            let client = try ProxyTesting.client(codis.url)
            for group in 1 ... 2 {
                let tag = codis.key(inGroup: group, prefix: "orders:")
                let keys = ["lock:{\(tag)}", "fence:{\(tag)}"]
                let server = codis.servers[group - 1]
                for round in 1 ... 3 {
                    let fence = try await client.run(Self.stampAndCount, keys: keys, arguments: ["holder"]).decode(as: Int.self)
                    #expect(fence == round)
                }
                // Both keys on the group that owns the tag, written by the script.
                #expect(try server.cli(["GET", keys[0]]).hasPrefix("holder@"))
                #expect(try server.cli(["GET", keys[1]]) == "3")
                // EVALSHA three times, one NOSCRIPT answered with EVAL, never SCRIPT LOAD.
                #expect(try ProxyTesting.calls(of: "evalsha", on: server) == 3)
                #expect(try ProxyTesting.calls(of: "eval", on: server) == 1)
                #expect(try ProxyTesting.calls(of: "script", on: server) == 0)
            }
            await client.shutdown()
        }
    }

    @Test func scriptsThroughTwemproxyUseEvalOnNoscript() async throws {
        try await withTwemproxy(backends: 2) { proxy in
            let client = try ProxyTesting.client(proxy.url)
            var servers: Set<Int> = []
            for index in 0 ..< 12 {
                let keys = ["lock:{jobs:\(index)}", "fence:{jobs:\(index)}"]
                #expect(try await client.run(Self.stampAndCount, keys: keys, arguments: ["holder"]).decode(as: Int.self) == 1)
                #expect(try await client.run(Self.stampAndCount, keys: keys, arguments: ["holder"]).decode(as: Int.self) == 2)
                let server = try #require(try proxy.backend(holding: keys[0]))
                #expect(try server.cli(["GET", keys[1]]) == "2", "both keys of one tag on one backend")
                servers.insert(server.port)
            }
            #expect(servers.count == 2, "the tags should spread over both backends")
            for server in proxy.backends {
                // The first run on each backend met NOSCRIPT and sent EVAL; no SCRIPT LOAD.
                #expect(try ProxyTesting.calls(of: "eval", on: server) == 1)
                #expect(try ProxyTesting.calls(of: "script", on: server) == 0)
                #expect(try ProxyTesting.calls(of: "evalsha", on: server) >= 2)
            }
            await client.shutdown()
        }
    }

    /// Straight on codis-server 3.2.11: the write after `TIME` is refused without
    /// `redis.replicate_commands()` and works with it; without a proxy, `NOSCRIPT` still loads
    /// the script with `SCRIPT LOAD`.
    @Test func scriptsDirectlyOnCodisServer() async throws {
        try await withCodisCluster(groups: 1) { codis in
            let server = codis.servers[0]
            let client = try ProxyTesting.client(server.url)
            let kind = try await client.connection().proxyKind
            #expect(kind == RedisProxyKind.none, "detected \(kind) on a codis-server")
            let refused = try await Integration.expectError(.serverError, "a write after TIME on Redis 3.2") {
                try await client.run(Self.stampWithoutReplication, keys: ["direct:{a}"])
            }
            #expect(refused.message.contains("Write commands not allowed after non deterministic commands"), "\(refused)")
            #expect(try await client.run(Self.stampAndCount, keys: ["direct:{a}", "direct:{a}:n"], arguments: ["h"]).decode(as: Int.self) == 1)
            #expect(try await client.run(Self.stampAndCount, keys: ["direct:{a}", "direct:{a}:n"], arguments: ["h"]).decode(as: Int.self) == 2)
            #expect(try ProxyTesting.calls(of: "script", on: server) == 2)
            #expect(try ProxyTesting.calls(of: "eval", on: server) == 0)
            await client.shutdown()
        }
    }
}
