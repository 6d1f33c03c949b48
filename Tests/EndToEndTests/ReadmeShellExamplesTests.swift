import Foundation
import RESP
import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// The README's `lockwatch …` shell examples, run as printed (with the built binary first on
/// `PATH` and `REDIS_URL` pointing at a private server) unless they need a setup a test cannot
/// make here: other hosts, a job script, a `prod` context, or a terminal for the dashboard
/// (the tmux tests cover the dashboard).
@Suite("README shell examples", .serialized)
struct ReadmeShellExamplesTests {
    /// Every line of a `sh` block in the README that runs `lockwatch`, without its comment.
    static func examples() throws -> [String] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        var lines: [String] = []
        var inShell = false
        for line in readme.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                inShell = !inShell && ["```sh", "```bash", "```shell"].contains(line.trimmingCharacters(in: .whitespaces))
                continue
            }
            guard inShell else { continue }
            var command = String(line)
            if let comment = command.range(of: "  #") { command = String(command[..<comment.lowerBound]) }
            command = command.trimmingCharacters(in: .whitespaces)
            if command.hasPrefix("lockwatch ") || command == "lockwatch" { lines.append(command) }
        }
        return lines
    }

    /// Why `example` cannot run here, or `nil` when it can.
    static func specialSetup(_ example: String) -> String? {
        let words = example.split(separator: " ").map(String.init)
        let subcommands: Set = ["list", "release", "events", "config", "contexts", "hold"]
        if ["10.0.0.", "://a:", "://s1:", "redis+sentinel"].contains(where: example.contains) { return "other servers" }
        if example.contains("--context prod") { return "a prod context" }
        if words.contains("hold") && example.contains("./") { return "a job script" }
        if !words.dropFirst().contains(where: subcommands.contains) { return "a terminal: the dashboard (tmux tests)" }
        return nil
    }

    @Test func everyRunnableExampleWorksAsPrinted() async throws {
        let examples = try Self.examples()
        let runnable = examples.filter { Self.specialSetup($0) == nil }
        #expect(runnable.count >= 7, "fewer runnable examples than expected: \(runnable)")
        let binary = try LockwatchBinary.path()
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            let locker = try pool.locker(owner: "readme-example")
            _ = try #require(try await locker.tryLock("orders:42", ttl: .seconds(60)).lease)
            _ = try #require(try await locker.tryLock("orders:1", ttl: .seconds(60)).lease)
            let environment = [
                "PATH": URL(fileURLWithPath: binary).deletingLastPathComponent().path + ":/usr/bin:/bin",
                "REDIS_URL": pool.server.url,
                "XDG_CONFIG_HOME": scratch.file("config"),
                "XDG_STATE_HOME": scratch.file("state"),
                "HOME": scratch.path,
            ]
            // Events to print while an `events` example runs: a lock taken and released.
            let churn = Task {
                let churner = try pool.locker(owner: "readme-churn")
                while !Task.isCancelled {
                    if let lease = try await churner.tryLock("orders:7", ttl: .seconds(5)).lease { _ = try await churner.unlock(lease) }
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            defer { churn.cancel() }
            for example in runnable {
                try await Self.run(example, environment: environment, admin: admin, in: scratch)
            }
        }
    }

    /// Runs one example and checks what it promises.
    static func run(_ example: String, environment: [String: String], admin: RedisClient, in scratch: ScratchDirectory) async throws {
        let runsUntilStopped = example.hasPrefix("lockwatch events") && !example.contains("| head")
        let confirms = example.hasPrefix("lockwatch release")
        let shell = if runsUntilStopped {
            // Runs until Ctrl-C: stop it with SIGINT after a moment, as a person would.
            "timeout --signal=INT 3 \(example); status=$?; [ $status -eq 124 ] && exit 0; exit $status"
        } else if confirms {
            // Asks on the terminal: answer "y" on a pseudo-terminal.
            "printf 'y\\n' | script -qec \(shellQuoted(example)) /dev/null"
        } else {
            example
        }
        let process = try SpawnedProcess("/bin/bash", ["-c", shell], environment: environment, directory: scratch.path)
        let status = await process.waitForExit(timeout: .seconds(30))
        #expect(status == 0, "'\(example)' exited \(status.map(String.init) ?? "never"): \(process.standardError)\n\(process.standardOutput)")
        let output = process.standardOutput
        if example.contains("--json") && example.hasPrefix("lockwatch list") {
            #expect(output.contains("\"key\":\"lock:{orders:42}\"") || output.contains("\"key\" : \"lock:{orders:42}\""), "'\(example)': \(output)")
        }
        if example.contains("| head -3") {
            let lines = output.split(separator: "\n")
            #expect(lines.count == 3, "'\(example)' printed \(lines.count) lines: \(output)")
            for line in lines {
                #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any], "not a JSON object: \(line)")
            }
        }
        if confirms {
            #expect(try await admin.send("EXISTS", "lock:{orders:42}").decode(as: Int.self) == 0, "'\(example)' left the lock: \(output)")
        }
        if example.hasPrefix("lockwatch config init") {
            #expect(FileManager.default.fileExists(atPath: scratch.file("config/lockwatch/config.toml")), "\(output)")
        }
    }

    static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    @Test func onlyTheExamplesThatNeedASetupAreSkipped() throws {
        // Each skipped example is named here, so a new example that silently cannot run
        // (another host, a job script, a context) fails this test until it is looked at.
        let skipped = Set(try Self.examples().filter { Self.specialSetup($0) != nil })
        let known: Set = [
            "lockwatch --url redis://10.0.0.1:7000,10.0.0.2:7000",
            "lockwatch --url redis://10.0.0.1:7000",
            "lockwatch --url redis://a:6379 --url redis://b:6379 --url redis://c:6379",
            "lockwatch list --url redis+sentinel://s1:26379,s2:26379/mymaster",
            "lockwatch hold nightly --url redis://a:6379 --url redis://b:6379 --url redis://c:6379 -- ./job.sh",
            "lockwatch hold nightly-report --ttl 30s --wait 10s -- ./make-report.sh",
            "lockwatch",
            "lockwatch --prefix lock: --prefix DUSEPK_REDIS_LOCK_ --interval 2s --readonly",
            "lockwatch --context prod",
            "lockwatch --context prod list",
        ]
        #expect(skipped == known, "skipped but not listed: \(skipped.subtracting(known)); listed but not skipped: \(known.subtracting(skipped))")
    }
}
