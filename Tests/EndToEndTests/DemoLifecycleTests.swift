import Foundation
import Glibc
import RedisTestSupport
import Testing
import LockTestSupport

/// `lockwatch demo`, the real binary in tmux: rows appear within seconds, and however it is
/// stopped (q, Ctrl-C, SIGTERM) no process and no temp dir is left behind.
@Suite("lockwatch demo", .serialized)
struct DemoLifecycleTests {
    /// The ways an operator stops the demo.
    enum Stop: String, CaseIterable, CustomTestStringConvertible {
        case quitKey = "q"
        case controlC = "Ctrl-C"
        case sigterm = "SIGTERM"

        var testDescription: String { rawValue }
    }

    @Test(arguments: Stop.allCases)
    func showsRowsAndLeavesNothingBehind(stoppedWith stop: Stop) async throws {
        let binary = try LockwatchBinary.path()
        // A TMPDIR of our own, so "no temp dir left" can be checked exactly.
        let temporary = NSTemporaryDirectory() + "lw-demo-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: false)
        let session = "lw-demo-\(UUID().uuidString.prefix(8))"
        defer {
            _ = try? DashboardEndToEndTests.tmux(["kill-session", "-t", session])
            try? FileManager.default.removeItem(atPath: temporary)
        }
        try DashboardEndToEndTests.tmux([
            "new-session", "-d", "-s", session, "-x", "120", "-y", "30",
            "exec env TMPDIR=\(temporary) \(binary) demo",
        ])
        let panePID = try DashboardEndToEndTests.tmux(["display-message", "-p", "-t", session, "#{pane_pid}"])
        let demo = try #require(pid_t(panePID.trimmingCharacters(in: .whitespacesAndNewlines)))

        // Rows from the simulator's workers and from the foreign-format locks.
        _ = try await DashboardEndToEndTests.waitForScreen(session, "the demo's rows") {
            $0.contains("worker-") && $0.contains("DUSEPK_REDIS_LOCK_") && $0.contains("redisson")
        }
        let children = LiveProcesses.children(of: demo)
        #expect(children.contains { LiveProcesses.command(of: $0).contains("redis-server") }, "no redis-server child of the demo: \(children)")
        let entries = try FileManager.default.contentsOfDirectory(atPath: temporary)
        #expect(!entries.isEmpty, "the demo's server made no temp dir under TMPDIR")

        switch stop {
        case .quitKey: try DashboardEndToEndTests.tmux(["send-keys", "-t", session, "q"])
        case .controlC: try DashboardEndToEndTests.tmux(["send-keys", "-t", session, "C-c"])
        case .sigterm: kill(demo, SIGTERM)
        }

        let everyone = [demo] + children
        let deadline = ContinuousClock.now + .seconds(10)
        while everyone.contains(where: LiveProcesses.isAlive), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let survivors = everyone.filter(LiveProcesses.isAlive)
        #expect(survivors.isEmpty, "still running after \(stop.rawValue): \(survivors.map { "\($0) \(LiveProcesses.command(of: $0))" })")
        let left = (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? []
        #expect(left.isEmpty, "left behind in TMPDIR after \(stop.rawValue): \(left)")
    }
}

/// What `/proc` says about processes.
enum LiveProcesses {
    /// Whether `pid` exists and is not a zombie.
    static func isAlive(_ pid: pid_t) -> Bool {
        processState(pid).map { $0 != "Z" } ?? false
    }

    /// The processes whose parent is `pid`.
    static func children(of pid: pid_t) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(pid_t.init).filter { candidate in
            guard let stat = try? String(contentsOfFile: "/proc/\(candidate)/stat", encoding: .utf8),
                  let afterName = stat.range(of: ")", options: .backwards) else { return false }
            let fields = stat[afterName.upperBound...].split(separator: " ")
            return fields.count > 1 && pid_t(fields[1]) == pid
        }
    }

    /// The command line of `pid`, arguments separated by spaces.
    static func command(of pid: pid_t) -> String {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return "" }
        return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\0", with: " ")
    }
}
