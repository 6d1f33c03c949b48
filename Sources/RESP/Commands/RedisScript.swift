/// A Lua script that runs by its SHA-1 (`EVALSHA`), loaded into the server's script cache
/// automatically the first time the server does not know it (with `EVAL` through a proxy).
/// Through Codis or twemproxy every key of one script must share one `{hash tag}`.
///
/// ```swift
/// let compareAndDelete = RedisScript("""
///     if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
///     return 0
///     """)
/// let deleted = try await client.run(compareAndDelete, keys: ["lock:a"], arguments: [token])
/// ```
public struct RedisScript: Sendable, Hashable {
    /// The Lua source.
    public let source: String
    /// The SHA-1 of the source, as Redis names it.
    public let sha1: String

    /// Makes a script from its Lua source.
    public init(_ source: String) {
        self.source = source
        self.sha1 = SHA1.hexDigest(of: source)
    }
}

extension RedisConnection {
    /// Runs `script` with `EVALSHA`; when the server answers `NOSCRIPT` (after a restart or
    /// `SCRIPT FLUSH`) it loads the script and runs it again in the same round trip. Through
    /// a proxy (see ``proxyKind``) it sends `EVAL` with the source instead: Codis and
    /// twemproxy refuse `SCRIPT LOAD`, and `EVAL` caches the script on the backend that owns
    /// the keys, so the next `EVALSHA` finds it there.
    ///
    /// - Parameters:
    ///   - script: the script; its SHA-1 is computed once when it is made.
    ///   - keys: the keys it touches (`KEYS`); on a cluster they must share one slot.
    ///   - arguments: its other arguments (`ARGV`).
    ///   - whenWritten: called on the connection's event loop once the command is
    ///     written, before its reply (see ``send(_:timeout:whenWritten:)``).
    public func run(
        _ script: RedisScript, keys: [String], arguments: [String] = [], whenWritten: @Sendable () -> Void = {}
    ) async throws(RedisError) -> RESPToken {
        try await run(script, keys: keys, arguments: arguments, asking: false, whenWritten: whenWritten)
    }

    /// ``run(_:keys:arguments:whenWritten:)``, with `ASKING` right before each `EVALSHA` when
    /// `asking` is set (a cluster's `ASK` redirection).
    func run(
        _ script: RedisScript, keys: [String], arguments: [String], asking: Bool, whenWritten: @Sendable () -> Void = {}
    ) async throws(RedisError) -> RESPToken {
        let evalsha = RESPCommand("EVALSHA", script.sha1, keys.count, keys, arguments)
        let prefix = asking ? [RESPCommand("ASKING")] : []
        do {
            if asking { return try await sendLast(prefix + [evalsha]) }
            return try await send(evalsha, whenWritten: whenWritten)
        } catch where error.serverErrorPrefix == "NOSCRIPT" {
            if proxyKind != .none {
                return try await sendLast(prefix + [RESPCommand("EVAL", script.source, keys.count, keys, arguments)])
            }
            return try await sendLast([RESPCommand("SCRIPT", "LOAD", script.source)] + prefix + [evalsha])
        }
    }
}

extension RedisClient {
    /// Runs `script` by its SHA-1, loading it on `NOSCRIPT`; see ``RedisConnection/run(_:keys:arguments:whenWritten:)``.
    public func run(
        _ script: RedisScript, keys: [String], arguments: [String] = [], whenWritten: @Sendable () -> Void = {}
    ) async throws(RedisError) -> RESPToken {
        try await connection().run(script, keys: keys, arguments: arguments, whenWritten: whenWritten)
    }
}
