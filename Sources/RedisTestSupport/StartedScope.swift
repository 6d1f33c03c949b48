/// Runs `body` with `started`, and always calls `stop` afterwards, also when `body` throws:
/// the shape of every `with…` scope here (servers, clusters, proxies).
func withStarted<Started: Sendable, T>(
    _ started: Started,
    isolation: isolated (any Actor)? = #isolation,
    stop: (Started) async -> Void,
    _ body: (Started) async throws -> T
) async throws -> T {
    do {
        let result = try await body(started)
        await stop(started)
        return result
    } catch {
        await stop(started)
        throw error
    }
}
