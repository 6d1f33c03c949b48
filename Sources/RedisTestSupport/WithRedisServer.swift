/// Starts a redis-server with `options`, runs `body` with it, and always stops the server
/// afterwards, also when `body` throws.
///
/// - Parameters:
///   - options: the server configuration; defaults to a plain TCP server. With TLS and no
///     certificates, it gets the throw-away ``TestCertificates/shared()`` set.
///   - isolation: the caller's actor, inherited so `body` need not be `Sendable`.
///   - body: the test code using the server.
/// - Returns: whatever `body` returns.
/// - Throws: ``RedisServerError`` if the server cannot start, or the error thrown by `body`.
public func withRedisServer<T>(
    _ options: RedisServer.Options = .init(),
    isolation: isolated (any Actor)? = #isolation,
    _ body: (RedisServer) async throws -> T
) async throws -> T {
    var options = options
    if options.tls != .off, options.certificates == nil {
        options.certificates = try await TestCertificates.sharedWithoutBlocking()
    }
    return try await withStarted(try await RedisServer.start(options), stop: { await $0.stop() }, body)
}
