import Logging
import NIOCore

/// What one handshake attempt is told before it starts: from the configuration, what earlier
/// connections to the endpoint learned, and what an earlier attempt of the same connect saw.
struct HandshakePlan: Sendable {
    /// Ask for RESP3 with `HELLO 3` first.
    var sendHello: Bool
    /// The proxy kind when known (forced, remembered or inferred); `nil` detects it.
    var proxy: RedisProxyKind?
    /// Whether the endpoint refused `HELLO` (remembered for the next connect).
    var helloRefused: Bool
    /// The kind the configuration forces, if any.
    let forced: RedisProxyKind?
    /// Whether ``proxy`` is only inferred from a closed connection.
    var inferredFromClose = false

    init(_ configuration: RedisConfiguration, remembered: EndpointMemory.Knowledge) {
        forced = configuration.proxy
        proxy = configuration.proxy ?? remembered.proxy
        helloRefused = remembered.helloRefused
        // Neither proxy speaks RESP3 (Codis would hand HELLO to a backend).
        sendHello = configuration.protocolPreference == .resp3WithFallback && !remembered.helloRefused
            && (proxy == nil || proxy == RedisProxyKind.none)
    }

    /// The plan for the one reconnect after the server closed the connection on `HELLO` or on
    /// the detection probe: RESP2, and (unless forced) twemproxy, the proxy that closes
    /// connections on commands it does not know.
    mutating func reconnectAfterClose() {
        if sendHello { helloRefused = true }
        sendHello = false
        inferredFromClose = forced == nil
        proxy = forced ?? .twemproxy
    }
}

/// How a handshake attempt ended when it did not throw.
enum HandshakeOutcome {
    /// Ready for commands; remember this about the endpoint.
    case ready(EndpointMemory.Knowledge)
    /// The server closed the connection on `HELLO` or on the proxy probe: reconnect once with
    /// ``HandshakePlan/reconnectAfterClose()``.
    case closed(RedisError)
}

extension RedisConnection {
    /// What each command of the RESP2 handshake batch is for.
    private enum Step {
        case auth, probe, name, select, ping
    }

    /// Negotiates the protocol, authenticates, names the client, selects the database and
    /// detects a proxy. Every step must finish within the command timeout and by `deadline`
    /// (the connect timeout counted from the start).
    func handshake(
        _ plan: HandshakePlan, subscriber: Bool, deadline: ContinuousClock.Instant, logger: Logger?
    ) async throws(RedisError) -> HandshakeOutcome {
        func remaining() throws(RedisError) -> Duration {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { throw RedisError(.timeout, "the handshake with \(configuration.endpoint) took longer than the connect timeout") }
            return min(left, configuration.commandTimeout)
        }
        var plan = plan
        if plan.sendHello {
            do {
                _ = try await send(helloCommand(), timeout: try remaining())
                markRESP3(true)
                setProxyKind(plan.forced ?? .none)
                if configuration.database != 0 {
                    _ = try await send(RESPCommand("SELECT", configuration.database), timeout: try remaining())
                }
                return .ready(EndpointMemory.Knowledge(helloRefused: false, proxy: plan.forced ?? RedisProxyKind.none))
            } catch let error where error.code == .connectionClosed {
                return .closed(error)
            } catch let error where Self.meansNoRESP3(error, sentPassword: configuration.password != nil) {
                // Old servers and proxies (Codis, Redis < 6) do not know HELLO: speak RESP2.
                plan.helloRefused = true
                if error.isCodisReply, plan.proxy == nil { plan.proxy = .codis }
            }
        }
        if plan.proxy == .twemproxy, configuration.database != 0 {
            let why = plan.inferredFromClose
                ? " (it closed the connection on HELLO as twemproxy does; if the port expects TLS, use a rediss:// URL)" : ""
            throw RedisError(
                .invalidConfiguration,
                "\(configuration.endpoint) is twemproxy\(why), which serves database 0 only and closes the connection on SELECT: "
                    + "remove the database (/\(configuration.database) or db=\(configuration.database)) from the URL, "
                    + "or set redis_db in the twemproxy pool")
        }
        var steps: [Step] = []
        var commands: [RESPCommand] = []
        func add(_ step: Step, _ command: RESPCommand) {
            steps.append(step)
            commands.append(command)
        }
        if let password = configuration.password {
            if let user = configuration.username {
                add(.auth, RESPCommand("AUTH", user, password))
            } else {
                add(.auth, RESPCommand("AUTH", password))
            }
        }
        // Codis answers SLOTSMAPPING itself; Redis calls it unknown; twemproxy hangs up.
        if plan.proxy == nil { add(.probe, RESPCommand("SLOTSMAPPING", "0")) }
        if let name = configuration.clientName {
            if plan.proxy == nil || plan.proxy == RedisProxyKind.none {
                add(.name, RESPCommand("CLIENT", "SETNAME", name))
            } else {
                logger?.debug("no CLIENT SETNAME through a proxy; the connection stays unnamed", metadata: ["endpoint": "\(configuration.endpoint)", "proxy": "\(plan.proxy ?? .none)"])
            }
        }
        if configuration.database != 0 { add(.select, RESPCommand("SELECT", configuration.database)) }
        // Something Redis checks the password for (it answers an unknown command first).
        if steps.allSatisfy({ $0 == .probe }) { add(.ping, RESPCommand("PING")) }

        let results: [Result<RESPToken, RedisError>]
        do {
            results = try await send(batch: commands, timeout: try remaining())
        } catch where error.code == .connectionClosed && plan.proxy == nil {
            return .closed(error)
        }
        var detected = plan.proxy
        for (step, result) in zip(steps, results) {
            switch (step, result) {
            case (_, .success(let token)):
                if step == .probe, case .array = token.value { detected = .codis }
            case (.auth, .failure(let error)), (.select, .failure(let error)):
                throw error
            case (_, .failure(let error)) where error.code == .authenticationFailed:
                throw error
            case (.probe, .failure):
                break
            case (.name, .failure(let error)):
                if error.isCodisRefusal { detected = .codis }
                logger?.debug("CLIENT SETNAME refused; the connection stays unnamed", metadata: ["endpoint": "\(configuration.endpoint)", "reply": "\(error.escapedServerMessage)"])
            case (.ping, .failure(let error)):
                // A Codis backend hiccup still proves the proxy speaks RESP.
                guard error.isCodisBackendHiccup else { throw error }
            }
        }
        let kind = plan.forced ?? detected ?? RedisProxyKind.none
        setProxyKind(kind)
        markRESP3(false)
        if subscriber { handler.value.pushFraming = true }
        return .ready(EndpointMemory.Knowledge(helloRefused: plan.helloRefused, proxy: kind))
    }

    private func helloCommand() -> RESPCommand {
        var auth: [String] = []
        if let password = configuration.password {
            auth = ["AUTH", configuration.username ?? "default", password]
        }
        var name: [String] = []
        if let clientName = configuration.clientName { name = ["SETNAME", clientName] }
        return RESPCommand("HELLO", "3", auth, name)
    }

    /// Whether a failed `HELLO 3` means the server cannot speak RESP3 (as opposed to, say,
    /// a wrong password). A proxy that checks passwords itself (Codis) answers `NOAUTH` to a
    /// `HELLO` that carries one: it did not understand it, so RESP2's `AUTH` follows.
    static func meansNoRESP3(_ error: RedisError, sentPassword: Bool = false) -> Bool {
        if sentPassword, error.message.hasPrefix("NOAUTH") { return true }
        guard error.code == .serverError else { return false }
        let message = error.message.lowercased()
        return message.hasPrefix("noproto") || message.contains("unknown command") || message.contains("unknown subcommand")
            || error.isCodisReply
    }
}
