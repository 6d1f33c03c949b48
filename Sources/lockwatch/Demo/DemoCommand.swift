import ArgumentParser
import Dispatch
import Foundation
import Glibc
import LockWatchUI
import RESP
import RedisLock
import LocalRedis

/// `lockwatch demo`: a private redis-server, a contention simulator and the dashboard on it.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start a private redis-server with simulated lock contention and open the dashboard on it.",
        discussion: """
            The server runs from a temp dir on a free loopback port without persistence; on exit \
            (q, Ctrl-C, SIGTERM) the simulator and the server stop and the temp dir is removed. \
            With --no-tui only the server and simulator run and the URL is printed, so the \
            dashboard or `list` can be opened from another terminal.
            """
    )

    @Flag(help: "Run only the server and the simulator; print the URL.")
    var noTui = false

    @Option(help: "How many simulated workers.")
    var workers = 12

    @Option(help: "Over how many lock names (2-8).")
    var locks = 5

    func validate() throws {
        guard (1 ... 200).contains(workers) else { throw ValidationError("--workers must be 1-200") }
        guard (2 ... 8).contains(locks) else { throw ValidationError("--locks must be 2-8") }
    }

    func run() async throws {
        let server: RedisServer
        do {
            server = try await RedisServer.start()
        } catch {
            printError("cannot start the demo's redis-server: \(error)")
            throw LockwatchExit.unavailable
        }
        let configuration = try RedisConfiguration(url: server.url)
        let client = RedisClient(configuration: configuration, logger: DashboardLauncher.silentLogger)
        // The dashboard owns the terminal: --no-tui prints each rejected stale write, the
        // dashboard shows it on its event strip.
        let headless = noTui
        let (rejections, rejected) = AsyncStream.makeStream(of: LockEvent.self, bufferingPolicy: .bufferingNewest(16))
        let simulator = try DemoSimulator(configuration: configuration, client: client, workers: workers, locks: locks) { line, event in
            if headless { print(line); fflush(nil) } else { rejected.yield(event) }
        }
        let simulation = Task { await simulator.run() }

        let status: Int32
        if noTui {
            status = await runHeadless(url: server.url, simulator: simulator)
        } else {
            let exit = await DashboardLauncher.run(
                connected: Connected(servers: .single(client), description: configuration.redactedURL),
                selection: .glob("*"), interval: .seconds(1), readOnly: false,
                audit: ForceRelease.Audit(streamKey: "lock:lockwatch:audit", logFile: server.directory + "/audit.log"),
                news: { deliver in for await event in rejections { deliver(.event(event)) } })
            status = DashboardLauncher.exitStatus(exit)
        }
        simulation.cancel()
        await Self.waitAtMost(.seconds(3)) { await simulation.value }
        await client.shutdown()
        await server.stop()
        if status != 0 { throw ExitCode(status) }
    }

    /// Prints the URL and a summary every few seconds until SIGINT, SIGTERM or SIGHUP.
    private func runHeadless(url: String, simulator: DemoSimulator) async -> Int32 {
        let lockwatch = SelfInvocation.command
        print("demo redis-server: \(url)")
        print("watch it:  REDIS_URL=\(url) \(lockwatch) --match '*'")
        print("list it:   REDIS_URL=\(url) \(lockwatch) list --match '*'")
        print("a stalled holder writes with an expired lock's fence about every 15 s; each rejected write is shown")
        print("stop with Ctrl-C")
        fflush(nil)
        let received = await withTaskGroup(of: Int32?.self) { group in
            group.addTask { await Self.nextTerminationSignal() }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(5))
                    if !Task.isCancelled { print(await simulator.summary()); fflush(nil) }
                }
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? SIGTERM
        }
        print("stopping (signal \(received))")
        return received == SIGINT ? 0 : 128 + received
    }

    /// Waits for SIGINT, SIGTERM or SIGHUP and returns which.
    private static func nextTerminationSignal() async -> Int32 {
        await withCheckedContinuation { continuation in
            let once = OnceFlag()
            var sources: [any DispatchSourceSignal] = []
            for number in [SIGINT, SIGTERM, SIGHUP] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler {
                    if once.claim() { continuation.resume(returning: number) }
                }
                source.resume()
                sources.append(source)
            }
            SignalSources.keep(sources)
        }
    }

    /// Runs `body`, giving up after `limit`.
    static func waitAtMost(_ limit: Duration, _ body: @escaping @Sendable () async -> Void) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await body() }
            group.addTask { try? await Task.sleep(for: limit) }
            await group.next()
            group.cancelAll()
        }
    }
}
