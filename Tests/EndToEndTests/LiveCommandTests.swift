import Foundation
import Glibc
import RESP
import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// `lockwatch events` and the streaming `list` as a user runs them.
@Suite("Live commands")
struct LiveCommandTests {
    /// Waits until the events command says it is watching (its first scan is done and the
    /// change stream is open).
    static func waitUntilWatching(_ stderr: @escaping () -> String) async throws -> Bool {
        try await eventually(timeout: .seconds(15), interval: .milliseconds(20)) { stderr().contains("watching") }
    }

    @Test func eventsJSONParsesAndEndsCleanlyWhenTheReaderGoesAway() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            let binary = try LockwatchBinary.path()
            let script = """
                set -o pipefail
                '\(binary)' events --json --url redis://127.0.0.1:\(pool.server.port) 2> '\(scratch.file("err"))' | head -3 > '\(scratch.file("out"))'
                echo "${PIPESTATUS[0]}" > '\(scratch.file("status"))'
                """
            let shell = try SpawnedProcess("/bin/bash", ["-c", script], directory: scratch.path)
            defer { shell.killIfRunning() }
            let watching = try await Self.waitUntilWatching { (try? String(contentsOfFile: scratch.file("err"), encoding: .utf8)) ?? "" }
            #expect(watching, "events never started: \(shell.standardError)")
            // Keep changing locks until `head` has its three lines and lockwatch noticed it left.
            var index = 0
            let deadline = ContinuousClock.now + .seconds(15)
            while !shell.hasExited, ContinuousClock.now < deadline {
                _ = try await admin.send("SET", "lock:e\(index)", "w\(index)", "PX", 60_000)
                index += 1
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(await shell.waitForExit(timeout: .seconds(5)) != nil)
            let status = (try? String(contentsOfFile: scratch.file("status"), encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(status == "0", "lockwatch events ended with \(status ?? "nothing") after its reader left; stderr: \((try? String(contentsOfFile: scratch.file("err"), encoding: .utf8)) ?? "")")
            let lines = try String(contentsOfFile: scratch.file("out"), encoding: .utf8).split(separator: "\n")
            #expect(lines.count == 3)
            for (offset, line) in lines.enumerated() {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                #expect(object["event"] as? String == "acquired")
                #expect(object["key"] as? String == "lock:e\(offset)")
                #expect(object["owner"] is String || object["owner"] is NSNull)
                #expect(object["source"] as? String == "stream")
                #expect((object["at_ms"] as? Int ?? 0) > 1_600_000_000_000)
            }
        }
    }

    @Test func eventsTextEndsCleanlyOnCtrlC() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            let process = try SpawnedProcess(try LockwatchBinary.path(), ["events", "--url", "redis://127.0.0.1:\(pool.server.port)"], directory: scratch.path)
            defer { process.killIfRunning() }
            #expect(try await Self.waitUntilWatching { process.standardError })
            _ = try await admin.send("SET", "lock:ctrl\u{1b}[31m", "holder", "PX", 60_000)
            // A write and a delete within one read of the key would show as nothing at all.
            #expect(try await eventually(timeout: .seconds(5)) { process.standardOutput.contains("acquired") })
            _ = try await admin.send("DEL", "lock:ctrl\u{1b}[31m")
            let shown = try await eventually(timeout: .seconds(5)) { process.standardOutput.contains("released") }
            #expect(shown, "stdout: \(process.standardOutput)")
            process.send(SIGINT)
            #expect(await process.waitForExit(timeout: .seconds(5)) == 0)
            let lines = process.standardOutput.split(separator: "\n")
            #expect(lines.count == 2)
            #expect(lines.first?.contains("acquired") == true && lines.last?.contains("released") == true)
            #expect(!process.standardOutput.contains("\u{1b}"), "a key's escape sequence reached the output")
        }
    }

    @Test func listNDJSONIsOneObjectPerLock() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            let keys = (0 ..< 1500).map { "lock:n\($0)" }
            var batch: [RESPCommand] = keys.map { RESPCommand("SET", $0, "holder", "PX", 60_000) }
            batch.append(RESPCommand("SET", "other:x", "not-listed"))
            for result in try await admin.send(batch: batch) { _ = try result.get() }
            let run = try await runLockwatch(["list", "--ndjson", "--url", "redis://127.0.0.1:\(pool.server.port)"], in: scratch.path)
            #expect(run.status == 0, "stderr: \(run.stderr)")
            let lines = run.stdout.split(separator: "\n")
            var seen: [String] = []
            for line in lines {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                seen.append(try #require(object["key"] as? String))
            }
            #expect(seen.count == keys.count)
            #expect(Set(seen) == Set(keys))
            // The first window comes sorted by key.
            let window = Array(seen.prefix(1000))
            #expect(window == window.sorted())

            let json = try await runLockwatch(["list", "--json", "--url", "redis://127.0.0.1:\(pool.server.port)"], in: scratch.path)
            let array = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
            #expect(Set(array.compactMap { $0["key"] as? String }) == Set(keys))

            let table = try await runLockwatch(["list", "--url", "redis://127.0.0.1:\(pool.server.port)"], in: scratch.path)
            let rows = table.stdout.split(separator: "\n")
            #expect(rows.count == keys.count + 2, "header, a row per lock, summary")
            #expect(rows.last?.hasPrefix("1500 locks under lock:") == true)
        }
    }
}
