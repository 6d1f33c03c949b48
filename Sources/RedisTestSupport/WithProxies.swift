/// Starts a Codis cluster of `groups` groups, runs `body` with it, and always stops it
/// afterwards, also when `body` throws.
public func withCodisCluster<T>(
    groups: Int = 2,
    isolation: isolated (any Actor)? = #isolation,
    _ body: (CodisCluster) async throws -> T
) async throws -> T {
    try await withStarted(try await CodisCluster.start(groups: groups), stop: { await $0.stop() }, body)
}

/// Starts twemproxy in front of `backends` redis-servers, runs `body` with it, and always stops
/// everything afterwards, also when `body` throws.
public func withTwemproxy<T>(
    backends: Int = 2,
    isolation: isolated (any Actor)? = #isolation,
    _ body: (Twemproxy) async throws -> T
) async throws -> T {
    try await withStarted(try await Twemproxy.start(backends: backends), stop: { await $0.stop() }, body)
}
