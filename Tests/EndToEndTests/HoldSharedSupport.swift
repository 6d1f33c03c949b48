import Foundation
import Glibc
import Testing
import LockTestSupport

/// A `lockwatch hold … -- sh -c 'exec sleep 30'` started for the crash tests of
/// `--shared`/`--permits`: the hold process and the pid of its command, once it runs.
struct RunningHold {
    let process: SpawnedProcess
    let commandPID: Int32

    /// Starts `lockwatch hold OPTIONS -- sleep 30` and waits (bounded) until its command
    /// runs; the caller kills both in the end (``killAll()``).
    static func start(_ options: [String], in scratch: ScratchDirectory) async throws -> RunningHold {
        let pidFile = scratch.file("child-\(UUID().uuidString.prefix(8)).pid")
        let process = try SpawnedProcess(try LockwatchBinary.path(), ["hold"] + options + ["--", "sh", "-c", "echo $$ > \"$0\"; exec sleep 30", pidFile], directory: scratch.path)
        var pid: Int32 = 0
        let started = try await eventually(timeout: .seconds(10)) {
            pid = Int32(((try? String(contentsOfFile: pidFile, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            return pid > 0
        }
        if !started { process.killIfRunning() }
        try #require(started, "the hold never started its command; stderr: \(process.standardError)")
        return RunningHold(process: process, commandPID: pid)
    }

    /// The whole holder dies at once (hold and its command), as on a crashed machine.
    func crash() async {
        process.send(SIGKILL)
        kill(commandPID, SIGKILL)
        _ = await process.waitForExit(timeout: .seconds(5))
    }

    /// Clean-up after the test: resumes a stopped hold and kills what still runs.
    func killAll() {
        process.send(SIGCONT)
        process.killIfRunning()
        kill(commandPID, SIGKILL)
    }
}

/// Four shell loops that each run `lockwatch hold OPTIONS NAME -- (log TAG+ FENCE; sleep;
/// log TAG- FENCE)` five times; returns the log's lines (O_APPEND writes of a few bytes are
/// atomic, so the lines are in the order the commands wrote them).
///
/// - Parameter options: the hold options of loop 0 ... 3, e.g. `--shared` or `--permits 2`;
///   `tags`: the line tag of each loop.
func holdLoopLog(options: [String], tags: [String], name: String, url: String, in scratch: ScratchDirectory) async throws -> [Substring] {
    let log = scratch.file("log")
    _ = FileManager.default.createFile(atPath: log, contents: nil)
    let loop = """
        i=0
        while [ $i -lt 5 ]; do
          "$LOCK_TEST_LOCKWATCH" hold $LOCK_TEST_OPTIONS "$LOCK_TEST_NAME" --url "$LOCK_TEST_URL" --ttl 5s --wait 60s -- \\
            sh -c 'echo "$0+ $LOCK_FENCE" >> "$1"; sleep 0.05; echo "$0- $LOCK_FENCE" >> "$1"' "$LOCK_TEST_TAG" "$LOCK_TEST_LOG" || exit $?
          i=$((i + 1))
        done
        """
    let lockwatch = try LockwatchBinary.path()
    let loops = try zip(options, tags).map { options, tag in
        try SpawnedProcess("/bin/sh", ["-c", loop], environment: [
            "LOCK_TEST_LOCKWATCH": lockwatch, "LOCK_TEST_URL": url, "LOCK_TEST_LOG": log, "LOCK_TEST_NAME": name,
            "LOCK_TEST_OPTIONS": options, "LOCK_TEST_TAG": tag,
        ], directory: scratch.path)
    }
    defer { loops.forEach { $0.killIfRunning() } }
    for loop in loops {
        #expect(await loop.waitForExit(timeout: .seconds(60)) == 0, "stderr: \(loop.standardError)")
    }
    return try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
}
