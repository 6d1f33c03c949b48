import Foundation
import NIOCore
import RESP
import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// `release` deletes only locks, and only the exact bytes it showed: application data is
/// refused, a look-alike replacement survives, binary values and keys that are not UTF-8 are
/// released, and every attempt (refused ones too) is audited with escaped text.
@Suite("release: only locks, exact bytes")
struct ReleaseSafetyTests {
    @Test func applicationDataIsRefusedAndRecognisedLocksAnywhereAreReleased() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            let url = pool.server.url
            let audit = scratch.file("audit.log")
            _ = try await admin.send("HSET", "user:1", "name", "Ada", "balance", "100\nadmin=1")
            _ = try await admin.send("SET", "session:abc", "{\"user\":1}")
            for key in ["user:1", "session:abc"] {
                let run = try await runLockwatch(["release", key, "--url", url, "--yes", "--audit-log", audit], in: scratch.path)
                #expect(run.status == 64, "\(key): stderr \(run.stderr)")
                if key == "user:1" {
                    #expect(run.stdout.contains("  balance = 100\\nadmin=1\n") && run.stdout.contains("  name = Ada\n"), "the hash is not shown field by field: \(run.stdout)")
                }
                #expect(run.stderr.contains("--force-unknown") && run.stderr.contains("no known lock format"), "\(key): \(run.stderr)")
                #expect(try await admin.send("EXISTS", key).decode(as: Int.self) == 1, "\(key) was deleted")
            }

            // Recognised formats outside the default prefix stay releasable.
            let redisson = "order-lock"
            _ = try await admin.send("HSET", redisson, "8a2f6c4e-1b3d-4c5e-9f70-0123456789ab:42", "1")
            _ = try await admin.send("SET", "DUSEPK_REDIS_LOCK_jobs", "go-token-1", "PX", 60_000)
            _ = try await admin.send("SET", "py-lock", "3f2a1b4c5d6e11ef8a9b0242ac120002", "PX", 60_000)  // redis-py's uuid1 hex
            for key in [redisson, "DUSEPK_REDIS_LOCK_jobs", "py-lock"] {
                let run = try await runLockwatch(["release", key, "--url", url, "--yes", "--audit-log", audit], in: scratch.path)
                #expect(run.status == 0, "\(key): stderr \(run.stderr)")
                #expect(try await admin.send("EXISTS", key).decode(as: Int.self) == 0, "\(key) was not released")
            }

            // The override, and a glob the operator watches, release unknown keys.
            let forced = try await runLockwatch(["release", "session:abc", "--url", url, "--yes", "--force-unknown", "--audit-log", audit], in: scratch.path)
            #expect(forced.status == 0, "stderr: \(forced.stderr)")
            #expect(try await admin.send("EXISTS", "session:abc").decode(as: Int.self) == 0)
            let matched = try await runLockwatch(["release", "user:1", "--match", "user:*", "--url", url, "--yes", "--audit-log", audit], in: scratch.path)
            #expect(matched.status == 0, "stderr: \(matched.stderr)")
        }
    }

    @Test func aHashWithTheSameRenderingIsNotReleased() async throws {
        try await withLockServer { _, admin in
            _ = try await admin.send("HSET", "lock:h", "a", "1\nb=2")
            let inspector = LockInspector(client: admin, selection: .prefix("lock:"))
            let shown = try #require(try await inspector.inspect(keys: [Array("lock:h".utf8)]).first)
            // Another hash that renders as the same `field=value` lines.
            _ = try await admin.send("DEL", "lock:h")
            _ = try await admin.send("HSET", "lock:h", "a", "1", "b", "2")
            let replaced = try #require(try await inspector.inspect(keys: [Array("lock:h".utf8)]).first)
            #expect(replaced.value == shown.value, "the test needs two hashes that render alike")
            let outcome = await inspector.forceRelease(shown, audit: .init(streamKey: nil, logFile: nil))
            #expect(outcome == .changedHands(currentValue: replaced.value))
            #expect(try await admin.send("HLEN", "lock:h").decode(as: Int.self) == 2, "the changed hash was deleted")
            // The unchanged hash is released.
            #expect(await inspector.forceRelease(replaced, audit: .init(streamKey: nil, logFile: nil)) == .released(auditEntryID: nil))
            #expect(try await admin.send("EXISTS", "lock:h").decode(as: Int.self) == 0)
        }
    }

    @Test func binaryValuesAreComparedExactly() async throws {
        try await withLockServer { _, admin in
            let key = Array("lock:bin".utf8)
            let binary: [UInt8] = [0xFF, 0xFE, 0x00, 0x80]
            _ = try await admin.send("SET", ByteBuffer(bytes: key), ByteBuffer(bytes: binary))
            let inspector = LockInspector(client: admin, selection: .prefix("lock:"))
            let shown = try #require(try await inspector.inspect(keys: [key]).first)
            #expect(shown.value == binary)
            // The value replaced by its U+FFFD rendering: refused.
            let lookalike = Array(String(decoding: binary, as: UTF8.self).utf8)
            _ = try await admin.send("SET", ByteBuffer(bytes: key), ByteBuffer(bytes: lookalike))
            guard case .changedHands = await inspector.forceRelease(shown, audit: .init(streamKey: nil, logFile: nil)) else {
                Issue.record("a U+FFFD look-alike of the shown value was not refused")
                return
            }
            #expect(try await admin.send("EXISTS", ByteBuffer(bytes: key)).decode(as: Int.self) == 1)
            // The unchanged binary value: released.
            _ = try await admin.send("SET", ByteBuffer(bytes: key), ByteBuffer(bytes: binary))
            #expect(await inspector.forceRelease(shown, audit: .init(streamKey: nil, logFile: nil)) == .released(auditEntryID: nil))
            #expect(try await admin.send("EXISTS", ByteBuffer(bytes: key)).decode(as: Int.self) == 0)
        }
    }

    @Test func aKeyThatIsNotUTF8IsReleasedFromArgvAndFromKeyBase64() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            let url = pool.server.url
            let audit = scratch.file("audit.log")
            let raw = Array("lock:{raw".utf8) + [0xFF] + Array("}".utf8)
            _ = try await admin.send("SET", ByteBuffer(bytes: raw), "token-1", "PX", 60_000)
            // The key exactly as a shell passes it: the byte 0xFF in argv.
            let script = "exec \"$0\" release \"$(printf 'lock:{raw\\377}')\" --url \(url) --yes --audit-log \(audit)"
            let shell = try SpawnedProcess("/bin/sh", ["-c", script, try LockwatchBinary.path()], directory: scratch.path)
            let status = await shell.waitForExit(timeout: .seconds(20))
            #expect(status == 0, "stderr: \(shell.standardError)")
            #expect(shell.standardOutput.contains("lock:{raw\\xff}"), "the key is not shown escaped: \(shell.standardOutput)")
            #expect(try await admin.send("EXISTS", ByteBuffer(bytes: raw)).decode(as: Int.self) == 0, "the key was not released")

            // list --json gives the exact bytes back, and release takes them.
            _ = try await admin.send("SET", ByteBuffer(bytes: raw), "token-2", "PX", 60_000)
            let json = try await runLockwatch(["list", "--url", url, "--json"], in: scratch.path)
            let objects = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
            let encoded = try #require(objects.compactMap { $0["key_base64"] as? String }.first { Data(base64Encoded: $0) == Data(raw) })
            let released = try await runLockwatch(["release", "--key-base64", encoded, "--url", url, "--yes", "--audit-log", audit], in: scratch.path)
            #expect(released.status == 0, "stderr: \(released.stderr)")
            #expect(try await admin.send("EXISTS", ByteBuffer(bytes: raw)).decode(as: Int.self) == 0)
            let records = try String(contentsOfFile: audit, encoding: .utf8).split(separator: "\n").map {
                try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String]
            }
            #expect(records.count == 2 && records.allSatisfy { $0?["key_base64"] == Data(raw).base64EncodedString() }, "the audit log does not keep the key's bytes: \(records)")
        }
    }

    @Test func aWrongTokenIsAuditedAndAuditEntriesAreEscapedAndNamed() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            let url = pool.server.url
            let audit = scratch.file("audit.log")
            let key = "lock:evil\u{1b}[2J\u{202e}txt"
            _ = try await admin.send("SET", key, "holder\u{1b}]0;PWNED\u{07}", "PX", 60_000)
            let anonymous = ["USER": "", "LOGNAME": "", "SUDO_USER": ""]
            let wrong = try await runLockwatch(
                ["release", key, "--url", url, "--yes", "--token", "nope", "--audit-log", audit], environment: anonymous, in: scratch.path)
            #expect(wrong.status == 65, "stderr: \(wrong.stderr)")
            #expect(!wrong.stderr.contains("\u{1b}") && !wrong.stdout.contains("\u{1b}"), "a raw escape reached the terminal")
            #expect(try await admin.send("EXISTS", key).decode(as: Int.self) == 1)
            let released = try await runLockwatch(["release", key, "--url", url, "--yes", "--audit-log", audit], environment: anonymous, in: scratch.path)
            #expect(released.status == 0, "stderr: \(released.stderr)")

            let lines = try String(contentsOfFile: audit, encoding: .utf8).split(separator: "\n")
            #expect(lines.count == 2)
            #expect(lines.first?.contains("force-release-refused") == true, "the wrong token was not audited: \(lines)")
            for line in lines {
                #expect(!line.contains("\u{1b}") && !line.contains("\u{202e}"), "a raw control or bidi character in the audit log: \(line)")
                let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
                #expect(record["key"] == "lock:evil\\x1b[2J\\u202etxt")
                #expect(record["operator"].map { !$0.isEmpty && $0.contains("uid") } == true, "no operator named: \(record)")
            }
            let stream = try await admin.send("XRANGE", "lock:lockwatch:audit", "-", "+").decode(as: [[RESPToken]].self)
            #expect(stream.count == 2)
            for entry in stream {
                let fields = try [String](fromRESP: try #require(entry.last))
                #expect(!fields.joined().contains("\u{1b}"), "a raw escape in the audit stream: \(fields)")
            }
        }
    }

    @Test func theDashboardReleasesAKeyThatIsNotUTF8() async throws {
        let binary = try LockwatchBinary.path()
        try await withLockServer { pool, admin in
            let raw = Array("lock:{raw".utf8) + [0xFF] + Array("}".utf8)
            _ = try await admin.send("SET", ByteBuffer(bytes: raw), "token-9", "PX", 60_000)
            let session = "lw-raw-\(UUID().uuidString.prefix(8))"
            let auditLog = NSTemporaryDirectory() + "\(session).log"
            defer {
                _ = try? DashboardEndToEndTests.tmux(["kill-session", "-t", session])
                try? FileManager.default.removeItem(atPath: auditLog)
            }
            let command = "REDIS_URL=\(pool.server.url) \(binary) --audit-log \(auditLog); echo EXITED=$?; sleep 60"
            try DashboardEndToEndTests.tmux(["new-session", "-d", "-s", session, "-x", "120", "-y", "30", command])
            _ = try await DashboardEndToEndTests.waitForScreen(session, "the row") { $0.contains("lock:{raw\\xff}") }
            try DashboardEndToEndTests.tmux(["send-keys", "-t", session, "F"])
            _ = try await DashboardEndToEndTests.waitForScreen(session, "the confirmation") { $0.lowercased().contains("release") && $0.contains("token-9") }
            try DashboardEndToEndTests.tmux(["send-keys", "-t", session, "y"])
            let deadline = ContinuousClock.now + .seconds(5)
            while ContinuousClock.now < deadline, try await admin.send("EXISTS", ByteBuffer(bytes: raw)).decode(as: Int.self) == 1 {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(try await admin.send("EXISTS", ByteBuffer(bytes: raw)).decode(as: Int.self) == 0, "the dashboard did not release the key")
            let screen = try DashboardEndToEndTests.tmux(["capture-pane", "-p", "-t", session])
            #expect(!screen.contains("vanished"), "screen:\n\(screen)")
            try DashboardEndToEndTests.tmux(["send-keys", "-t", session, "q"])
            _ = try await DashboardEndToEndTests.waitForScreen(session, "lockwatch to exit") { $0.contains("EXITED=0") }
        }
    }
}
