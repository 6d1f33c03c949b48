import Foundation
import Glibc
import RESP
@testable import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// `lockwatch hold`: exit codes, messages and the child's environment.
@Suite("lockwatch hold")
struct HoldCommandTests {
    @Test func commandStatusPassesThroughAndTheLockIsReleased() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            let run = try await runLockwatch(["hold", "status", "--url", pool.server.url, "--", "sh", "-c", "exit 3"], in: scratch.path)
            #expect(run.status == 3, "stderr: \(run.stderr)")
            let ok = try await runLockwatch(["hold", "status", "--url", pool.server.url, "--", "true"], in: scratch.path)
            #expect(ok.status == 0, "stderr: \(ok.stderr)")
            let killed = try await runLockwatch(["hold", "status", "--url", pool.server.url, "--", "sh", "-c", "kill -9 $$"], in: scratch.path)
            #expect(killed.status == Int32(128 + SIGKILL), "stderr: \(killed.stderr)")
            #expect(try await admin.exists("lock:{status}") == false)
            #expect(try await admin.get("lock:{status}:fence") == "3")
        }
    }

    @Test func childGetsTheLockEnvironment() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            let run = try await runLockwatch(
                ["hold", "env-check", "--url", pool.server.url, "--prefix", "jobs:", "--",
                 "sh", "-c", #"printf '%s|%s|%s|%s\n' "$LOCK_NAME" "$LOCK_KEY" "$LOCK_TOKEN" "$LOCK_FENCE"; redis-cli -p "$0" --no-auth-warning GET "$LOCK_KEY""#,
                 String(pool.server.port)],
                in: scratch.path)
            #expect(run.status == 0, "stderr: \(run.stderr)")
            let lines = run.stdout.split(separator: "\n").map(String.init)
            try #require(lines.count == 2, "stdout: \(run.stdout)")
            let fields = lines[0].split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            try #require(fields.count == 4, "stdout: \(run.stdout)")
            #expect(fields[0] == "env-check")
            #expect(fields[1] == "jobs:{env-check}")
            #expect(fields[2].count == 32 && fields[2].allSatisfy(\.isHexDigit), "LOCK_TOKEN \(fields[2])")
            #expect(fields[3] == "1")
            // While the command ran, the lock held exactly the record with these values.
            let record = try #require(LockRecord(parsing: lines[1]), "stored value: \(lines[1])")
            #expect(record.token == fields[2])
            #expect(String(record.fence) == fields[3])
            #expect(try await admin.exists("jobs:{env-check}") == false)
        }
    }

    /// SIGTERM to lockwatch goes to the command; once the command has ended, the lock is
    /// released and lockwatch exits with the command's status (128 + 15).
    @Test func sigtermIsForwardedAndTheLockReleased() async throws {
        let lockwatch = try LockwatchBinary.path()
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            let pidFile = scratch.file("child.pid")
            let holder = try SpawnedProcess(
                lockwatch,
                ["hold", "terminated", "--url", pool.server.url, "--ttl", "10s", "--",
                 "sh", "-c", "echo $$ > \"$0\"; exec sleep 30", pidFile],
                directory: scratch.path)
            var childPID: Int32 = 0
            defer {
                holder.killIfRunning()
                if childPID > 0 { kill(childPID, SIGKILL) }
            }
            let started = try await eventually(timeout: .seconds(10)) {
                let text = (try? String(contentsOfFile: pidFile, encoding: .utf8)) ?? ""
                childPID = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
                return childPID > 0
            }
            try #require(started, "lockwatch never started its command; stderr: \(holder.standardError)")
            #expect(try await admin.exists("lock:{terminated}"))

            holder.send(SIGTERM)
            let status = await holder.waitForExit(timeout: .seconds(10))
            #expect(status == 128 + SIGTERM, "stderr: \(holder.standardError)")
            #expect(!processExists(childPID), "the command survived")
            #expect(try await admin.exists("lock:{terminated}") == false, "the lock was not released")
        }
    }

    @Test func lockHeldElsewhereExits75NamingTheHolder() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            let holder = try pool.locker(owner: "batch-host-17")
            let lease = try #require(try await holder.tryLock("contended", ttl: .seconds(60)).lease)
            let marker = scratch.file("ran")
            let started = ContinuousClock.now
            let run = try await runLockwatch(
                ["hold", "contended", "--url", pool.server.url, "--wait", "100ms", "--", "touch", marker], in: scratch.path)
            let elapsed = ContinuousClock.now - started
            #expect(run.status == 75, "stderr: \(run.stderr)")
            #expect(run.stderr.contains("batch-host-17"), "stderr does not name the holder: \(run.stderr)")
            #expect(run.stderr.contains("fence \(lease.fence)"), "stderr: \(run.stderr)")
            #expect(!FileManager.default.fileExists(atPath: marker), "the command ran without the lock")
            #expect(elapsed < .seconds(10))
            #expect(try await admin.get(lease.keys.lock) == lease.value)
        }
    }

    @Test func unreachableServerExits69() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let marker = scratch.file("ran")
        let run = try await runLockwatch(["hold", "x", "--url", "redis://127.0.0.1:1", "--wait", "0", "--", "touch", marker], in: scratch.path)
        #expect(run.status == 69, "stderr: \(run.stderr)")
        #expect(!run.stderr.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test func passwordInURLIsAUsageError() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            let url = "redis://:hunter2@127.0.0.1:\(pool.server.port)"
            let run = try await runLockwatch(["hold", "secret", "--url", url, "--", "true"], in: scratch.path)
            #expect(run.status == 64, "stderr: \(run.stderr)")
            #expect(run.stderr.contains("password"), "stderr: \(run.stderr)")
            #expect(try await admin.exists("lock:{secret}:fence") == false, "it connected anyway")
        }
    }

    @Test(arguments: [
        ["hold", "name", "--"],
        ["hold", "name"],
        ["hold", "name", "--ttl", "5x", "--", "true"],
        ["hold", "name", "--wait", "-1s", "--", "true"],
        ["hold", "name", "--ttl", "1ms", "--", "true"],
    ])
    func badUsageExits64(arguments: [String]) async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            // `--url` goes before `--`, where it is an option and not part of the command.
            var fixed = arguments
            fixed.insert(contentsOf: ["--url", pool.server.url], at: fixed.firstIndex(of: "--") ?? fixed.count)
            let usage = try await runLockwatch(fixed, in: scratch.path)
            #expect(usage.status == 64, "\(fixed): stderr: \(usage.stderr)")
            #expect(!usage.stderr.isEmpty)
            #expect(try await admin.exists("lock:{name}:fence") == false, "a usage error still took the lock")
        }
    }

    /// A command that cannot be started: 127 when it does not exist, 126 when it is not
    /// executable; the lock is taken and released again. Run three times each, since the
    /// crash this catches (see the report) does not happen on every run.
    @Test(arguments: [(Int32(127), false), (Int32(126), true)])
    func commandThatCannotStart(expected: Int32, existsButNotExecutable: Bool) async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            let command: String
            if existsButNotExecutable {
                command = scratch.file("plain.txt")
                try "not a program".write(toFile: command, atomically: true, encoding: .utf8)
            } else {
                command = "no-such-command-\(UUID().uuidString.prefix(8))"
            }
            for attempt in 1...3 {
                let run = try await runLockwatch(["hold", "nocmd", "--url", pool.server.url, "--", command], in: scratch.path)
                #expect(run.status == expected, "attempt \(attempt): stderr: \(run.stderr)")
                #expect(run.stderr.contains("cannot run"), "attempt \(attempt): stderr: \(run.stderr)")
                #expect(try await admin.get("lock:{nocmd}:fence") == String(attempt), "the lock was not taken")
                #expect(try await admin.exists("lock:{nocmd}") == false, "the lock was not released")
            }
        }
    }
}
