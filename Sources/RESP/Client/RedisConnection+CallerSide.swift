import NIOCore

extension RedisConnection {
    /// Sends one command from the caller's executor and awaits its reply there: the command is
    /// handed to the event loop (written at once when the caller already runs on it), and the
    /// reply resumes the caller directly. From a task on Swift's default executor that is two
    /// thread hops per command, there and back; an `await` on the actor-isolated
    /// ``send(_:timeout:whenWritten:)`` takes four, because a continuation resumes on the
    /// global executor and the actor's code then hops back to the loop before returning.
    /// ``RedisClient`` sends this way. `whenWritten` runs on the loop as in
    /// ``send(_:timeout:whenWritten:)``; through Codis a backend hiccup is retried the same way.
    package nonisolated func sendFromCaller(
        _ command: RESPCommand, timeout: Duration?, whenWritten: (@Sendable () -> Void)?
    ) async throws(RedisError) -> RESPToken {
        do {
            return try await sendOnceFromCaller(command, timeout: timeout, whenWritten: whenWritten)
        } catch where error.isCodisBackendHiccup {
            guard await proxyKind == .codis else { throw error }
            return try await resendAfterCodisHiccup(command, timeout: timeout, first: error)
        }
    }

    /// Runs `script` like ``run(_:keys:arguments:whenWritten:)``, its `EVALSHA` sent by
    /// ``sendFromCaller(_:timeout:whenWritten:)``; only after `NOSCRIPT` (a restart, `SCRIPT
    /// FLUSH`) does it hand over to the isolated `run`, which loads the script (or sends `EVAL`
    /// through a proxy) and runs it.
    package nonisolated func runFromCaller(
        _ script: RedisScript, keys: [String], arguments: [String], whenWritten: (@Sendable () -> Void)?
    ) async throws(RedisError) -> RESPToken {
        do {
            return try await sendFromCaller(RESPCommand("EVALSHA", script.sha1, keys.count, keys, arguments), timeout: nil, whenWritten: whenWritten)
        } catch where error.serverErrorPrefix == "NOSCRIPT" {
            return try await run(script, keys: keys, arguments: arguments)
        }
    }

    private nonisolated func sendOnceFromCaller(
        _ command: RESPCommand, timeout: Duration?, whenWritten: (@Sendable () -> Void)?
    ) async throws(RedisError) -> RESPToken {
        let id = makeRequestID()
        let deadline = deadline(for: timeout)
        let loop = channel.eventLoop
        return try await Self.mapErrors {
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<RESPToken, any Error>) in
                    if Self.failedAsCancelled(continuation) { return }
                    let write: @Sendable () -> Void = {
                        self.register(command, id: id, deadline: deadline, continuation: continuation, whenWritten: { whenWritten?() })
                    }
                    if loop.inEventLoop { write() } else { loop.execute(write) }
                }
            } onCancel: {
                // Runs on the loop after the write in all but a race with the check above;
                // a cancel that comes first finds nothing, and the command completes.
                loop.execute { self.assumeIsolated { $0.cancelRequest(id) } }
            }
        }
    }
}
