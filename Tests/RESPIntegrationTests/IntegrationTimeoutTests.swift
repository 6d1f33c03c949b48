import NIOCore
@testable import RESP
import RedisTestSupport
import Testing

/// Command timeouts and Task cancellation: the caller gives up, the late reply is dropped,
/// and later replies still reach their own callers.
@Suite("IntegrationTimeoutTests")
struct IntegrationTimeoutTests {
    static let debugAllowed = RedisServer.Options(extraConfiguration: ["enable-debug-command yes"])

    @Test func timeoutLeavesConnectionUsable() async throws {
        try await withRedisServer(Self.debugAllowed) { server in
            let connection = try await Integration.connect(server)
            _ = try await connection.send("SET", "k", "kept")

            // The reply comes after 1 s; the timeout must fire before it (a .timeout error
            // proves that: had the reply come first, the send would have succeeded).
            let started = ContinuousClock.now
            do throws(RedisError) {
                let reply = try await connection.send(RESPCommand("DEBUG", "SLEEP", "1"), timeout: .milliseconds(100))
                Issue.record("DEBUG SLEEP 1 with a 100 ms timeout answered \(reply) after \(ContinuousClock.now - started)")
            } catch {
                let waited = ContinuousClock.now - started
                #expect(error.code == .timeout, "\(error)")
                #expect(waited >= .milliseconds(90))
                #expect(error.message.contains("DEBUG"), "\(error)")
            }

            // The late "+OK" of DEBUG SLEEP is dropped; these get their own replies.
            #expect(connection.isActive)
            async let ping = connection.send("PING")
            async let get = connection.send("GET", "k")
            async let echo = connection.send("ECHO", "mine")
            #expect(try await ping.decode(as: String.self) == "PONG")
            #expect(try await get.decode(as: String?.self) == "kept")
            #expect(try await echo.decode(as: String.self) == "mine")
            #expect(try await connection.send("INCR", "n").decode(as: Int.self) == 1)

            // A batch times out the same way.
            try await Integration.expectError(.timeout, "batch with DEBUG SLEEP") {
                try await connection.send(batch: [RESPCommand("DEBUG", "SLEEP", "0.6"), RESPCommand("PING")], timeout: .milliseconds(50))
            }
            #expect(try await connection.send("ECHO", "after-batch").decode(as: String.self) == "after-batch")
            await connection.close()
        }
    }

    /// The configured commandTimeout (from the URL) applies when no timeout is passed.
    @Test func configuredTimeoutApplies() async throws {
        try await withRedisServer(Self.debugAllowed) { server in
            let client = RedisClient(configuration: try Integration.configuration("\(server.url)?timeout=300ms"))
            // Connected first, so that the timing below is the command's alone. (The handshake
            // runs under the same 300 ms timeout; retry in case a loaded machine is slow.)
            try await Integration.poll("connecting with timeout=300ms") {
                (try? await client.send("PING").decode(as: String.self)) == "PONG"
            }
            // 500 ms: past the 300 ms timeout, but within the grace period (another
            // commandTimeout) after which an unanswered connection is closed.
            let started = ContinuousClock.now
            try await Integration.expectError(.timeout, "DEBUG SLEEP 0.5 with timeout=300ms") {
                try await client.send("DEBUG", "SLEEP", "0.5")
            }
            let waited = ContinuousClock.now - started
            #expect(waited >= .milliseconds(290), "timed out after \(waited)")
            // The late reply is dropped; the next command gets its own.
            #expect(try await client.send("ECHO", "next").decode(as: String.self) == "next")
            // A per-command timeout overrides the configured one.
            #expect(try await client.send(RESPCommand("DEBUG", "SLEEP", "0.4"), timeout: .seconds(3)).decode(as: String.self) == "OK")
            #expect(try await client.send("ECHO", "x").decode(as: String.self) == "x")
            await client.shutdown()
        }
    }

    /// A paused (SIGSTOP) server: commands time out and the connection is closed as
    /// unresponsive after the grace period instead of hanging forever.
    @Test func unresponsiveServerClosesConnection() async throws {
        try await withRedisServer { server in
            var configuration = try Integration.configuration(server)
            configuration.commandTimeout = .milliseconds(500)
            let connection = try await RedisConnection.connect(configuration)
            server.pause()
            defer { server.resume() }
            try await Integration.expectError(.timeout, "PING to a paused server") {
                try await connection.send("PING")
            }
            try await Integration.poll("closing the unresponsive connection", limit: .seconds(3)) { !connection.isActive }
            server.resume()
            // Later commands fail at once, saying why the connection ended.
            do throws(RedisError) {
                let reply = try await connection.send("PING")
                Issue.record("PING on the closed connection answered \(reply)")
            } catch {
                #expect(error.code == .timeout || error.code == .connectionClosed, "\(error)")
                #expect(error.message.contains("stopped answering"), "\(error)")
            }
        }
    }

    @Test func cancelledBlockingCommandIsDroppedAndRepliesStayMatched() async throws {
        try await withRedisServer { server in
            let connection = try await Integration.connect(server)
            let other = try await Integration.connect(server)

            let blocked = Task { () throws(RedisError) -> RESPToken in
                try await connection.send("BLPOP", "queue", 5)
            }
            try await Integration.waitForBlockedClients(server, count: 1)
            let cancelledAt = ContinuousClock.now
            blocked.cancel()
            let result = await blocked.result
            let waited = ContinuousClock.now - cancelledAt
            guard case .failure(let error) = result else {
                Issue.record("the cancelled BLPOP returned \(result)")
                return
            }
            #expect((error as? RedisError)?.code == .cancelled, "\(error)")
            #expect(waited < .milliseconds(1_500), "cancellation took \(waited)")
            #expect(connection.isActive)

            // Still blocked on the server: the next command queues behind the BLPOP.
            let echo = Task { try await connection.send("ECHO", "my-own-reply").decode(as: String.self) }
            // Unblock it: the abandoned BLPOP reply takes the element and must be dropped.
            #expect(try await other.send("RPUSH", "queue", "element").decode(as: Int.self) == 1)
            #expect(try await Integration.within(.seconds(3), "the queued ECHO") { try await echo.value } == "my-own-reply")
            let popped = try await connection.send("LPOP", "queue")
            #expect(try popped.decode(as: String?.self) == nil, "LPOP got \(popped)")
            #expect(try await connection.send("PING").decode(as: String.self) == "PONG")
            #expect(try await other.send("LLEN", "queue").decode(as: Int.self) == 0)

            // Cancelled before sending: fails at once and sends nothing.
            let early = Task { () throws(RedisError) -> RESPToken in
                withUnsafeCurrentTask { $0?.cancel() }
                return try await connection.send("SET", "never", "written")
            }
            guard case .failure(let earlyError) = await early.result else {
                Issue.record("a send in a cancelled task succeeded")
                return
            }
            #expect((earlyError as? RedisError)?.code == .cancelled, "\(earlyError)")
            #expect(try await connection.send("EXISTS", "never").decode(as: Int.self) == 0)
            await connection.close()
            await other.close()
        }
    }

    /// Many cancelled and many live commands interleaved on one connection.
    @Test func interleavedCancellationsKeepRepliesMatched() async throws {
        try await withRedisServer { server in
            let connection = try await Integration.connect(server)
            let mismatches = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0 ..< 200 {
                    let task = Task { () throws(RedisError) -> String in
                        try await connection.send("ECHO", "e\(index)").decode(as: String.self)
                    }
                    if index % 2 == 0 { task.cancel() }
                    group.addTask {
                        switch await task.result {
                        case .success(let text): return text == "e\(index)" ? 0 : 1
                        case .failure(let error): return (error as? RedisError)?.code == .cancelled ? 0 : 1
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(mismatches == 0)
            #expect(try await connection.send("ECHO", "last").decode(as: String.self) == "last")
            await connection.close()
        }
    }
}
