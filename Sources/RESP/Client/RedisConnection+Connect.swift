public import NIOCore
public import Logging
import NIOPosix
import NIOSSL
import Synchronization

extension RedisConnection {
    /// Opens a connection, runs the handshake (`HELLO 3` with RESP2 fallback, `AUTH`,
    /// `CLIENT SETNAME`, `SELECT`, proxy detection) and returns it ready for commands.
    ///
    /// When the server refuses `HELLO` by closing the connection (twemproxy does, on every
    /// command it does not know), it reconnects once and speaks RESP2. A refused
    /// `CLIENT SETNAME` leaves the connection unnamed (logged at debug level). See
    /// ``RedisConfiguration/proxy`` for what is detected and ``proxyKind`` for the outcome.
    ///
    /// - Parameters:
    ///   - configuration: where to connect and how (endpoint, credentials, TLS, timeouts).
    ///   - eventLoopGroup: where the socket lives; `nil` uses NIO's shared singleton group.
    ///   - subscriber: for RESP2 connections dedicated to pub/sub.
    ///   - logger: where handshake details (a refused client name, a reconnect) are logged.
    public static func connect(
        _ configuration: RedisConfiguration,
        on eventLoopGroup: (any EventLoopGroup)? = nil,
        subscriber: Bool = false,
        logger: Logger? = nil
    ) async throws(RedisError) -> RedisConnection {
        try await connect(configuration, on: eventLoopGroup, subscriber: subscriber, memory: EndpointMemory(), logger: logger)
    }

    /// ``connect(_:on:subscriber:logger:)`` that starts from, and adds to, what `memory` knows
    /// about the endpoint.
    package static func connect(
        _ configuration: RedisConfiguration,
        on eventLoopGroup: (any EventLoopGroup)?,
        subscriber: Bool,
        memory: EndpointMemory,
        logger: Logger?
    ) async throws(RedisError) -> RedisConnection {
        if let sentinel = configuration.sentinel {
            return try await connectThroughSentinel(
                configuration, sentinel: sentinel, on: eventLoopGroup ?? MultiThreadedEventLoopGroup.singleton, subscriber: subscriber)
        }
        let deadline = ContinuousClock.now + configuration.connectTimeout
        let sslContext = try makeSSLContext(configuration)
        let group = eventLoopGroup ?? MultiThreadedEventLoopGroup.singleton
        var plan = HandshakePlan(configuration, remembered: memory.knowledge(for: configuration.endpoint))
        var reconnected = false
        while true {
            let connection = try await open(configuration, sslContext: sslContext, group: group, deadline: deadline)
            let outcome: HandshakeOutcome
            do {
                outcome = try await connection.handshake(plan, subscriber: subscriber, deadline: deadline, logger: logger)
            } catch {
                await connection.close()
                throw Self.explainHandshakeFailure(error, configuration: configuration)
            }
            switch outcome {
            case .ready(let learned):
                memory.remember(learned, for: configuration.endpoint)
                return connection
            case .closed(let error):
                await connection.close()
                guard !reconnected else { throw Self.explainHandshakeFailure(error, configuration: configuration) }
                reconnected = true
                plan.reconnectAfterClose()
                logger?.debug("the server closed the connection during the handshake; reconnecting with RESP2", metadata: ["endpoint": "\(configuration.endpoint)"])
            }
        }
    }

    /// Connects the socket, finishes the TLS handshake when there is one, and wraps the channel.
    private static func open(
        _ configuration: RedisConfiguration,
        sslContext: NIOSSLContext?,
        group: any EventLoopGroup,
        deadline: ContinuousClock.Instant
    ) async throws(RedisError) -> RedisConnection {
        let handlerBox = HandlerBox()
        let channel = try await openChannel(configuration, sslContext: sslContext, group: group, handlerBox: handlerBox, deadline: deadline)
        if let tlsHandshake = handlerBox.tlsHandshake {
            do {
                try await tlsHandshake.get()
            } catch {
                channel.close(promise: nil)
                throw TLSHandshakeWatcher.explain(error, configuration: configuration)
            }
        }
        guard let handler = handlerBox.handler else {
            channel.close(promise: nil)
            throw RedisError(.connectionFailed, "could not set up the connection to \(configuration.endpoint)")
        }
        return RedisConnection(channel: channel, handler: handler, configuration: configuration)
    }

    private static func openChannel(
        _ configuration: RedisConfiguration,
        sslContext: NIOSSLContext?,
        group: any EventLoopGroup,
        handlerBox: HandlerBox,
        deadline: ContinuousClock.Instant
    ) async throws(RedisError) -> any Channel {
        let serverHostname: String?
        switch configuration.endpoint {
        case .tcp(let host, _):
            let name = configuration.tls?.serverName ?? host
            serverHostname = isIPAddress(name) ? nil : name
        case .unixSocket:
            serverHostname = configuration.tls?.serverName
        }
        let limits = configuration.limits
        let grace = TimeAmount(configuration.commandTimeout)
        let left = max(deadline - ContinuousClock.now, .milliseconds(1))
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(TimeAmount(left))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        let tls = try NIOSSLClientHandler(context: sslContext, serverHostname: serverHostname)
                        try channel.pipeline.syncOperations.addHandler(tls)
                        let watcher = TLSHandshakeWatcher(promise: channel.eventLoop.makePromise(), deadline: deadline)
                        try channel.pipeline.syncOperations.addHandler(watcher)
                        handlerBox.tlsHandshake = watcher.promise.futureResult
                    }
                    let handler = RedisChannelHandler(limits: limits, unresponsiveGrace: grace)
                    try channel.pipeline.syncOperations.addHandler(handler)
                    handlerBox.handler = NIOLoopBound(handler, eventLoop: channel.eventLoop)
                }
            }
        do {
            switch configuration.endpoint {
            case .tcp(let host, let port):
                return try await bootstrap
                    .channelOption(.socketOption(.tcp_nodelay), value: 1)
                    .channelOption(.socketOption(.so_keepalive), value: 1)
                    .connect(host: host, port: port).get()
            case .unixSocket(let path):
                return try await bootstrap.connect(unixDomainSocketPath: path).get()
            }
        } catch {
            throw RedisError(.connectionFailed, "cannot connect to \(configuration.endpoint): \(describeConnectError(error)); is redis-server running there?", underlying: error)
        }
    }

    /// Hands the channel handler from the channel initializer to `connect`, so a pipeline
    /// torn down early (a TLS failure, an immediate close) cannot hide it.
    final class HandlerBox: Sendable {
        private let storage = Mutex<NIOLoopBound<RedisChannelHandler>?>(nil)
        private let tlsStorage = Mutex<EventLoopFuture<Void>?>(nil)

        var handler: NIOLoopBound<RedisChannelHandler>? {
            get { storage.withLock { $0 } }
            set { storage.withLock { $0 = newValue } }
        }

        /// Completes when the TLS handshake has (`nil` for plaintext).
        var tlsHandshake: EventLoopFuture<Void>? {
            get { tlsStorage.withLock { $0 } }
            set { tlsStorage.withLock { $0 = newValue } }
        }
    }

    private static func describeConnectError(_ error: any Error) -> String {
        if let connectError = error as? NIOConnectionError {
            if let first = connectError.connectionErrors.first { return "\(first.error)" }
            if let dns = connectError.dnsAAAAError ?? connectError.dnsAError { return "host name lookup failed (\(dns))" }
        }
        if case ChannelError.connectTimeout = error { return "timed out" }
        return "\(error)"
    }

    private static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }

    /// Builds the TLS context for `configuration`, or `nil` for plaintext.
    static func makeSSLContext(_ configuration: RedisConfiguration) throws(RedisError) -> NIOSSLContext? {
        guard let tls = configuration.tls else { return nil }
        var settings = TLSConfiguration.makeClientConfiguration()
        settings.certificateVerification = tls.verifyPeer ? .fullVerification : .none
        do {
            if let caFile = tls.caFile {
                settings.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
            }
            switch (tls.certificateFile, tls.keyFile) {
            case (let certificate?, let key?):
                settings.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }
                settings.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
            case (nil, nil):
                break
            default:
                throw RedisError(.invalidConfiguration, "a client certificate and its key must be given together")
            }
            return try NIOSSLContext(configuration: settings)
        } catch let error as RedisError {
            throw error
        } catch {
            throw RedisError(.tlsFailure, "cannot load the TLS files (CA \(tls.caFile ?? "system"), certificate \(tls.certificateFile ?? "none"), key \(tls.keyFile ?? "none")): \(error)", underlying: error)
        }
    }

    private static func explainHandshakeFailure(_ error: RedisError, configuration: RedisConfiguration) -> RedisError {
        switch error.code {
        case .authenticationFailed:
            if error.message.hasPrefix("NOAUTH") || error.message.contains("HELLO must be called with the client already authenticated") {
                return RedisError(.authenticationFailed, "\(configuration.endpoint) requires a password: put it in the URL, REDIS_PASSWORD or a password file (\(error.message))")
            }
            let user = configuration.username ?? "default"
            return RedisError(.authenticationFailed, "authentication as '\(user)' failed at \(configuration.endpoint): wrong user name or password (\(error.message))")
        case .connectionClosed where configuration.tls == nil:
            var explained = error
            explained.message += "; the server closed the connection during the handshake: if the port expects TLS, use a rediss:// URL"
            if configuration.proxy == RedisProxyKind.none {
                explained.message += "; twemproxy closes the connection on commands it does not know: leave out proxy=none to detect it"
            }
            return explained
        default:
            return error
        }
    }
}
