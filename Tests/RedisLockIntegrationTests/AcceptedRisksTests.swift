import Logging
import RESP
import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// The test servers run without persistence on purpose: a ``ServerRisk`` listed in
/// ``LockConfiguration/acceptedRisks`` is not warned about, the others still are.
@Suite("AcceptedRisksTests")
struct AcceptedRisksTests {
    /// The warnings a locker logs at its first acquire on a server without persistence.
    private func warnings(accepting risks: Set<ServerRisk>, options: RedisServer.Options = .init()) async throws -> [String] {
        try await withLockServer(options) { pool, _ in
            let records = Locked<[RecordingLogHandler.Record]>([])
            let logger = Logger(label: "risk-test") { _ in RecordingLogHandler(records: records) }
            let configuration = LockConfiguration(owner: "risk", acceptedRisks: risks)
            let locker = try Locker(client: try pool.client(), configuration: configuration, logger: logger)
            let lease = try #require(try await locker.tryLock("risky", ttl: .seconds(5)).lease)
            try await locker.unlock(lease)
            return records.value.filter { $0.level >= .warning }.map(\.message)
        }
    }

    @Test func anAcceptedRiskIsNotWarnedAbout() async throws {
        let unaccepted = try await warnings(accepting: [])
        #expect(unaccepted.contains { $0.contains("persistence is off") }, "warnings: \(unaccepted)")
        let accepted = try await warnings(accepting: [.noPersistence])
        #expect(!accepted.contains { $0.contains("persistence is off") }, "warnings: \(accepted)")
    }

    @Test func otherRisksAreStillWarnedAbout() async throws {
        let found = try await warnings(accepting: [.noPersistence], options: .init(extraConfiguration: ["maxmemory-policy allkeys-lru"]))
        #expect(found.contains { $0.contains("maxmemory-policy is 'allkeys-lru'") }, "warnings: \(found)")
        #expect(!found.contains { $0.contains("persistence is off") }, "warnings: \(found)")
    }
}
