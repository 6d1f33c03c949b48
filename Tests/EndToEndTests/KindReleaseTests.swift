import Foundation
import RESP
import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// `lockwatch release KEY --holder TOKEN`: one reader of a read-write lock, the others kept.
@Suite("lockwatch release --holder")
struct KindReleaseTests {
    @Test func releasesOneReaderByItsTokenAndRefusesAnUnknownHolder() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            let rw = try ReadWriteLocker(try pool.locker(owner: "reader"))
            let first = try await rw.reading.lock("catalog", ttl: .seconds(60), wait: .seconds(5))
            let second = try await rw.reading.lock("catalog", ttl: .seconds(60), wait: .seconds(5))
            let log = scratch.path + "/audit.log"

            let unknown = try await runLockwatch(
                ["release", first.keys.lock, "--url", pool.server.url, "--holder", "nobody", "--yes", "--audit-log", log], in: scratch.path)
            #expect(unknown.status == 66, "stdout: \(unknown.stdout) stderr: \(unknown.stderr)")
            #expect(unknown.stderr.contains("no holder 'nobody'"))

            let released = try await runLockwatch(
                ["release", first.keys.lock, "--url", pool.server.url, "--holder", first.token, "--yes", "--audit-log", log], in: scratch.path)
            #expect(released.status == 0, "stdout: \(released.stdout) stderr: \(released.stderr)")
            #expect(released.stdout.contains("rw: 2 readers") && released.stdout.contains("holder: reader " + first.token))
            let fields = try await admin.send("HGETALL", first.keys.lock).decode(as: [String: String].self)
            #expect(fields["r:" + first.token] == nil && fields["r:" + second.token] != nil)
            let audit = try String(contentsOfFile: log, encoding: .utf8)
            #expect(audit.contains("\"holder_field\"") && audit.contains("r:" + first.token))
        }
    }
}
