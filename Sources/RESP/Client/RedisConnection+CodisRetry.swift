extension RedisConnection {
    /// Sends `command` again after Codis answered `first`, a backend hiccup (see
    /// ``RedisError/isCodisBackendHiccup``), with jittered pauses from the configuration's
    /// ``RedisConfiguration/reconnectBackoff``, until the command's timeout has passed since
    /// the first answer; then throws the last hiccup with a hint.
    func resendAfterCodisHiccup(_ command: RESPCommand, timeout: Duration?, first: RedisError) async throws(RedisError) -> RESPToken {
        let budget = timeout ?? configuration.commandTimeout
        let started = ContinuousClock.now
        var last = first
        var failures = 1
        while true {
            let pause = ConnectionSlot.backoff(failures: failures, range: configuration.reconnectBackoff)
            let left = budget - (ContinuousClock.now - started) - pause
            guard left > .zero else {
                throw RedisError(last.code, "\(last.message) (Codis could not reach the backend for \(budget), \(failures) attempts: check that every group's codis-server is up)")
            }
            do {
                try await Task.sleep(for: pause)
            } catch {
                throw RedisError(.cancelled, "the command was cancelled while waiting for Codis's backend")
            }
            do {
                return try await sendOnce(command, timeout: left, whenWritten: {})
            } catch where error.isCodisBackendHiccup {
                last = error
                failures += 1
            }
        }
    }
}
