package import RESP
package import RedisLock
package import RedisTestSupport

/// A `Locker` on a fresh cluster client for `cluster`, with the test servers' accepted risks.
package func clusterLocker(_ cluster: RedisCluster, owner: String, retryBackoff: ClosedRange<Duration>? = nil) throws -> (Locker, RedisClusterClient) {
    let client = try RedisClusterClient(url: cluster.url)
    var configuration = LockConfiguration(owner: owner, acceptedRisks: [.noPersistence])
    if let retryBackoff { configuration.retryBackoff = retryBackoff }
    return (try Locker(backend: client, configuration: configuration), client)
}
