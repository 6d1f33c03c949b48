import Foundation
import RESP
import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// `lockwatch list` shows each lock kind as one row with a compact summary in the table and
/// the kind's fields in JSON, every string from Redis escaped.
@Suite("lockwatch list: lock kinds")
struct KindListTests {
    @Test func listSummarisesEachKindAndJSONCarriesItsFields() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            let rw = try ReadWriteLocker(try pool.locker(owner: "reader"))
            var readers: [LockLease] = []
            for _ in 0 ..< 3 { readers.append(try await rw.reading.lock("catalog", ttl: .seconds(60), wait: .seconds(5))) }
            let semaphore = try Semaphore(try pool.locker(owner: "batch"))
            let permit = try await semaphore.permits(5).lock("exports", ttl: .seconds(60), wait: .seconds(5))
            _ = try await semaphore.permits(5).lock("exports", ttl: .seconds(60), wait: .seconds(5))
            let fair = try await KindFixtures.writeFairLock(
                admin, name: "payroll", token: "holder-token", owner: "web-1", fence: 4,
                waiters: [.init(token: "evil\\u001b]0;PWNED\\u0007", owner: "web-2\\u001b[31m"),
                          .init(token: "next", owner: "web-3"), .init(token: "last", owner: "web-4"), .init(token: "more", owner: "web-5")])

            let table = try await runLockwatch(["list", "--url", pool.server.url], in: scratch.path)
            #expect(table.status == 0, "stderr: \(table.stderr)")
            let lines = table.stdout.split(separator: "\n").map(String.init)
            #expect(lines.filter { $0.hasPrefix("lock:") }.count == 3, "three rows, no auxiliary keys:\n\(table.stdout)")
            #expect(lines.contains { $0.hasPrefix("lock:{catalog}") && $0.contains("rw: 3 readers") })
            #expect(lines.contains { $0.hasPrefix("lock:{exports}") && $0.contains("semaphore 2/5") })
            #expect(lines.contains { $0.hasPrefix(fair) && $0.contains("fair: 4 queued") && $0.contains("web-1") })

            let json = try await runLockwatch(["list", "--url", pool.server.url, "--json"], in: scratch.path)
            #expect(json.status == 0, "stderr: \(json.stderr)")
            #expect(!json.stdout.contains("\u{1b}"), "a raw escape reached the output")
            let objects = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
            #expect(objects.count == 3)
            let catalog = try #require(objects.first { $0["key"] as? String == "lock:{catalog}" })
            #expect(catalog["kind"] as? String == "rw")
            #expect(catalog["mode"] as? String == "read")
            #expect(catalog["readers"] as? Int == 3)
            let holders = try #require(catalog["holders"] as? [[String: Any]])
            #expect(Set(holders.compactMap { $0["token"] as? String }) == Set(readers.map(\.token)))
            #expect(holders.allSatisfy { ($0["ttl_ms"] as? Int).map { $0 > 50_000 } == true && $0["owner"] as? String == "reader" })
            let exports = try #require(objects.first { $0["key"] as? String == "lock:{exports}" })
            #expect(exports["kind"] as? String == "semaphore")
            #expect(exports["permits_used"] as? Int == 2 && exports["permits_total"] as? Int == 5)
            #expect((exports["holders"] as? [[String: Any]])?.contains { $0["holder"] as? String == permit.token } == true)
            let payroll = try #require(objects.first { $0["key"] as? String == fair })
            #expect(payroll["kind"] as? String == "fair")
            #expect(payroll["queue_length"] as? Int == 4)
            let head = try #require(payroll["queue_head"] as? [String: Any])
            #expect(head["token"] as? String == "evil\\u001b]0;PWNED\\u0007", "the head's token, as stored")
            #expect(head["owner"] as? String == "web-2\u{1b}[31m", "the owner decoded from its JSON escape")
            #expect(json.stdout.contains("web-2\\u001b[31m"), "and escaped again on output")
        }
    }
}
