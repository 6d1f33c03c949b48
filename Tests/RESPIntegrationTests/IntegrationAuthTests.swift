import NIOCore
@testable import RESP
import RedisTestSupport
import Testing

/// ACL users and `requirepass`: permissions and authentication errors.
@Suite("IntegrationAuthTests")
struct IntegrationAuthTests {
    static let aclOptions = RedisServer.Options(aclRules: [
        "ops on >opspw ~* &* +@all",
        "reader on >readerpw ~* -@all +get +ping +hello",
        "default off",
    ])

    @Test(arguments: [RedisConfiguration.ProtocolPreference.resp2, .resp3WithFallback])
    func aclUsers(preference: RedisConfiguration.ProtocolPreference) async throws {
        try await withRedisServer(Self.aclOptions) { server in
            let port = server.port
            var opsConfiguration = try Integration.configuration("redis://ops:opspw@127.0.0.1:\(port)")
            opsConfiguration.protocolPreference = preference
            let ops = try await RedisConnection.connect(opsConfiguration)
            #expect(try await ops.send("ACL", "WHOAMI").decode(as: String.self) == "ops")
            _ = try await ops.send("SET", "shared", "value")

            var readerConfiguration = try Integration.configuration("redis://reader:readerpw@127.0.0.1:\(port)")
            readerConfiguration.protocolPreference = preference
            let reader = try await RedisConnection.connect(readerConfiguration)
            #expect(await reader.isRESP3 == (preference == .resp3WithFallback))
            #expect(try await reader.send("GET", "shared").decode(as: String?.self) == "value")
            let denied = try await Integration.expectError(.permissionDenied, "SET as reader") {
                try await reader.send("SET", "shared", "other")
            }
            #expect(denied.message.hasPrefix("NOPERM"), "\(denied)")
            #expect(denied.serverErrorPrefix == "NOPERM")
            // The connection stays usable after the denial.
            #expect(try await reader.send("PING").decode(as: String.self) == "PONG")
            #expect(try await ops.send("GET", "shared").decode(as: String?.self) == "value")

            // Wrong password: authenticationFailed on connect, the password is not echoed.
            let secret = "Wr0ng-Secret-4711"
            let wrong = try await Integration.expectError(.authenticationFailed, "wrong password") {
                var configuration = try Integration.configuration("redis://reader:\(secret)@127.0.0.1:\(port)")
                configuration.protocolPreference = preference
                return try await RedisConnection.connect(configuration)
            }
            #expect(!wrong.message.contains(secret), "\(wrong)")
            #expect(!wrong.description.contains(secret), "\(wrong)")
            #expect(wrong.message.contains("reader"), "\(wrong)")

            // Unknown user, and the disabled default user (no credentials).
            try await Integration.expectError(.authenticationFailed, "unknown user") {
                var configuration = try Integration.configuration("redis://nobody:\(secret)@127.0.0.1:\(port)")
                configuration.protocolPreference = preference
                return try await RedisConnection.connect(configuration)
            }
            try await Integration.expectError(.authenticationFailed, "no credentials with default off") {
                try await RedisConnection.connect(Integration.configuration(server, protocol: preference))
            }
            await reader.close()
            await ops.close()
        }
    }

    /// A SUBSCRIBE the server refuses (ACL channel permissions) must throw, not return a
    /// subscription that silently never receives anything.
    @Test(arguments: [RedisConfiguration.ProtocolPreference.resp2, .resp3WithFallback])
    func subscribeDeniedByACLThrows(preference: RedisConfiguration.ProtocolPreference) async throws {
        let options = RedisServer.Options(aclRules: ["limited on >limitedpw ~* resetchannels &allowed:* +@all"])
        try await withRedisServer(options) { server in
            var configuration = try Integration.configuration("redis://limited:limitedpw@127.0.0.1:\(server.port)")
            configuration.protocolPreference = preference
            let client = RedisClient(configuration: configuration)
            let allowed = try await client.subscribe(to: ["allowed:1"])
            #expect(try await client.publish("ok", to: "allowed:1") == 1)
            #expect(try await Integration.messages(allowed, count: 1).map(\.text) == ["ok"])

            let denied = try await Integration.expectError(.permissionDenied, "SUBSCRIBE to a forbidden channel") {
                try await client.subscribe(to: ["forbidden"])
            }
            #expect(denied.message.hasPrefix("NOPERM"), "\(denied)")
            try await Integration.expectError(.permissionDenied, "PSUBSCRIBE to a forbidden pattern") {
                try await client.subscribe(.pattern, to: ["forbidden*"])
            }
            // The allowed subscription and the client keep working.
            #expect(try await client.publish("still", to: "allowed:1") == 1)
            #expect(try await Integration.messages(allowed, count: 1).map(\.text) == ["still"])
            #expect(try await client.send("PING").decode(as: String.self) == "PONG")
            await client.shutdown()
        }
    }

    @Test(arguments: [RedisConfiguration.ProtocolPreference.resp2, .resp3WithFallback])
    func requirePassword(preference: RedisConfiguration.ProtocolPreference) async throws {
        try await withRedisServer(.init(requirePassword: "pa55word")) { server in
            let missing = try await Integration.expectError(.authenticationFailed, "no password") {
                try await RedisConnection.connect(Integration.configuration(server, protocol: preference))
            }
            #expect(missing.message.contains("requires a password"), "\(missing)")
            #expect(missing.message.contains("127.0.0.1:\(server.port)"), "\(missing)")

            let wrong = try await Integration.expectError(.authenticationFailed, "wrong password") {
                var configuration = try Integration.configuration("redis://:guess-9x@127.0.0.1:\(server.port)")
                configuration.protocolPreference = preference
                return try await RedisConnection.connect(configuration)
            }
            #expect(!wrong.message.contains("guess-9x"), "\(wrong)")

            // The password from the URL, and from the environment.
            var configuration = try Integration.configuration("redis://:pa55word@127.0.0.1:\(server.port)")
            configuration.protocolPreference = preference
            let connection = try await RedisConnection.connect(configuration)
            #expect(try await connection.send("PING").decode(as: String.self) == "PONG")
            await connection.close()

            var fromEnvironment = try RedisConfiguration(url: server.url, environment: ["REDIS_PASSWORD": "pa55word"])
            fromEnvironment.protocolPreference = preference
            let client = RedisClient(configuration: fromEnvironment)
            #expect(try await client.send("ECHO", "env").decode(as: String.self) == "env")
            await client.shutdown()
        }
    }
}
