import BenchmarkSupport
import Foundation
import RESP
import LocalRedis

/// The real `lockwatch` dashboard in a tmux pane of a private tmux server, watched from
/// outside: its resident memory, keypress-to-screen latency and the commands it sends.
struct DashboardProbe {
    let binary: String
    let url: String
    let width: Int
    let height: Int
    let socket = "lockwatch-bench-\(getpid())"
    let session = "bench"

    @discardableResult
    func tmux(_ arguments: [String]) throws -> String {
        let result = try ProcessRunner.run("/usr/bin/tmux", ["-L", socket] + arguments)
        guard !result.timedOut else { throw BenchmarkError("tmux \(arguments) timed out") }
        return result.standardOutput
    }

    /// Starts the dashboard (exec'd, so the pane's process is lockwatch itself).
    func start() throws {
        let command = "exec \(binary) --url \(url) --readonly --audit-log ''"
        try tmux(["new-session", "-d", "-s", session, "-x", "\(width)", "-y", "\(height)", command])
    }

    func stop() {
        _ = try? tmux(["kill-server"])
    }

    func screen() throws -> String {
        try tmux(["capture-pane", "-p", "-t", session])
    }

    /// lockwatch's process id.
    func pid() throws -> Int32 {
        guard let pid = Int32(try tmux(["display-message", "-p", "-t", session, "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw BenchmarkError("no pane pid")
        }
        return pid
    }

    /// Polls the screen until `condition` holds; returns it.
    func waitForScreen(limit: Duration, _ what: String, _ condition: (String) -> Bool) async throws -> String {
        let deadline = ContinuousClock.now + limit
        var text = ""
        while ContinuousClock.now < deadline {
            text = try screen()
            if condition(text) { return text }
            try await Task.sleep(for: .milliseconds(2))
        }
        throw BenchmarkError("timed out waiting for \(what); the screen was:\n\(text)")
    }

    /// `VmRSS` and `VmHWM` of `pid` in kB.
    static func memory(of pid: Int32) -> (resident: Int, peak: Int) {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        func field(_ name: String) -> Int {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return 0 }
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        }
        return (field("VmRSS"), field("VmHWM"))
    }

    /// The selected row number the summary line shows (`row N`).
    static func selectedRow(_ screen: String) -> Int? {
        guard let range = screen.range(of: "  row ") else { return nil }
        return Int(screen[range.upperBound...].prefix { $0.isNumber })
    }

    /// Presses `j` `count` times; each time waits until the summary shows the next row and
    /// returns how long that took (tmux send-keys → capture-pane showing it).
    func keypressLatencies(count: Int) async throws -> [Duration] {
        var samples: [Duration] = []
        let clock = ContinuousClock()
        for _ in 0..<count {
            guard let row = Self.selectedRow(try screen()) else { throw BenchmarkError("no 'row N' on screen") }
            let start = clock.now
            try tmux(["send-keys", "-t", session, "j"])
            _ = try await waitForScreen(limit: .seconds(10), "row \(row + 1)") { $0.contains("  row \(row + 1)  ") }
            samples.append(clock.now - start)
        }
        return samples
    }

    /// Sum of `calls=` over `INFO commandstats`.
    static func commandCalls(_ client: RedisClient) async throws -> Int {
        let info = try await client.send("INFO", "commandstats").decode(as: String.self)
        var total = 0
        for line in info.split(whereSeparator: \.isNewline) where line.hasPrefix("cmdstat_") {
            guard let calls = line.split(separator: ":").last?.split(separator: ",").first(where: { $0.hasPrefix("calls=") }) else { continue }
            total += Int(calls.dropFirst(6)) ?? 0
        }
        return total
    }
}
