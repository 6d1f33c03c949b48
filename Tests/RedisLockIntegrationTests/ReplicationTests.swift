import RESP
import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// `confirmReplicated` against a real master and replica: it reports a replicated lock, and a
/// lock a stopped replica never received.
@Suite("Lock replication", .serialized)
struct ReplicationTests {
    @Test func reportsWhetherTheReplicaHasTheLock() async throws {
        let master = try await RedisServer.start()
        let replica = try await RedisServer.start(.init(extraConfiguration: [
            "replicaof 127.0.0.1 \(master.port)", "repl-diskless-sync-delay 0",
        ]))
        let client = try RedisClient(url: master.url)
        do {
            let linked = try await eventually(timeout: .seconds(10), interval: .milliseconds(50)) {
                try replica.cli(["INFO", "replication"]).contains("master_link_status:up")
            }
            try #require(linked, "the replica never connected to its master")
            let locker = try Locker(client: client, configuration: LockConfiguration(owner: "replicated", acceptedRisks: [.noPersistence]))
            let lease = try #require(try await locker.tryLock("r", ttl: .seconds(30)).lease)
            let report = try await locker.confirmReplicated(lease, replicas: 1, timeout: .seconds(2))
            #expect(report.isReplicated, "\(report)")
            #expect(try replica.cli(["GET", lease.keys.lock]).contains(lease.token))

            replica.pause()
            let second = try #require(try await locker.tryLock("s", ttl: .seconds(30)).lease)
            let missing = try await locker.confirmReplicated(second, replicas: 1, timeout: .milliseconds(300))
            replica.resume()
            #expect(!missing.isReplicated)
            #expect(missing.acknowledged == 0)
            #expect(missing.description.contains("NOT replicated"))
        } catch {
            Issue.record("\(error)")
        }
        await client.shutdown()
        await replica.stop()
        await master.stop()
    }
}
