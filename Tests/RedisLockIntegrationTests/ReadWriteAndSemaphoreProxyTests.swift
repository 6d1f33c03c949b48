import Foundation
import RESP
@testable import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// The read-write lock and the semaphore through a real Codis 3.2 (codis-server 3.2: the
/// scripts' Redis 3.2 subset, `redis.replicate_commands()`) and a real twemproxy: acquire,
/// contention, release, and waiting by polling (both refuse `SUBSCRIBE`).
@Suite("Read-write lock and semaphore through proxies", .serialized)
struct ReadWriteAndSemaphoreProxyTests {
    @Test(arguments: ProxyLockTesting.Proxy.allCases)
    func readersWriterAndPermitsThroughTheProxy(_ proxy: ProxyLockTesting.Proxy) async throws {
        try await ProxyLockTesting.with(proxy) { target in
            let configuration = LockConfiguration(owner: "proxy-kinds", acceptedRisks: [.noPersistence])
            let rw = try ReadWriteLocker(try target.locker(configuration))
            let semaphore = try Semaphore(try target.locker(configuration))
            let admin = try target.client()
            for name in try await ProxyLockTesting.namesOnBothBackends(target) {
                let first = try await rw.reading.lock(name, ttl: .seconds(10), wait: .zero)
                let second = try await rw.reading.lock(name, ttl: .seconds(10), wait: .zero)
                #expect(try await rw.reading.extend(first, ttl: .seconds(10)))
                let writing = Task { try await rw.writing.lock(name, ttl: .seconds(10), wait: .seconds(10)) }
                try #require(try await eventually { try await admin.exists(first.keys.writerWaiting) }, "the writer never marked itself waiting")
                #expect(try await rw.reading.unlock(first))
                let released = ContinuousClock.now
                #expect(try await rw.reading.unlock(second))
                let writer = try await writing.value
                #expect(ContinuousClock.now - released < .seconds(2), "the polling writer took \(ContinuousClock.now - released)")
                #expect(writer.fence == first.fence + 1)
                #expect(try await rw.writing.unlock(writer))

                let permits = semaphore.permits(2)
                let semaphoreName = name + ":sem"
                let a = try await permits.lock(semaphoreName, ttl: .seconds(10), wait: .zero)
                let b = try await permits.lock(semaphoreName, ttl: .seconds(10), wait: .zero)
                #expect(await lockError { () async throws(LockError) in try await permits.lock(semaphoreName, ttl: .seconds(10), wait: .zero) }?.code == .notAcquired)
                let waiting = Task { try await permits.lock(semaphoreName, ttl: .seconds(10), wait: .seconds(10)) }
                let freed = ContinuousClock.now
                #expect(try await permits.unlock(a))
                let c = try await waiting.value
                #expect(ContinuousClock.now - freed < .seconds(2))
                #expect(c.fence == b.fence + 1)
                for lease in [b, c] { #expect(try await permits.unlock(lease)) }
                #expect(try await admin.exists(a.keys.lock) == false)
            }
        }
    }
}
