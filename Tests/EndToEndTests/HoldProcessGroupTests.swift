import Foundation
import Glibc
import RESP
import RedisTestSupport
import Testing
import LockTestSupport

/// `lockwatch hold` runs its command in a process group of its own and answers for all of
/// it: signals reach the whole group, and `hold` exits only when the group is gone (issue 14
/// #1).
@Suite("lockwatch hold: the command's process group")
struct HoldProcessGroupTests {
    /// A shell and its background child; the lock is deleted under them. Both get SIGTERM and
    /// `hold` exits 76 only after both have ended: no process of the tree outlives it.
    @Test func leaseLossStopsTheWholeProcessTree() async throws {
        try await withTree(name: "tree", script: "sleep 30 & echo $$ $! > \"$0\"; wait", grace: "10s") { holder, pids, admin in
            _ = try await admin.send("DEL", "lock:{tree}")
            let status = await holder.waitForExit(timeout: .seconds(15))
            #expect(status == 76, "stderr: \(holder.standardError)")
            for pid in pids { #expect(!processExists(pid), "process \(pid) of the tree outlived hold") }
        }
    }

    /// Processes that ignore SIGTERM get SIGKILL after --grace, all of them.
    @Test func processesIgnoringSigtermAreKilledAfterTheGrace() async throws {
        try await withTree(name: "stubborn", script: "trap '' TERM; sleep 30 & echo $$ $! > \"$0\"; wait", grace: "500ms") { holder, pids, admin in
            let lost = ContinuousClock.now
            _ = try await admin.send("DEL", "lock:{stubborn}")
            let status = await holder.waitForExit(timeout: .seconds(15))
            #expect(status == 76, "stderr: \(holder.standardError)")
            #expect(ContinuousClock.now - lost >= .milliseconds(500), "killed before the grace period ended")
            for pid in pids { #expect(!processExists(pid), "process \(pid) of the tree outlived hold") }
        }
    }

    /// SIGTERM to hold reaches the background child too; the lock is released after both end.
    @Test func sigtermToHoldReachesTheWholeGroup() async throws {
        try await withTree(name: "forwarded", script: "sleep 30 & echo $$ $! > \"$0\"; wait", grace: "10s") { holder, pids, admin in
            holder.send(SIGTERM)
            let status = await holder.waitForExit(timeout: .seconds(10))
            #expect(status == 128 + SIGTERM, "stderr: \(holder.standardError)")
            for pid in pids { #expect(!processExists(pid), "process \(pid) of the tree outlived hold") }
            let held = try await admin.exists("lock:{forwarded}")
            #expect(!held, "the lock was not released")
        }
    }

    /// A process the command leaves running keeps the lock held: hold waits for it, and it
    /// sees the lock still held when it finishes its work.
    @Test func aLeftoverProcessKeepsTheLockUntilItEnds() async throws {
        let lockwatch = try LockwatchBinary.path()
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            let gate = scratch.file("gate")
            try #require(mkfifo(gate, 0o600) == 0)
            let pidFile = scratch.file("pids"), seen = scratch.file("seen")
            // The background job blocks on the fifo, then asks Redis whether the lock is held.
            let script = #"(cat "$0" > /dev/null; redis-cli -p "$1" EXISTS 'lock:{leftover}' > "$2") & echo $$ $! > "$3""#
            let holder = try SpawnedProcess(
                lockwatch,
                ["hold", "leftover", "--url", pool.server.url, "--ttl", "2s", "--", "sh", "-c", script, gate, String(pool.server.port), seen, pidFile],
                directory: scratch.path)
            defer { holder.killIfRunning() }
            let pids = try await Self.pids(in: pidFile, holder: holder)
            defer { for pid in pids { kill(pid, SIGKILL) } }
            try #require(try await eventually(timeout: .seconds(10)) { !processExists(pids[0]) }, "the shell did not end")
            #expect(try await eventually(timeout: .milliseconds(500)) { holder.hasExited } == false, "hold exited while the background job still ran")
            #expect(holder.standardError.contains("waiting for the processes it left running"), "stderr: \(holder.standardError)")
            let writer = open(gate, O_WRONLY)
            if writer >= 0 { close(writer) }
            let status = await holder.waitForExit(timeout: .seconds(10))
            #expect(status == 0, "stderr: \(holder.standardError)")
            let answer = (try? String(contentsOfFile: seen, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(answer == "1", "the background job did not see the lock held: \(answer ?? "nothing")")
            #expect(!processExists(pids[1]))
            #expect(try await admin.exists("lock:{leftover}") == false, "the lock was not released")
        }
    }

    /// Issue 18 #10: once the group is gone, hold signals nothing, even while it still runs
    /// (here: its release waits for a paused server). A process that got the command's pid
    /// (and so its group id) meanwhile survives a SIGTERM sent to hold.
    @Test func aReusedPidIsNeverSignalled() async throws {
        let lockwatch = try LockwatchBinary.path()
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            let pidFile = scratch.file("pid")
            let redis = pool.server.pid
            let holder = try SpawnedProcess(
                lockwatch,
                ["hold", "reused", "--url", pool.server.url, "--ttl", "10s", "--", "sh", "-c", #"echo $$ > "$0"; kill -STOP "$1""#, pidFile, String(redis)],
                directory: scratch.path)
            defer {
                kill(redis, SIGCONT)
                holder.killIfRunning()
            }
            let command = try await Self.pids(in: pidFile, holder: holder)[0]
            try #require(try await eventually(timeout: .seconds(10)) { processState(redis) == "T" && !processExists(command) },
                         "the command did not pause the server and end; stderr: \(holder.standardError)")
            try #require(!holder.hasExited, "hold did not wait for its release; stderr: \(holder.standardError)")
            let decoy = try #require(try PidReuse.spawnSleeper(withPID: command), "could not give a new process pid \(command)")
            defer {
                kill(decoy, SIGKILL)
                var status: Int32 = 0
                waitpid(decoy, &status, 0)
            }
            holder.send(SIGTERM)
            let killed = try await eventually(timeout: .milliseconds(500)) { processState(decoy) == "Z" || !processExists(decoy) }
            #expect(!killed, "hold signalled a process that reused its command's pid")
            kill(redis, SIGCONT)
            let status = await holder.waitForExit(timeout: .seconds(10))
            #expect(status == 0, "stderr: \(holder.standardError)")
        }
    }

    /// Runs `hold NAME -- sh -c SCRIPT PIDFILE` with a 2 s TTL; the script writes the pids of
    /// its tree to PIDFILE. `body` gets hold, those pids and an admin client.
    private func withTree(
        name: String, script: String, grace: String,
        _ body: (SpawnedProcess, [Int32], RedisClient) async throws -> Void
    ) async throws {
        let lockwatch = try LockwatchBinary.path()
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            let pidFile = scratch.file("pids")
            let holder = try SpawnedProcess(
                lockwatch,
                ["hold", name, "--url", pool.server.url, "--ttl", "2s", "--grace", grace, "--", "sh", "-c", script, pidFile],
                directory: scratch.path)
            defer { holder.killIfRunning() }
            let pids = try await Self.pids(in: pidFile, holder: holder)
            defer { for pid in pids { kill(pid, SIGKILL) } }
            try #require(pids.count == 2 && pids.allSatisfy(processExists), "the tree did not start: \(pids)")
            try await body(holder, pids, admin)
        }
    }

    /// The pids the command wrote to `file`, once it has.
    private static func pids(in file: String, holder: SpawnedProcess) async throws -> [Int32] {
        var pids: [Int32] = []
        let written = try await eventually(timeout: .seconds(10)) {
            let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
            guard text.hasSuffix("\n") else { return false }
            pids = text.split(whereSeparator: \.isWhitespace).compactMap { Int32($0) }
            return !pids.isEmpty
        }
        try #require(written, "the command never started; stderr: \(holder.standardError)")
        return pids
    }
}

/// Makes the kernel hand a chosen pid to a new process (`/proc/sys/kernel/ns_last_pid`, root
/// only), to show that a stale pid is never signalled.
enum PidReuse {
    /// Starts `sleep 30` as a session leader (its group id is its pid) with pid `target`;
    /// `nil` when other processes kept taking the pid first.
    static func spawnSleeper(withPID target: pid_t) throws -> pid_t? {
        for _ in 0..<50 {
            let file = fopen("/proc/sys/kernel/ns_last_pid", "w")
            guard let file else { throw PidReuseUnavailable(reason: "cannot open ns_last_pid (errno \(errno))") }
            fputs(String(target - 1), file)
            guard fclose(file) == 0 else { throw PidReuseUnavailable(reason: "cannot write ns_last_pid (errno \(errno))") }
            var pid = pid_t()
            let argv: [UnsafeMutablePointer<CChar>?] = [strdup("sleep"), strdup("30"), nil]
            defer { argv.forEach { free($0) } }
            let result = CleanSpawnAttributes.with(newSession: true) { attributes in
                posix_spawnp(&pid, "sleep", nil, &attributes, argv, environ)
            }
            guard result == 0 else { throw PidReuseUnavailable(reason: "cannot spawn sleep (error \(result))") }
            if pid == target { return pid }
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        return nil
    }

    struct PidReuseUnavailable: Error {
        let reason: String
    }
}
