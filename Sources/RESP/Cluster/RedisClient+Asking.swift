extension RedisClient {
    /// Sends `command`, preceded by `ASKING` in the same write when `asking` is set (the reply
    /// to an `ASK` redirection: the target serves the migrating slot for the next command only).
    func send(_ command: RESPCommand, asking: Bool, timeout: Duration? = nil) async throws(RedisError) -> RESPToken {
        guard asking else { return try await send(command, timeout: timeout) }
        return try await connection().sendLast([RESPCommand("ASKING"), command], timeout: timeout)
    }
}

extension RedisConnection {
    /// Sends `commands` in one write; throws the first error reply, else returns the last reply.
    func sendLast(_ commands: [RESPCommand], timeout: Duration? = nil) async throws(RedisError) -> RESPToken {
        if commands.count == 1 { return try await send(commands[0], timeout: timeout) }
        let replies = try await send(batch: commands, timeout: timeout)
        var last: RESPToken?
        for reply in replies { last = try reply.get() }
        guard let last else { throw RedisError(.unexpectedReply, "no reply to an empty batch") }
        return last
    }
}
