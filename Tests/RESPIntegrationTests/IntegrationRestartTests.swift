import NIOCore
@testable import RESP
import RedisTestSupport
import Testing

/// The server going away: restart, SIGKILL with commands in flight, and reconnecting.
@Suite("IntegrationRestartTests")
struct IntegrationRestartTests {
    @Test func clientReconnectsAfterRestart() async throws {
        try await withRedisServer { server in
            let client = RedisClient(configuration: try Integration.configuration(server))
            #expect(try await client.send("SET", "before", "restart").decode(as: String.self) == "OK")
            #expect(try await client.send("GET", "before").decode(as: String?.self) == "restart")
            let firstConnection = try await client.connection()

            try await server.restart()

            var failures: [RedisError] = []
            var value: String??
            while value == nil, failures.count <= 2 {
                do throws(RedisError) {
                    value = .some(try await client.send("GET", "before").decode(as: String?.self))
                } catch {
                    failures.append(error)
                }
            }
            #expect(failures.count <= 2, "\(failures)")
            #expect(failures.allSatisfy { $0.code == .connectionClosed }, "\(failures)")
            // The data did not survive the restart.
            #expect(value == .some(nil))
            #expect(try await client.send("SET", "after", "restart").decode(as: String.self) == "OK")
            #expect(try await client.send("GET", "after").decode(as: String?.self) == "restart")
            let secondConnection = try await client.connection()
            #expect(firstConnection !== secondConnection)
            #expect(!firstConnection.isActive)
            await client.shutdown()
        }
    }

    /// SIGKILL while 64 blocking commands are in flight: every one fails promptly with
    /// connectionClosed; a new command then fails with connectionFailed naming the endpoint.
    @Test func killWithCommandsInFlight() async throws {
        try await withRedisServer { server in
            var configuration = try Integration.configuration(server)
            // Long enough never to fire before the kill, short enough to bound a hang.
            configuration.commandTimeout = .seconds(10)
            let client = RedisClient(configuration: configuration)
            _ = try await client.send("PING")

            let (outcomes, killedAt) = try await withThrowingTaskGroup(
                of: (String, ContinuousClock.Instant).self
            ) { group in
                for index in 10 ..< 74 {
                    group.addTask {
                        do throws(RedisError) {
                            let reply = try await client.send("BLPOP", "nokey:\(index)", 0)
                            return ("reply \(reply)", .now)
                        } catch {
                            return ("\(error.code)", .now)
                        }
                    }
                }
                // One BLPOP blocks the connection on the server; the other 63 wait in its
                // query buffer, 36 bytes each ("*3 $5 BLPOP $8 nokey:NN $1 0").
                try await Integration.waitForBlockedClients(server, count: 1)
                try await Integration.waitForQueuedBytes(server, 63 * 36)
                let killedAt = ContinuousClock.now
                server.kill()
                var outcomes: [(String, ContinuousClock.Instant)] = []
                for try await outcome in group { outcomes.append(outcome) }
                return (outcomes, killedAt)
            }
            #expect(outcomes.count == 64)
            #expect(outcomes.allSatisfy { $0.0 == "connectionClosed" }, "\(outcomes.map(\.0))")
            let slowest = outcomes.map { $0.1 - killedAt }.max() ?? .zero
            #expect(slowest < .seconds(2), "the last command failed \(slowest) after the kill")

            // With the server down, a new command fails to connect and names the endpoint.
            let started = ContinuousClock.now
            let error = try await Integration.expectError(.connectionFailed, "send to a dead server") {
                try await client.send("PING")
            }
            #expect(error.message.contains("127.0.0.1:\(server.port)"), "\(error)")
            #expect(ContinuousClock.now - started < .seconds(2))

            // Reconnects once the server is back (backoff is at most 2 s).
            try await server.restart()
            try await Integration.poll("reconnecting after the restart", limit: .seconds(5)) {
                (try? await client.send("PING").decode(as: String.self)) == "PONG"
            }
            await client.shutdown()
        }
    }

    /// A single connection (no reconnect) reports the close to every later command.
    @Test func connectionStaysClosedAfterServerDeath() async throws {
        try await withRedisServer { server in
            let connection = try await Integration.connect(server)
            #expect(connection.isActive)
            server.kill()
            try await Integration.poll("the connection noticing the kill") { !connection.isActive }
            try await Integration.expectError(.connectionClosed, "send on a closed connection") {
                try await connection.send("PING")
            }
            let batch = try await Integration.expectError(.connectionClosed, "batch on a closed connection") {
                try await connection.send(batch: [RESPCommand("PING")])
            }
            #expect(!batch.message.isEmpty)
        }
    }
}
