import NIOCore
import NIOPosix
@testable import RESP
import Testing

/// A scripted stand-in for redis-server: it reads RESP commands and answers each with
/// whatever `respond` returns for (command name, index of the command on its connection).
/// `nil` answers nothing.
final class IntegrationFakeServer: Sendable {
    typealias Responder = @Sendable (_ command: String, _ index: Int) -> String?

    let channel: any Channel
    var port: Int { channel.localAddress?.port ?? 0 }
    var url: String { "redis://127.0.0.1:\(port)" }

    private init(channel: any Channel) {
        self.channel = channel
    }

    /// Answers the RESP3 handshake like Redis 7 (`HELLO` → a map), `respond` for the rest.
    static let helloReply = "%2\r\n+server\r\n+fake\r\n+proto\r\n:3\r\n"

    static func start(closeOnAccept: Bool = false, _ respond: @escaping Responder) async throws -> IntegrationFakeServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Handler(closeOnAccept: closeOnAccept, respond: respond))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return IntegrationFakeServer(channel: channel)
    }

    func stop() async {
        try? await channel.close()
    }

    /// Runs `body` with a fake server, always closing it.
    @discardableResult
    static func with<T>(
        closeOnAccept: Bool = false,
        _ respond: @escaping Responder,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (IntegrationFakeServer) async throws -> T
    ) async throws -> T {
        let server = try await start(closeOnAccept: closeOnAccept, respond)
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let closeOnAccept: Bool
        let respond: Responder
        var decoder = RESPTokenDecoder()
        var buffer = ByteBuffer()
        var index = 0

        init(closeOnAccept: Bool, respond: @escaping Responder) {
            self.closeOnAccept = closeOnAccept
            self.respond = respond
        }

        func channelActive(context: ChannelHandlerContext) {
            if closeOnAccept {
                context.close(promise: nil)
            } else {
                context.fireChannelActive()
            }
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var incoming = unwrapInboundIn(data)
            buffer.writeBuffer(&incoming)
            while let token = try? decoder.decode(&buffer) {
                let name = (try? [String](fromRESP: token))?.first?.uppercased() ?? "?"
                if let reply = respond(name, index) {
                    context.write(wrapOutboundOut(ByteBuffer(string: reply)), promise: nil)
                }
                index += 1
            }
            context.flush()
        }
    }
}

/// The client against servers that send invalid, hostile or no replies.
@Suite("IntegrationFakeServerTests")
struct IntegrationFakeServerTests {
    /// A server that answers the handshake properly and `reply` to everything else.
    static func afterHandshake(_ reply: String) -> IntegrationFakeServer.Responder {
        { command, _ in command == "HELLO" ? IntegrationFakeServer.helloReply : reply }
    }

    static let nestingBomb = String(repeating: "*1\r\n", count: 1_000)

    /// Sends `GET k` and returns the error, within 5 s (generous: the machine may be loaded;
    /// without the fix for a bug this would hang until the command timeout).
    private static func failingSend(_ connection: RedisConnection) async throws -> RedisError {
        let outcome = try await Integration.within(.seconds(5), "the reply being rejected") { () async throws -> RedisError? in
            do throws(RedisError) {
                _ = try await connection.send("GET", "k")
                return nil
            } catch {
                return error
            }
        }
        return try #require(outcome, "GET succeeded against a broken server")
    }

    @Test func fakeServerAnswersLikeRedis() async throws {
        try await IntegrationFakeServer.with(Self.afterHandshake("$5\r\nhello\r\n")) { server in
            let connection = try await RedisConnection.connect(Integration.configuration(server.url))
            #expect(await connection.isRESP3)
            #expect(try await connection.send("GET", "k").decode(as: String?.self) == "hello")
            await connection.close()
        }
    }

    @Test func garbageReplyIsProtocolViolationAndClosesTheConnection() async throws {
        try await IntegrationFakeServer.with(Self.afterHandshake("?garbage\r\n")) { server in
            let connection = try await RedisConnection.connect(Integration.configuration(server.url))
            let error = try await Self.failingSend(connection)
            #expect(error.code == .protocolViolation, "\(error)")
            #expect(error.message.contains("garbage"), "\(error)")
            try await Integration.poll("the connection closing after garbage", limit: .seconds(5)) { !connection.isActive }
            // Later commands fail at once instead of waiting for a reply that cannot come.
            let later = try await Self.failingSend(connection)
            #expect(later.code == .protocolViolation || later.code == .connectionClosed, "\(later)")
        }
    }

    @Test func garbageDuringHandshakeFailsConnect() async throws {
        try await IntegrationFakeServer.with({ _, _ in "?garbage\r\n" }) { server in
            let error = try await Integration.within(.seconds(5), "connect to a garbage server") {
                try await Integration.expectError(.protocolViolation, "handshake with a garbage server") {
                    try await RedisConnection.connect(Integration.configuration(server.url))
                }
            }
            #expect(error.message.contains("garbage"), "\(error)")
        }
    }

    @Test func nestingBombIsLimitExceeded() async throws {
        try await IntegrationFakeServer.with(Self.afterHandshake(Self.nestingBomb)) { server in
            let connection = try await RedisConnection.connect(Integration.configuration(server.url))
            let error = try await Self.failingSend(connection)
            #expect(error.code == .limitExceeded, "\(error)")
            try await Integration.poll("the connection closing after the nesting bomb", limit: .seconds(5)) { !connection.isActive }
        }
        // The same during the handshake.
        try await IntegrationFakeServer.with({ _, _ in Self.nestingBomb }) { server in
            try await Integration.within(.seconds(5), "connect to a nesting-bomb server") {
                try await Integration.expectError(.limitExceeded, "handshake with a nesting bomb") {
                    try await RedisConnection.connect(Integration.configuration(server.url))
                }
            }
        }
    }

    /// A reply announcing a huge bulk string is refused as soon as the header arrives.
    @Test func oversizedBulkIsLimitExceeded() async throws {
        try await IntegrationFakeServer.with(Self.afterHandshake("$1000000000000\r\n")) { server in
            let connection = try await RedisConnection.connect(Integration.configuration(server.url))
            let error = try await Self.failingSend(connection)
            #expect(error.code == .limitExceeded, "\(error)")
        }
    }

    /// A reply nobody asked for closes the connection (the stream is out of step).
    @Test func unsolicitedReplyClosesTheConnection() async throws {
        // Two replies to every command after the handshake.
        try await IntegrationFakeServer.with(Self.afterHandshake("+first\r\n+second\r\n")) { server in
            let connection = try await RedisConnection.connect(Integration.configuration(server.url))
            #expect(try await connection.send("PING").decode(as: String.self) == "first")
            try await Integration.poll("the connection closing after an extra reply", limit: .seconds(5)) { !connection.isActive }
            let error = try await Self.failingSend(connection)
            #expect(error.code == .protocolViolation || error.code == .connectionClosed, "\(error)")
        }
    }

    /// A server that accepts the connection but never answers: connecting gives up
    /// instead of hanging.
    @Test func silentServerTimesOutTheHandshake() async throws {
        try await IntegrationFakeServer.with({ _, _ in nil }) { server in
            var configuration = try Integration.configuration(server.url)
            configuration.commandTimeout = .milliseconds(300)
            let frozen = configuration
            try await Integration.within(.seconds(5), "connect to a silent server") {
                try await Integration.expectError(.timeout, "handshake with a silent server") {
                    try await RedisConnection.connect(frozen)
                }
            }
        }
    }

    /// `connectTimeout` is documented to cover TCP, TLS *and the handshake*.
    @Test func connectTimeoutBoundsTheHandshake() async throws {
        try await IntegrationFakeServer.with({ _, _ in nil }) { server in
            var configuration = try Integration.configuration(server.url)
            configuration.connectTimeout = .milliseconds(300)
            configuration.commandTimeout = .seconds(4)
            let started = ContinuousClock.now
            let frozen = configuration
            let outcome = try await Integration.within(.seconds(10), "connect to a silent server") { () async throws -> RedisError? in
                do throws(RedisError) {
                    _ = try await RedisConnection.connect(frozen)
                    return nil
                } catch {
                    return error
                }
            }
            let waited = ContinuousClock.now - started
            let error = try #require(outcome, "connected to a silent server")
            #expect(error.code == .timeout || error.code == .connectionFailed, "\(error)")
            // Far below the 4 s command timeout; slack for a loaded two-core machine.
            #expect(waited < .seconds(3), "connect took \(waited) with connectTimeout 300 ms (commandTimeout 4 s)")
        }
    }

    /// A server that closes every connection at once: connecting fails promptly with an
    /// error that says the connection closed, never an internal "notFound".
    @Test func serverClosingOnAcceptFailsConnectClearly() async throws {
        try await IntegrationFakeServer.with(closeOnAccept: true, { _, _ in nil }) { server in
            let url = server.url
            let errors = try await Integration.within(.seconds(10), "20 connects to a closing server") {
                var errors: [RedisError] = []
                for _ in 0 ..< 20 {
                    do throws(RedisError) {
                        let connection = try await RedisConnection.connect(Integration.configuration(url))
                        await connection.close()
                    } catch {
                        errors.append(error)
                    }
                }
                return errors
            }
            #expect(errors.count == 20, "connected to a server that closes at once")
            for error in errors {
                #expect(error.code == .connectionClosed || error.code == .connectionFailed, "\(error)")
                #expect(!error.message.contains("notFound"), "\(error)")
                #expect(error.message.contains("127.0.0.1:\(server.port)") || error.message.contains("closed"), "\(error)")
            }
        }
    }

    /// The RESP2 fallback against a server that does not know HELLO, then garbage.
    @Test func resp2FallbackThenGarbage() async throws {
        let respond: IntegrationFakeServer.Responder = { command, _ in
            switch command {
            case "HELLO": "-ERR unknown command 'HELLO', with args beginning with: '3'\r\n"
            case "SLOTSMAPPING": "-ERR unknown command 'SLOTSMAPPING'\r\n"  // the handshake's Codis probe
            case "PING": "+PONG\r\n"
            default: "?garbage\r\n"
            }
        }
        try await IntegrationFakeServer.with(respond) { server in
            let connection = try await RedisConnection.connect(Integration.configuration(server.url))
            #expect(await connection.isRESP3 == false)
            #expect(try await connection.send("PING").decode(as: String.self) == "PONG")
            let error = try await Self.failingSend(connection)
            #expect(error.code == .protocolViolation, "\(error)")
        }
    }
}
