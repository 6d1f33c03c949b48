/// Starts a cluster of `masters` primaries, runs `body` with it, and always stops every node
/// afterwards, also when `body` throws.
public func withRedisCluster<T>(
    masters: Int = 3,
    isolation: isolated (any Actor)? = #isolation,
    _ body: (RedisCluster) async throws -> T
) async throws -> T {
    let cluster = try await RedisCluster.start(masters: masters)
    do {
        let result = try await body(cluster)
        await cluster.stop()
        return result
    } catch {
        await cluster.stop()
        throw error
    }
}
