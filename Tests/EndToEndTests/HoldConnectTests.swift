import Foundation
import Glibc
import RESP
import RedisTestSupport
import Testing
import LockTestSupport

/// How `lockwatch` connects: retried within `hold --wait` (a server down, restarting or
/// loading), bounded by the connect timeout against a server that does not answer, and one
/// clear line when it fails (issue 14 #7, issue 18 #12 and #13).
@Suite("lockwatch: connecting")
struct HoldConnectTests {
    /// Nothing listens: after the whole --wait, one line says what failed; no log lines, no
    /// raw NIO error. `--verbose` adds the detail and every attempt.
    @Test func aRefusedConnectionIsOneLineAfterTheWait() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let port = try SilentListener.unusedPort()
        let marker = scratch.file("ran")
        let started = ContinuousClock.now
        let run = try await runLockwatch(["hold", "x", "--url", "redis://127.0.0.1:\(port)", "--wait", "1s", "--", "touch", marker], in: scratch.path)
        let elapsed = ContinuousClock.now - started
        #expect(run.status == 69, "stderr: \(run.stderr)")
        #expect(elapsed >= .milliseconds(800), "gave up after \(elapsed), before --wait 1s ended")
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(run.stderr)")
        #expect(lines.first?.hasPrefix("lockwatch: cannot connect to 127.0.0.1:\(port): connection refused; is redis-server running there?") == true, "stderr: \(run.stderr)")
        #expect(!run.stderr.contains("errno") && !run.stderr.contains("NIO"), "stderr: \(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: marker))

        let verbose = try await runLockwatch(["hold", "x", "--url", "redis://127.0.0.1:\(port)", "--wait", "0", "--verbose", "--", "touch", marker], in: scratch.path)
        #expect(verbose.status == 69, "stderr: \(verbose.stderr)")
        #expect(verbose.stderr.contains("connect attempt 1 failed") && verbose.stderr.contains("lockwatch: detail: "), "stderr: \(verbose.stderr)")
    }

    /// `list` and `release` connect the same way.
    @Test(arguments: [["list"], ["release", "lock:{x}", "--yes"]])
    func otherCommandsSayTheSameLine(arguments: [String]) async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let port = try SilentListener.unusedPort()
        let run = try await runLockwatch(arguments + ["--url", "redis://127.0.0.1:\(port)"], in: scratch.path)
        #expect(run.status == 69, "stderr: \(run.stderr)")
        #expect(run.stderr == "lockwatch: cannot connect to 127.0.0.1:\(port): connection refused; is redis-server running there?\n", "stderr: \(run.stderr)")
    }

    /// A socket that accepts connections but never answers: `--wait 0` gives up within the
    /// connect timeout (5 s, stated in --help), not after 15 s.
    @Test func aSilentServerFailsWithinTheConnectTimeout() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let listener = try SilentListener()
        defer { listener.close() }
        let marker = scratch.file("ran")
        let started = ContinuousClock.now
        let run = try await runLockwatch(["hold", "x", "--url", "redis://127.0.0.1:\(listener.port)", "--wait", "0", "--", "touch", marker], in: scratch.path)
        let elapsed = ContinuousClock.now - started
        #expect(run.status == 69, "stderr: \(run.stderr)")
        #expect(elapsed < .seconds(7), "took \(elapsed)")
        #expect(run.stderr.contains("did not answer within the connect timeout"), "stderr: \(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1, "stderr: \(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: marker))
        let help = try await runLockwatch(["hold", "--help"], in: scratch.path)
        #expect(help.stdout.contains("connect_timeout (default 5s)"), "help: \(help.stdout)")
    }

    /// `rediss://` pointed at a plaintext port: it fails within the connect timeout and says
    /// the port may not speak TLS (before: 10-15 s and "HELLO got no reply").
    @Test func tlsToAPlaintextPortSaysSoWithinTheConnectTimeout() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            let started = ContinuousClock.now
            let run = try await runLockwatch(
                ["hold", "x", "--url", "rediss://127.0.0.1:\(pool.server.port)?verify=none&connect_timeout=1s", "--wait", "0", "--", "true"],
                in: scratch.path)
            let elapsed = ContinuousClock.now - started
            #expect(run.status == 69, "stderr: \(run.stderr)")
            #expect(elapsed < .seconds(3), "took \(elapsed)")
            #expect(run.stderr.contains("use redis:// instead of rediss://"), "stderr: \(run.stderr)")
            #expect(run.stderr.split(separator: "\n").count == 1, "stderr: \(run.stderr)")
        }
    }

    /// The server is down when hold starts and comes back within --wait: hold keeps trying
    /// and runs the command.
    @Test func aServerThatIsDownIsRetriedUntilItComesBack() async throws {
        let lockwatch = try LockwatchBinary.path()
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withLockServer { pool, admin in
            pool.server.kill()
            let marker = scratch.file("ran")
            let holder = try SpawnedProcess(
                lockwatch, ["hold", "back", "--url", pool.server.url, "--wait", "20s", "--verbose", "--", "touch", marker],
                directory: scratch.path)
            defer { holder.killIfRunning() }
            let retried = try await eventually(timeout: .seconds(10)) { holder.standardError.contains("connect attempt 2 failed") }
            try #require(retried, "hold did not keep trying; status \(String(describing: holder.exitStatus)), stderr: \(holder.standardError)")
            try await pool.server.restart()
            let status = await holder.waitForExit(timeout: .seconds(20))
            #expect(status == 0, "stderr: \(holder.standardError)")
            #expect(FileManager.default.fileExists(atPath: marker), "the command did not run")
            #expect(try await admin.exists("lock:{back}") == false)
        }
    }

    /// A server loading its data answers `LOADING`: hold waits it out within --wait instead
    /// of exiting 77. Loading is slowed down (1 ms per key) so hold starts while it lasts.
    @Test func loadingIsRetriedWithinTheWait() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let options = RedisServer.Options(extraConfiguration: ["enable-debug-command local", "loading-process-events-interval-bytes 1024"])
        try await withLockServer(options) { pool, admin in
            _ = try await admin.send("DEBUG", "POPULATE", "2000", "filler", "512")
            _ = try await admin.send("CONFIG", "SET", "key-load-delay", "1000")
            let reloader = try pool.client()
            let reload = Task { try await reloader.send("DEBUG", "RELOAD") }
            let loading = try await eventually(timeout: .seconds(5)) { (try? pool.server.cli(["PING"]))?.contains("LOADING") == true }
            try #require(loading, "the server never said LOADING")
            let marker = scratch.file("ran")
            let run = try await runLockwatch(["hold", "loading", "--url", pool.server.url, "--wait", "15s", "--", "touch", marker], in: scratch.path)
            #expect(run.status == 0, "stderr: \(run.stderr)")
            #expect(FileManager.default.fileExists(atPath: marker), "the command did not run")
            _ = try await reload.value
            #expect(try await admin.get("lock:{loading}:fence") == "1")
        }
    }
}

/// A TCP socket on 127.0.0.1 that listens but never accepts or answers: the kernel completes
/// connections into its backlog, and nothing is ever read.
final class SilentListener: Sendable {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && listen(descriptor, 16) == 0
                    && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard descriptor >= 0, bound else { throw SilentListenerFailed(errno: errno) }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() {
        _ = Glibc.close(descriptor)
    }

    /// A port nothing listens on (right now): one bound and closed again.
    static func unusedPort() throws -> Int {
        let listener = try SilentListener()
        listener.close()
        return listener.port
    }

    struct SilentListenerFailed: Error {
        let errno: Int32
    }
}
