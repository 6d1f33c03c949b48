import Foundation
import Glibc
import Testing
import LockTestSupport

/// A scripted hostile server answers every command (after HELLO) with a bulk string of
/// 536,870,000 bytes, just under Redis's 512 MiB cap. The real `lockwatch` refuses it from
/// the header, names the limit, and stays under 100 MB resident: `list`, `hold` and the
/// dashboard (on every retry).
@Suite("a hostile server's huge reply", .serialized)
struct HostileReplyTests {
    static let hugeLength = 536_870_000
    /// Peak resident set allowed, in kB.
    static let residentLimitKB = 100_000

    /// The hostile server: prints its port, then answers HELLO like Redis 7 and anything else
    /// with the huge bulk, streamed (the script itself never holds it).
    static let serverScript = """
        import socket, threading
        HUGE = \(hugeLength)
        HELLO = b"%2\\r\\n+server\\r\\n+hostile\\r\\n+proto\\r\\n:3\\r\\n"
        CHUNK = b"x" * (1 << 20)
        def serve(conn):
            try:
                while True:
                    data = conn.recv(65536)
                    if not data:
                        return
                    if b"HELLO" in data.upper():
                        conn.sendall(HELLO)
                        continue
                    conn.sendall(b"$%d\\r\\n" % HUGE)
                    sent = 0
                    while sent < HUGE:
                        part = CHUNK[: HUGE - sent]
                        conn.sendall(part)
                        sent += len(part)
                    conn.sendall(b"\\r\\n")
            except OSError:
                pass
            finally:
                conn.close()
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        print(listener.getsockname()[1], flush=True)
        while True:
            conn, _ = listener.accept()
            threading.Thread(target=serve, args=(conn,), daemon=True).start()
        """

    /// Runs a command and reports its exit status, stderr and peak RSS (the child's ru_maxrss).
    static let measureScript = """
        import json, resource, subprocess, sys
        run = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(json.dumps({"status": run.returncode, "stderr": run.stderr.decode("utf-8", "replace"), "peak_kb": peak}))
        """

    /// Starts the hostile server; returns it and its URL.
    static func startServer(in directory: String) async throws -> (SpawnedProcess, String) {
        let server = try SpawnedProcess("/usr/bin/python3", ["-c", serverScript], directory: directory)
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if let port = Int(server.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return (server, "redis://127.0.0.1:\(port)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        server.killIfRunning()
        Issue.record("the hostile server did not start: \(server.standardError)")
        throw CancellationError()
    }

    struct Measured: Decodable {
        var status: Int
        var stderr: String
        var peakKB: Int

        enum CodingKeys: String, CodingKey {
            case status, stderr
            case peakKB = "peak_kb"
        }
    }

    static func measure(_ arguments: [String], in directory: String) async throws -> Measured {
        let run = try SpawnedProcess("/usr/bin/python3", ["-c", measureScript, try LockwatchBinary.path()] + arguments, directory: directory)
        _ = await run.waitForExit(timeout: .seconds(90))
        return try JSONDecoder().decode(Measured.self, from: Data(run.standardOutput.utf8))
    }

    @Test func listAndHoldStayUnder100MB() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let (server, url) = try await Self.startServer(in: scratch.path)
        defer { server.killIfRunning() }
        for arguments in [["list", "--url", url], ["hold", "--url", url, "--wait", "0", "job", "--", "true"]] {
            let measured = try await Self.measure(arguments, in: scratch.path)
            #expect(measured.status != 0, "\(arguments[0]) succeeded against a hostile server")
            #expect(measured.peakKB < Self.residentLimitKB, "\(arguments[0]) peaked at \(measured.peakKB) kB")
            #expect(measured.stderr.contains("RESPLimits.max"), "\(arguments[0]) does not say which limit tripped: \(measured.stderr)")
            print("hostile reply: lockwatch \(arguments[0]) peaked at \(measured.peakKB) kB")
        }
    }

    @Test func theDashboardStaysUnder100MBOnEveryRetry() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let (server, url) = try await Self.startServer(in: scratch.path)
        defer { server.killIfRunning() }
        let session = "lw-hostile-\(UUID().uuidString.prefix(8))"
        defer { _ = try? DashboardEndToEndTests.tmux(["kill-session", "-t", session]) }
        let command = "exec \(try LockwatchBinary.path()) --url \(url) --audit-log ''"
        try DashboardEndToEndTests.tmux(["new-session", "-d", "-s", session, "-x", "300", "-y", "30", command])
        let pid = try DashboardEndToEndTests.tmux(["display-message", "-p", "-t", session, "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let screen = try await DashboardEndToEndTests.waitForScreen(session, limit: .seconds(20), "two failed refreshes") { $0.contains("2 failed refreshes") }
        #expect(screen.contains("RESPLimits.max"), "the banner does not say which limit tripped:\n\(screen)")
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let peakLine = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") })
        let peak = try #require(Int(peakLine.split(separator: " ", omittingEmptySubsequences: true)[1]))
        #expect(peak < Self.residentLimitKB, "the dashboard peaked at \(peak) kB")
        print("hostile reply: the dashboard peaked at \(peak) kB")
    }
}
