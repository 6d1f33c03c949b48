import NIOCore
@testable import RESP
import RedisTestSupport
import Testing

/// `run(_:keys:arguments:)`: EVALSHA with automatic loading on NOSCRIPT.
@Suite("IntegrationScriptTests")
struct IntegrationScriptTests {
    static let setAndIncrement = RedisScript("""
        redis.call('SET', KEYS[1], ARGV[1])
        return redis.call('INCRBY', KEYS[1], ARGV[2])
        """)

    static let echoKeysAndArguments = RedisScript("return {KEYS[1], KEYS[2], ARGV[1], #ARGV}")

    @Test func runLoadsOnNoScriptAndAfterFlush() async throws {
        try await withRedisServer { server in
            let connection = try await Integration.connect(server)
            let script = Self.setAndIncrement
            #expect(try await connection.send("SCRIPT", "EXISTS", script.sha1).decode(as: [Int].self) == [0])

            // First run: the server does not know the script (NOSCRIPT → SCRIPT LOAD → EVALSHA).
            #expect(try await connection.run(script, keys: ["n"], arguments: ["10", "5"]).decode(as: Int.self) == 15)
            #expect(try await connection.send("SCRIPT", "EXISTS", script.sha1).decode(as: [Int].self) == [1])
            // Second run: straight EVALSHA.
            #expect(try await connection.run(script, keys: ["n"], arguments: ["1", "1"]).decode(as: Int.self) == 2)

            // The client-side SHA-1 equals the server's.
            #expect(try await connection.send("SCRIPT", "LOAD", script.source).decode(as: String.self) == script.sha1)

            // After SCRIPT FLUSH it loads again.
            _ = try await connection.send("SCRIPT", "FLUSH")
            #expect(try await connection.send("SCRIPT", "EXISTS", script.sha1).decode(as: [Int].self) == [0])
            #expect(try await connection.run(script, keys: ["m"], arguments: ["100", "-1"]).decode(as: Int.self) == 99)
            #expect(try await connection.send("GET", "m").decode(as: String?.self) == "99")

            // Multiple keys and arguments arrive in order; Lua tables become arrays.
            let echoed = try await connection.run(Self.echoKeysAndArguments, keys: ["k1", "k2"], arguments: ["a1", "a2", "a3"])
            #expect(try echoed.decode(as: [String].self) == ["k1", "k2", "a1", "3"])
            await connection.close()
        }
    }

    @Test func clientRunAndScriptErrors() async throws {
        try await withRedisServer { server in
            let client = RedisClient(configuration: try Integration.configuration(server))
            // Concurrent first runs of the same unknown script all succeed.
            let results = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0 ..< 20 {
                    group.addTask {
                        try await client.run(Self.setAndIncrement, keys: ["c"], arguments: ["0", "1"]).decode(as: Int.self)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results == Array(repeating: 1, count: 20))

            // A script that raises an error is a serverError, not a NOSCRIPT loop.
            let failing = RedisScript("return redis.error_reply('MYERR custom failure')")
            let error = try await Integration.expectError(.serverError, "script error") {
                try await client.run(failing, keys: [])
            }
            #expect(error.message.contains("custom failure"), "\(error)")

            // A syntax error in the source fails at SCRIPT LOAD with a server error.
            let broken = RedisScript("return (((")
            try await Integration.expectError(.serverError, "broken script") {
                try await client.run(broken, keys: [])
            }
            #expect(try await client.send("PING").decode(as: String.self) == "PONG")

            // After a restart the cache is empty again and run still works.
            try await server.restart()
            var attempts = 0
            var value: Int?
            while value == nil, attempts < 5 {
                attempts += 1
                do throws(RedisError) {
                    value = try await client.run(Self.setAndIncrement, keys: ["c"], arguments: ["7", "1"]).decode(as: Int.self)
                } catch {
                    if error.code != .connectionClosed { throw error }
                }
            }
            #expect(value == 8)
            await client.shutdown()
        }
    }
}
