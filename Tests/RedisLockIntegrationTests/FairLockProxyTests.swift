import RESP
import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// The fair lock through a real Codis 3.2 (two groups): its scripts run on codis-server 3.2,
/// and waiters poll (Codis refuses `SUBSCRIBE`) yet keep arrival order and exclusion.
@Suite("Fair lock through Codis", .serialized)
struct FairLockProxyTests {
    @Test func waitersPollThroughCodisInArrivalOrderWithoutOverlap() async throws {
        try await ProxyLockTesting.with(.codis) { target in
            let admin = try target.client()
            let lockers = try (0 ..< 3).map { index in
                try FairLocker(client: try target.client(), configuration: LockConfiguration(owner: "codis-\(index)", acceptedRisks: [.noPersistence]), waiterDeadline: .seconds(2))
            }
            for name in try await ProxyLockTesting.namesOnBothBackends(target) {
                let keys = lockers[0].keys(for: name)
                let first = try await lockers[0].lock(name, ttl: .seconds(10), wait: .zero)
                #expect(first.value.contains("\"kind\":\"fair\""))
                let sections = Locked<[FairSection]>([])
                var waiters: [Task<Void, any Error>] = []
                for index in 0 ..< 6 {
                    let locker = lockers[index % 3]
                    waiters.append(Task {
                        let lease = try await locker.lock(name, ttl: .seconds(10), wait: .seconds(30))
                        let start = ContinuousClock.now
                        try await Task.sleep(for: .milliseconds(2))
                        sections.withLock { $0.append(FairSection(start: start, end: .now, fence: lease.fence, contender: index)) }
                        _ = try await locker.unlock(lease)
                    })
                    #expect(try await eventually { try await admin.zcard(keys.queue) == index + 1 })
                }
                #expect(try await lockers[0].unlock(first))
                for waiter in waiters { try await waiter.value }
                let ordered = sections.value.sorted { $0.start < $1.start }
                #expect(ordered.map(\.contender) == Array(0 ..< 6), "through Codis the order must still be arrival order")
                #expect(ordered.map(\.fence) == (1 ... 6).map { first.fence + Int64($0) })
                #expect(overlapsAndInversions(ordered).overlaps == 0)
                #expect(try await admin.zcard(keys.queue) == 0)
            }
        }
    }
}
