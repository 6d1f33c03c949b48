import Foundation
#if canImport(Glibc)
import Glibc
#endif
import RedisTestSupport
import Testing

/// Checks the test harness itself against real redis-server processes.
@Suite("RedisServerHarnessTests")
struct RedisServerHarnessTests {
    private struct Marker: Error {}

    @Test func startsAndAnswersPing() async throws {
        try await withRedisServer { server throws in
            #expect(server.port > 0)
            #expect(server.host == "127.0.0.1")
            #expect(server.url == "redis://127.0.0.1:\(server.port)")
            #expect(server.certificates == nil)
            #expect(server.pid > 0)
            #expect(try server.cli(["PING"]) == "PONG")
        }
    }

    @Test func unixSocketOnlyServerAnswersPing() async throws {
        try await withRedisServer(.init(unixSocket: true, tcp: false)) { server throws in
            let path = try #require(server.unixSocketPath)
            #expect(path.utf8.count < 100)
            #expect(path.hasPrefix(server.directory))
            #expect(server.url == "unix://\(path)")
            #expect(try server.cli(["PING"]) == "PONG")
            #expect(try server.cli(["CONFIG", "GET", "port"]) == "port\n0")
        }
    }

    @Test func unixSocketNextToTCP() async throws {
        try await withRedisServer(.init(unixSocket: true)) { server throws in
            let path = try #require(server.unixSocketPath)
            #expect(try server.cli(["-s", path, "SET", "via", "socket"]) == "OK")
            #expect(try server.cli(["GET", "via"]) == "socket")
        }
    }

    @Test func restartKeepsPortAndLosesData() async throws {
        try await withRedisServer { server throws in
            let port = server.port
            let pid = server.pid
            #expect(try server.cli(["SET", "key", "value"]) == "OK")
            #expect(try server.cli(["GET", "key"]) == "value")

            try await server.restart()

            #expect(server.port == port)
            #expect(server.pid != pid)
            #expect(try server.cli(["GET", "key"]) == "")
        }
    }

    @Test func killedServerRefusesUntilRestarted() async throws {
        try await withRedisServer(.init(unixSocket: true)) { server throws in
            server.kill()
            #expect(!server.isRunning)
            #expect(throws: RedisServerError.self) { try server.cli(["PING"]) }

            try await server.restart()
            #expect(server.isRunning)
            #expect(try server.cli(["PING"]) == "PONG")
            let path = try #require(server.unixSocketPath)
            #expect(try server.cli(["-s", path, "PING"]) == "PONG")
        }
    }

    @Test func tlsServerOnlyAnswersPing() async throws {
        try await withRedisServer(.init(tls: .serverOnly)) { server throws in
            let certificates = try #require(server.certificates)
            #expect(FileManager.default.fileExists(atPath: certificates.caFile))
            #expect(server.url == "rediss://127.0.0.1:\(server.port)")
            #expect(try server.cli(["PING"]) == "PONG")
            #expect(try server.cli(["CONFIG", "GET", "tls-auth-clients"]) == "tls-auth-clients\nno")
        }
    }

    @Test func mutualTLSAnswersPingWithClientCertificate() async throws {
        try await withRedisServer(.init(tls: .mutual)) { server throws in
            #expect(try server.cli(["PING"]) == "PONG")
            #expect(try server.cli(["CONFIG", "GET", "tls-auth-clients"]) == "tls-auth-clients\nyes")
        }
    }

    @Test func aclUserRuleIsApplied() async throws {
        let options = RedisServer.Options(aclRules: ["ops on >opspw ~* &* +@all", "default off"])
        try await withRedisServer(options) { server throws in
            #expect(try server.cli(["--user", "ops", "--pass", "opspw", "PING"]) == "PONG")
            #expect(try server.cli(["--user", "ops", "--pass", "opspw", "ACL", "WHOAMI"]) == "ops")
            #expect(try server.cli(["--user", "ops", "--pass", "wrong", "PING"]).hasPrefix("NOAUTH"))
            #expect(try server.cli(["PING"]).hasPrefix("NOAUTH"))
        }
    }

    @Test func requirePasswordProtectsDefaultUser() async throws {
        try await withRedisServer(.init(requirePassword: "s3cret")) { server throws in
            #expect(try server.cli(["PING"]).hasPrefix("NOAUTH"))
            #expect(try server.cli(["-a", "s3cret", "PING"]) == "PONG")
        }
    }

    @Test func extraConfigurationIsApplied() async throws {
        try await withRedisServer(.init(extraConfiguration: ["maxmemory-policy allkeys-lru"])) { server throws in
            #expect(try server.cli(["CONFIG", "GET", "maxmemory-policy"]) == "maxmemory-policy\nallkeys-lru")
            #expect(try server.cli(["CONFIG", "GET", "save"]) == "save")
            #expect(try server.cli(["CONFIG", "GET", "appendonly"]) == "appendonly\nno")
        }
    }

    @Test func parallelServersGetDifferentPorts() async throws {
        async let first = RedisServer.start()
        async let second = RedisServer.start()
        let servers = try await [first, second]
        #expect(servers[0].port != servers[1].port)
        #expect(servers[0].directory != servers[1].directory)
        for server in servers {
            #expect(try server.cli(["PING"]) == "PONG")
            await server.stop()
        }
    }

    @Test func stopRemovesDirectoryAndIsIdempotent() async throws {
        let server = try await RedisServer.start()
        let directory = server.directory
        #expect(directory.contains("redis-test-"))
        #expect(FileManager.default.fileExists(atPath: directory))

        await server.stop()
        #expect(!FileManager.default.fileExists(atPath: directory))
        #expect(throws: RedisServerError.self) { try server.cli(["PING"]) }
        await server.stop()
        await #expect(throws: RedisServerError.self) { try await server.restart() }
    }

    @Test func withRedisServerStopsWhenBodyThrows() async throws {
        var directory = ""
        await #expect(throws: Marker.self) {
            try await withRedisServer { server throws in
                directory = server.directory
                #expect(try server.cli(["PING"]) == "PONG")
                throw Marker()
            }
        }
        #expect(!directory.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: directory))
    }

    @Test func deinitKillsAnUnstoppedServer() async throws {
        var pid: Int32 = 0
        var directory = ""
        do {
            let server = try await RedisServer.start()
            pid = server.pid
            directory = server.directory
            #expect(try server.cli(["PING"]) == "PONG")
        }
        #expect(pid > 0)
        #expect(kill(pid, 0) == -1)
        #expect(!FileManager.default.fileExists(atPath: directory))
    }

    #if os(Linux)
    @Test func pauseStopsTheProcessAndResumeContinuesIt() async throws {
        try await withRedisServer { server throws in
            server.pause()
            #expect(try Self.processState(server.pid) == "T")
            server.resume()
            #expect(try Self.processState(server.pid) != "T")
            #expect(try server.cli(["PING"]) == "PONG")
        }
    }

    /// The state letter from `/proc/PID/stat` ("T" when stopped).
    private static func processState(_ pid: Int32) throws -> String {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        let afterName = try #require(stat.range(of: ") ", options: .backwards))
        return String(stat[afterName.upperBound...].prefix(1))
    }
    #endif

    @Test func invalidOptionsAreRejected() async throws {
        await #expect(throws: RedisServerError.self) {
            _ = try await RedisServer.start(.init(unixSocket: false, tcp: false))
        }
    }

    /// LocalRedis does not make certificates (the test support does): a TLS server started
    /// directly without them is refused with a message that says what is missing.
    @Test func tlsWithoutCertificatesIsRejectedByName() async throws {
        let error = await #expect(throws: RedisServerError.self) {
            _ = try await RedisServer.start(.init(tls: .serverOnly))
        }
        #expect("\(error.map { "\($0)" } ?? "")".contains("certificates"))
    }
}
