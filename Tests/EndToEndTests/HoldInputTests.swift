import Foundation
import Glibc
import RESP
import RedisTestSupport
import Testing
import LockTestSupport

/// `lockwatch hold`'s input hygiene (issue 14 #7): names and values it cannot use are usage
/// errors (64) that say why, before anything is locked, and nothing raw reaches the terminal.
@Suite("lockwatch hold: input")
struct HoldInputTests {
    @Test(arguments: [
        (["hold", "", "--", "true"], "the lock name is empty"),
        (["hold", "a\u{1b}[31mb", "--", "true"], "the lock name 'a\\x1b[31mb' contains control or format characters"),
        (["hold", "rtl\u{202e}name", "--", "true"], "contains control or format characters"),
        (["hold", "x", "--prefix", "p\u{7}:", "--", "true"], "--prefix 'p\\x07:' contains control or format characters"),
        (["hold", "x", "--ttl", "1000000000s", "--", "true"], "--ttl must be at most 365 days"),
    ])
    func refusedAsUsage(arguments: [String], expected: String) async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            var fixed = arguments
            fixed.insert(contentsOf: ["--url", pool.server.url], at: fixed.firstIndex(of: "--") ?? fixed.count)
            let run = try await runLockwatch(fixed, in: scratch.path)
            #expect(run.status == 64, "\(fixed): stderr: \(run.stderr)")
            #expect(run.stderr.contains(expected), "stderr: \(run.stderr)")
            #expect(!run.stderr.unicodeScalars.contains { $0 == "\u{1b}" || $0 == "\u{7}" || $0 == "\u{202e}" }, "a raw control character reached stderr: \(run.stderr)")
            let keys = try await admin.send("DBSIZE").decode(as: Int.self)
            #expect(keys == 0, "a usage error still touched Redis")
        }
    }

    /// A database the server does not have is a usage error, found when connecting.
    @Test func aDatabaseTheServerDoesNotHaveIsAUsageError() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            let marker = scratch.file("ran")
            let run = try await runLockwatch(
                ["hold", "x", "--url", "redis://127.0.0.1:\(pool.server.port)/99999", "--", "touch", marker], in: scratch.path)
            #expect(run.status == 64, "stderr: \(run.stderr)")
            #expect(run.stderr.contains("no such database") && run.stderr.contains("'databases' setting"), "stderr: \(run.stderr)")
            #expect(run.stderr.split(separator: "\n").count == 1, "stderr: \(run.stderr)")
            #expect(!FileManager.default.fileExists(atPath: marker))
        }
    }

    /// A refused login names the user: a control character in it is shown escaped, in the
    /// message and in no raw log line.
    @Test func aRefusedLoginIsReportedEscaped() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer(RedisServer.Options(requirePassword: "right")) { pool, admin in
            let run = try await runLockwatch(
                ["hold", "x", "--url", "redis://a%1b%5b31mb@127.0.0.1:\(pool.server.port)", "--wait", "0", "--", "true"],
                environment: ["REDIS_PASSWORD": "wrong"], in: scratch.path)
            #expect(run.status == 77, "stderr: \(run.stderr)")
            #expect(!run.stderr.unicodeScalars.contains("\u{1b}"), "a raw escape reached stderr: \(run.stderr)")
            #expect(run.stderr.contains("a\\x1b[31mb"), "stderr: \(run.stderr)")
            #expect(run.stderr.split(separator: "\n").count == 1, "stderr: \(run.stderr)")
        }
    }
}
