import ArgumentParser
import Foundation
import LockWatchUI
import RESP
import RedisLock

/// `lockwatch` (or `lockwatch watch`): the live dashboard.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "The live dashboard (the default): holders, TTLs, waiters and contention, with force-release.",
        discussion: """
            Keys: q or Ctrl-C quit; ? help; / filter (Esc clears); arrows, j/k, PgUp/PgDn, g/G, \
            Home/End move; s/S sort column/direction; r refresh now; +/- interval; p pause; \
            Enter details; F force-release (not in --readonly or a read-only context), confirmed with y.
            A cluster URL (or a node that says it is in a cluster) shows the locks of every \
            primary, with a NODES column naming each lock's node; several --url show a Redlock \
            set, one row per lock with NODES held/total (red: no majority; ≠: different holders on different nodes).
            Exit codes: 0 quit; 64 bad usage; 70 no usable terminal; 128+N ended by signal N.
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Watch keys starting with this prefix. (Default: the context's prefix, else lock:.)")
    var prefix: String?

    @Option(help: "Watch keys matching this glob instead (SCAN MATCH syntax).")
    var match: String?

    @Option(help: "Refresh interval (+/- change it live). (Default: the context's interval, else 1s.)")
    var interval: DurationOption?

    @Flag(help: "Hide and refuse force-release (always so in a context with readonly = true).")
    var readonly = false

    @Option(help: "Redis stream for force-release audit entries (default PREFIX + 'lockwatch:audit'; '' for none).")
    var auditStream: String?

    @Option(help: "Local audit log (default $XDG_STATE_HOME/lockwatch/audit.log; '' for none).")
    var auditLog: String?

    @Option(help: "Share of the server's time (percent) the dashboard may use where the server cannot stream changes (Redis < 6, proxies, CLIENT denied): full sweeps are paced to stay within it.")
    var maxLoad: Double = LoadBudget.standard.percent

    @Flag(help: .hidden)  // Sweep within --max-load even where the server could stream (tests, benchmarks).
    var noChangeStream = false

    func validate() throws {
        if let interval, interval.duration < .milliseconds(100) { throw ValidationError("--interval must be at least 100ms") }
        do { _ = try LoadBudget(percent: maxLoad) } catch { throw ValidationError(error.message) }
    }

    func run() async throws {
        let context = try connection.selectedContext()
        let prefix = try self.prefix ?? context?.singlePrefix() ?? "lock:"
        let target = try connection.target()
        let connected = try await target.connect(logger: DashboardLauncher.silentLogger, probeUntil: nil)
        let exit = await DashboardLauncher.run(
            connected: connected,
            selection: match.map { .glob($0) } ?? .prefix(prefix),
            interval: interval?.duration ?? context?.interval ?? .seconds(1),
            readOnly: readonly || context?.readOnly == true,
            audit: ForceRelease.Audit(
                streamKey: (auditStream ?? prefix + "lockwatch:audit").nilIfEmpty,
                logFile: (auditLog ?? ForceRelease.Audit.defaultLogFile).nilIfEmpty),
            contextLabel: context?.headerLabel,
            budget: try LoadBudget(percent: maxLoad), changeStream: !noChangeStream)
        await connected.shutdown()
        let status = DashboardLauncher.exitStatus(exit)
        if status != 0 { throw ExitCode(status) }
    }
}
