import Foundation
import Glibc
import RedisTestSupport
import Testing
import LockTestSupport

/// `lockwatch demo --no-tui` as an operator uses it: the commands it prints run as printed, and
/// the fencing story (a stalled holder's stale write rejected) shows within 30 s.
@Suite("Operator: the demo's output", .serialized)
struct OperatorDemoTests {
    /// A `PATH` with no `lockwatch` on it.
    static let plainPath = "/usr/local/bin:/usr/bin:/bin"

    /// Starts `executable demo --no-tui` with `PATH` set to `path`.
    static func startDemo(_ executable: String, path: String, in scratch: ScratchDirectory) throws -> SpawnedProcess {
        try SpawnedProcess(executable, ["demo", "--no-tui"], environment: ["PATH": path], directory: scratch.path)
    }

    /// Polls `process`'s stdout until `condition` holds, failing after `limit`.
    static func waitForOutput(
        _ process: SpawnedProcess, limit: Duration = .seconds(20), _ what: String, _ condition: (String) -> Bool,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> String {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            let output = process.standardOutput
            if condition(output) { return output }
            if process.hasExited { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("no \(what) within \(limit); stdout:\n\(process.standardOutput)\nstderr:\n\(process.standardError)", sourceLocation: sourceLocation)
        throw CancellationError()
    }

    /// The command printed after `label` (e.g. `list it:`), trimmed.
    static func printedCommand(_ label: String, in output: String) -> String? {
        output.split(separator: "\n").first { $0.hasPrefix(label) }
            .map { String($0.dropFirst(label.count)).trimmingCharacters(in: .whitespaces) }
    }

    /// Stops the demo with Ctrl-C's signal and expects a clean exit.
    static func stop(_ demo: SpawnedProcess, sourceLocation: SourceLocation = #_sourceLocation) async {
        demo.send(SIGINT)
        let status = await demo.waitForExit(timeout: .seconds(10), sourceLocation: sourceLocation)
        #expect(status == 0, "the demo exited with \(String(describing: status)): \(demo.standardError)", sourceLocation: sourceLocation)
    }

    @Test func printedCommandsRunAsPrinted() async throws {
        let binary = try LockwatchBinary.path()
        let scratch = try ScratchDirectory()
        let session = "lw-op-\(UUID().uuidString.prefix(8))"
        defer {
            _ = try? DashboardEndToEndTests.tmux(["kill-session", "-t", session])
            scratch.remove()
        }
        let demo = try Self.startDemo(binary, path: Self.plainPath, in: scratch)
        defer { demo.killIfRunning() }
        let output = try await Self.waitForOutput(demo, "printed commands") { $0.contains("list it:") && $0.contains("stop with") }
        let list = try #require(Self.printedCommand("list it:", in: output))
        let watch = try #require(Self.printedCommand("watch it:", in: output))
        // Not on PATH, so the printed commands name the binary by its absolute path.
        let realBinary = URL(fileURLWithPath: binary).resolvingSymlinksInPath().path
        #expect(list.contains(realBinary + " list"), "list it: \(list)")
        #expect(watch.contains(realBinary + " --match"), "watch it: \(watch)")
        #expect(!output.contains(" lockwatch list"), "a bare 'lockwatch' was printed although none is on PATH:\n\(output)")

        // `list it:` pasted into a shell whose PATH has no lockwatch.
        let listRun = try SpawnedProcess("/bin/bash", ["-c", list], environment: ["PATH": Self.plainPath], directory: scratch.path)
        let listStatus = await listRun.waitForExit(timeout: .seconds(20))
        #expect(listStatus == 0, "'\(list)' failed: \(listRun.standardError)")
        #expect(listRun.standardOutput.contains("lock:legacy-migration"), "'\(list)' did not list the demo's locks:\n\(listRun.standardOutput)")

        // `watch it:` pasted into a terminal (tmux) whose PATH has no lockwatch.
        let script = scratch.file("watch.sh")
        try "export PATH=\(Self.plainPath)\n\(watch)\necho EXITED=$?\nsleep 60\n".write(toFile: script, atomically: true, encoding: .utf8)
        try DashboardEndToEndTests.tmux(["new-session", "-d", "-s", session, "-x", "140", "-y", "30", "bash \(script)"])
        _ = try await DashboardEndToEndTests.waitForScreen(session, "the dashboard's rows") { $0.contains("legacy-migration") && $0.contains("worker-") }
        try DashboardEndToEndTests.tmux(["send-keys", "-t", session, "q"])
        _ = try await DashboardEndToEndTests.waitForScreen(session, "the dashboard to exit") { $0.contains("EXITED=0") }

        await Self.stop(demo)
    }

    @Test func staleWriteIsRejectedWithinThirtySeconds() async throws {
        let binary = try LockwatchBinary.path()
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let started = ContinuousClock.now
        let demo = try Self.startDemo(binary, path: Self.plainPath, in: scratch)
        defer { demo.killIfRunning() }
        func rejectedCount(_ output: String) -> Int {
            let counts = output.split(separator: "\n").compactMap { line -> Int? in
                guard let range = line.range(of: "stale writes rejected ") else { return nil }
                return Int(line[range.upperBound...].prefix { $0.isNumber })
            }
            return counts.last ?? 0
        }
        let output = try await Self.waitForOutput(demo, limit: .seconds(30), "a rejected stale write and the counter above 0") {
            $0.contains("stale write rejected:") && rejectedCount($0) > 0
        }
        let elapsed = ContinuousClock.now - started
        #expect(elapsed < .seconds(30), "took \(elapsed)")
        let line = try #require(output.split(separator: "\n").first { $0.hasPrefix("stale write rejected:") })
        // The stale fence is lower than the one the resource had seen.
        let oldFence = try #require(line.range(of: "old fence ").flatMap { Int(line[$0.upperBound...].prefix { $0.isNumber }) })
        let newerFence = try #require(line.range(of: "had seen fence ").flatMap { Int(line[$0.upperBound...].prefix { $0.isNumber }) })
        #expect(oldFence < newerFence, "\(line)")
        await Self.stop(demo)
    }
}
