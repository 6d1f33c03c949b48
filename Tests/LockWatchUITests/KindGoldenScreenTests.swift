import Foundation
import Testing
@testable import LockWatchUI
import RedisLock

/// The golden screens of the lock kinds: a table with a row of each kind (summary in FORMAT)
/// and the detail panel of a read-write lock (its readers) and of a fair lock (its queue
/// head). Part of ``GoldenScreenTests``, so `scripts/update-golden.sh` rewrites them too.
extension GoldenScreenTests {
    /// A row of each kind, this library's and Redisson's.
    static let kindLocks: [InspectedLock] = {
        func reader(_ token: String, _ owner: String, ttl: Int64) -> KindHolder {
            KindHolder(role: .reader, field: Array("r:\(token)".utf8), token: token, owner: owner, fence: 7, ttlMilliseconds: ttl)
        }
        var readWrite = lock("lock:{catalog}", owner: "api-1, api-2", token: nil, ttl: 28_000, fence: 7, format: .lockwatch, type: "hash")
        readWrite.kind = LockKindDetail(kind: .readWrite, mode: .read, holders: [
            reader("5d0c1e9a", "api-1", ttl: 12_000), reader("a41f7b22", "api-2", ttl: 28_000),
            reader("e\u{1b}[31mvil", "x\u{1b}]0;PWNED\u{07}", ttl: 9_000),
        ])
        var writer = lock("lock:{schema}", owner: "migrator", token: "9b3e2f10", ttl: 55_000, fence: 8, type: "hash")
        writer.kind = LockKindDetail(kind: .readWrite, mode: .write, holders: [
            KindHolder(role: .writer, field: [UInt8(ascii: "w")], token: "9b3e2f10", owner: "migrator", fence: 8, ttlMilliseconds: 55_000),
        ])
        var semaphore = lock("lock:{exports}", owner: "batch-3, batch-4", token: nil, ttl: 40_000, fence: nil, type: "hash")
        semaphore.kind = LockKindDetail(kind: .semaphore, holders: [
            KindHolder(role: .permit, field: Array("h:11aa".utf8), token: "11aa", owner: "batch-3", fence: 31, ttlMilliseconds: 40_000),
            KindHolder(role: .permit, field: Array("h:22bb".utf8), token: "22bb", owner: "batch-4", fence: 32, ttlMilliseconds: 15_000),
        ], permitsTotal: 5)
        var fair = lock("lock:{payroll}", owner: "web-1", token: "c0ffee01", ttl: 20_000, fence: 44, waiters: 4)
        fair.kind = LockKindDetail(kind: .fair, holders: [
            KindHolder(role: .holder, token: "c0ffee01", owner: "web-1", fence: 44, ttlMilliseconds: 20_000),
        ], queueLength: 4, queueHead: KindHolder(role: .waiter, token: "d00d0002", owner: "web-2"))
        var redisson = lock("catalog", owner: "b1f5c3c2-1a2b-4c3d-8e9f-0123456789ab:57 ×1", token: "b1f5c3c2-1a2b-4c3d-8e9f-0123456789ab:57",
                            ttl: 30_000, heldFor: nil, fence: nil, waiters: nil, format: .redisson, type: "hash")
        redisson.kind = LockKindDetail(kind: .readWrite, mode: .read, holders: [
            KindHolder(role: .reader, token: "b1f5c3c2-1a2b-4c3d-8e9f-0123456789ab:57"),
        ])
        return [readWrite, writer, semaphore, fair, redisson]
    }()

    /// The kinds' screens: the table, the read-write lock's detail (readers), the fair lock's.
    @Test(arguments: ["kinds-table", "kinds-detail-rw", "kinds-detail-fair"])
    func kindScreenMatchesItsFixture(_ name: String) throws {
        let update = ProcessInfo.processInfo.environment["LOCKWATCH_UPDATE_GOLDEN"] == "1"
        for size in Self.sizes {
            var state = dashboard(Self.kindLocks, width: size.width, height: size.height)
            let detailKey = ["kinds-detail-rw": "lock:{catalog}", "kinds-detail-fair": "lock:{payroll}"][name]
            if let detailKey {
                for _ in Self.kindLocks where state.selectedLock?.key != detailKey { _ = state.handle(.down) }
                #expect(state.selectedLock?.key == detailKey)
                _ = state.handle(.enter)
            }
            let actual = Self.text(of: render(state, width: size.width, height: size.height), height: size.height)
            let file = Self.fixtureDirectory.appendingPathComponent("\(name)-\(size.width)x\(size.height).txt")
            if update {
                try actual.write(to: file, atomically: true, encoding: .utf8)
                continue
            }
            #expect(actual == (try String(contentsOf: file, encoding: .utf8)), "\(name) at \(size.width)×\(size.height):\n\(actual)")
            #expect(!actual.contains("\u{1b}") && !actual.contains("\u{07}"))
        }
    }
}
