/// Starts a cluster of `masters` primaries, runs `body` with it, and always stops every node
/// afterwards, also when `body` throws.
public func withRedisCluster<T>(
    masters: Int = 3,
    isolation: isolated (any Actor)? = #isolation,
    _ body: (RedisCluster) async throws -> T
) async throws -> T {
    try await withStarted(try await RedisCluster.start(masters: masters), stop: { await $0.stop() }, body)
}
