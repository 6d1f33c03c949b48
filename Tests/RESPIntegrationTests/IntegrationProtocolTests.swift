import NIOCore
@testable import RESP
import RedisTestSupport
import Testing

/// RESP2 and RESP3 against a real server, and the fallback to RESP2 when HELLO is unknown.
@Suite("IntegrationProtocolTests")
struct IntegrationProtocolTests {
    @Test(arguments: [RedisConfiguration.ProtocolPreference.resp2, .resp3WithFallback])
    func bothProtocolsDecodeTheSameValues(preference: RedisConfiguration.ProtocolPreference) async throws {
        try await withRedisServer { server in
            let connection = try await Integration.connect(server, protocol: preference)
            let resp3 = preference == .resp3WithFallback
            #expect(await connection.isRESP3 == resp3)

            _ = try await connection.send("HSET", "h", "f1", "v1", "f2", "v2", "empty", "")
            let reply = try await connection.send("HGETALL", "h")
            switch reply.value {
            case .map: #expect(resp3, "RESP2 must not send maps")
            case .array: #expect(!resp3, "RESP3 must answer HGETALL with a map")
            default: Issue.record("HGETALL answered \(reply)")
            }
            #expect(try reply.decode(as: [String: String].self) == ["f1": "v1", "f2": "v2", "empty": ""])

            // Missing keys: RESP3 null and RESP2 null bulk string both decode as nil.
            #expect(try await connection.send("GET", "missing").decode(as: String?.self) == nil)
            #expect(try await connection.send("HGETALL", "missing").decode(as: [String: String].self) == [:])
            // Sets, integers, doubles and nested arrays.
            _ = try await connection.send("SADD", "s", "x", "y", "z")
            #expect(Set(try await connection.send("SMEMBERS", "s").decode(as: [String].self)) == ["x", "y", "z"])
            #expect(try await connection.send("INCRBY", "n", 41).decode(as: Int.self) == 41)
            #expect(try await connection.send("INCRBYFLOAT", "f", "1.5").decode(as: Double.self) == 1.5)
            _ = try await connection.send("ZADD", "z", 1, "a", 2, "b")
            let scored = try await connection.send("ZRANGE", "z", 0, -1, "WITHSCORES")
            if resp3 {
                #expect(try scored.decode(as: [[String]].self).count == 2)
            } else {
                #expect(try scored.decode(as: [String].self) == ["a", "1", "b", "2"])
            }
            // A server error reply is a serverError with its prefix.
            let error = try await Integration.expectError(.serverError, "LPUSH on a hash") {
                try await connection.send("LPUSH", "h", "x")
            }
            #expect(error.serverErrorPrefix == "WRONGTYPE")
            #expect(try await connection.send("PING").decode(as: String.self) == "PONG")
            await connection.close()
        }
    }

    /// RESP3 pushes other than pub/sub (client-side caching invalidations) are skipped
    /// without disturbing reply matching.
    @Test func trackingInvalidationPushesAreIgnored() async throws {
        try await withRedisServer { server in
            let connection = try await Integration.connect(server)
            let writer = try await Integration.connect(server)
            #expect(try await connection.send("CLIENT", "TRACKING", "ON").decode(as: String.self) == "OK")
            for round in 0 ..< 20 {
                _ = try await writer.send("SET", "tracked:\(round)", "v\(round)")
                #expect(try await connection.send("GET", "tracked:\(round)").decode(as: String?.self) == "v\(round)")
                // Invalidates the key the connection read: the server pushes "invalidate".
                _ = try await writer.send("SET", "tracked:\(round)", "w\(round)")
                #expect(try await connection.send("GET", "tracked:\(round)").decode(as: String?.self) == "w\(round)")
                #expect(try await connection.send("ECHO", "r\(round)").decode(as: String.self) == "r\(round)")
            }
            #expect(connection.isActive)
            await connection.close()
            await writer.close()
        }
    }

    @Test func urlProtocolItemSelectsRESP2() async throws {
        try await withRedisServer { server in
            let connection = try await RedisConnection.connect(Integration.configuration("\(server.url)?protocol=2"))
            #expect(await connection.isRESP3 == false)
            let hello = try await connection.send("CLIENT", "INFO").decode(as: String.self)
            #expect(hello.contains("resp=2"), "\(hello)")
            await connection.close()

            let resp3 = try await RedisConnection.connect(Integration.configuration("\(server.url)?protocol=3&name=it-client&db=3"))
            #expect(await resp3.isRESP3)
            let info = try await resp3.send("CLIENT", "INFO").decode(as: String.self)
            #expect(info.contains("resp=3"), "\(info)")
            #expect(info.contains("name=it-client"), "\(info)")
            #expect(info.contains("db=3"), "\(info)")
            await resp3.close()
        }
    }

    /// With HELLO renamed away the server answers "unknown command": the client falls back
    /// to RESP2 and works, also with a password (AUTH instead of HELLO … AUTH).
    @Test func fallsBackToRESP2WhenHELLOIsUnknown() async throws {
        let options = RedisServer.Options(requirePassword: "fallback-pw", extraConfiguration: ["rename-command HELLO \"\""])
        try await withRedisServer(options) { server in
            #expect(try server.cli(["-a", "fallback-pw", "HELLO", "3"]).contains("unknown command"))

            let url = "redis://:fallback-pw@127.0.0.1:\(server.port)/2?name=fallback"
            let connection = try await RedisConnection.connect(Integration.configuration(url))
            #expect(await connection.isRESP3 == false)
            _ = try await connection.send("HSET", "h", "a", "1")
            #expect(try await connection.send("HGETALL", "h").decode(as: [String: Int].self) == ["a": 1])
            let info = try await connection.send("CLIENT", "INFO").decode(as: String.self)
            #expect(info.contains("db=2"), "\(info)")
            #expect(info.contains("name=fallback"), "\(info)")
            #expect(info.contains("resp=2"), "\(info)")
            await connection.close()

            // The reconnecting client falls back as well, and pub/sub uses its RESP2 path.
            let client = RedisClient(configuration: try Integration.configuration(url))
            #expect(await (try client.connection()).isRESP3 == false)
            let subscription = try await client.subscribe(to: ["fallback-channel"])
            #expect(try await client.publish("hi", to: "fallback-channel") == 1)
            let messages = try await Integration.messages(subscription, count: 1)
            #expect(messages.map(\.text) == ["hi"])
            #expect(try await client.send("GET", "nothing").decode(as: String?.self) == nil)
            await client.shutdown()

            // A wrong password still is an authentication failure, not a protocol problem.
            try await Integration.expectError(.authenticationFailed, "wrong password after fallback") {
                try await RedisConnection.connect(Integration.configuration("redis://:nope@127.0.0.1:\(server.port)"))
            }
        }
    }
}
