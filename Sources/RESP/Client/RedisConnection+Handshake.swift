import NIOCore

extension RedisConnection {
    /// Negotiates the protocol, authenticates, names the client and selects the database.
    /// Every step must finish within the command timeout and by `deadline` (the connect
    /// timeout counted from the start).
    func handshake(subscriber: Bool, deadline: ContinuousClock.Instant) async throws(RedisError) {
        func remaining() throws(RedisError) -> Duration {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { throw RedisError(.timeout, "the handshake with \(configuration.endpoint) took longer than the connect timeout") }
            return min(left, configuration.commandTimeout)
        }
        if configuration.protocolPreference == .resp3WithFallback {
            do {
                _ = try await send(helloCommand(), timeout: try remaining())
                markRESP3(true)
                if configuration.database != 0 {
                    _ = try await send(RESPCommand("SELECT", configuration.database), timeout: try remaining())
                }
                return
            } catch let error where Self.meansNoRESP3(error) {
                // Old servers and proxies (Codis, Redis < 6) do not know HELLO: speak RESP2.
            }
        }
        var commands: [RESPCommand] = []
        if let password = configuration.password {
            if let user = configuration.username {
                commands.append(RESPCommand("AUTH", user, password))
            } else {
                commands.append(RESPCommand("AUTH", password))
            }
        }
        if let name = configuration.clientName { commands.append(RESPCommand("CLIENT", "SETNAME", name)) }
        if configuration.database != 0 { commands.append(RESPCommand("SELECT", configuration.database)) }
        if commands.isEmpty { commands.append(RESPCommand("PING")) }
        for result in try await send(batch: commands, timeout: try remaining()) {
            _ = try result.get()
        }
        markRESP3(false)
        if subscriber { handler.value.pushFraming = true }
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
    /// a wrong password).
    static func meansNoRESP3(_ error: RedisError) -> Bool {
        guard error.code == .serverError else { return false }
        let message = error.message.lowercased()
        return message.hasPrefix("noproto") || message.contains("unknown command") || message.contains("unknown subcommand")
    }
}
