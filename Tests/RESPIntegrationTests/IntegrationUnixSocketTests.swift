import NIOCore
@testable import RESP
import RedisTestSupport
import Testing

/// `unix://` URLs against a server listening on a unix domain socket.
@Suite("IntegrationUnixSocketTests")
struct IntegrationUnixSocketTests {
    @Test func unixSocketURLWorks() async throws {
        try await withRedisServer(.init(unixSocket: true, tcp: false)) { server in
            let path = try #require(server.unixSocketPath)
            #expect(server.url == "unix://\(path)")
            let configuration = try Integration.configuration(server.url)
            #expect(configuration.endpoint == .unixSocket(path: path))

            let client = RedisClient(configuration: configuration)
            _ = try await client.send("SET", "via", "socket")
            #expect(try await client.send("GET", "via").decode(as: String?.self) == "socket")
            #expect(await (try client.connection()).isRESP3)
            await client.shutdown()
            #expect(try server.cli(["GET", "via"]) == "socket")

            // Database, name and protocol from the query.
            let connection = try await RedisConnection.connect(Integration.configuration("\(server.url)?db=4&name=sock&protocol=2"))
            #expect(await connection.isRESP3 == false)
            let info = try await connection.send("CLIENT", "INFO").decode(as: String.self)
            #expect(info.contains("db=4"), "\(info)")
            #expect(info.contains("name=sock"), "\(info)")
            #expect(try await connection.send("GET", "via").decode(as: String?.self) == nil)
            await connection.close()
        }
    }

    @Test func missingSocketFailsToConnect() async throws {
        let path = "/tmp/no-such-redis-\(UInt32.random(in: 0 ... .max)).sock"
        let error = try await Integration.expectError(.connectionFailed, "connecting to a missing socket") {
            try await RedisConnection.connect(Integration.configuration("unix://\(path)"))
        }
        #expect(error.message.contains(path), "\(error)")
    }
}
