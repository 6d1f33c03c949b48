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
            Keys: q or Ctrl-C quit; ? help (?, Esc or q close it); / filter locks and events (Esc \
            clears); ! only the locks that need attention, worst first; a also watch the prefixes \
            "also seen" names; arrows, j/k, PgUp/PgDn, g/G, Home/End move; s/S sort \
            column/direction; r refresh now; + slower, - faster; p pause; Enter details; \
            F force-release (not in --readonly or a read-only context), confirmed with y.
            At start, up to 5 SCAN batches of 1000 keys (at most 2 s) are sampled for locks in \
            known formats outside the watched prefixes; they are named under "also seen".
            A cluster URL (or a node that says it is in a cluster) shows the locks of every \
            primary, with a NODES column naming each lock's node; several --url show a Redlock \
            set, one row per lock with NODES held/total (red: no majority; ≠: different holders on different nodes).
            Exit codes: 0 quit; 64 bad usage; 70 no usable terminal; 128+N ended by signal N.
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @OptionGroup var scanNodes: ScanNodeOptions

    @Option(help: WatchedKeys.prefixHelp)
    var prefix: [String] = []

    @Option(help: "Watch keys matching this glob instead of prefixes (SCAN MATCH syntax; no \"also seen\" hint). (Default: none.)")
    var match: String?

    @Option(help: "Refresh interval (+ slower, - faster, live). (Default: the context's interval, else 1s.)")
    var interval: DurationOption?

    @Flag(help: "Hide and refuse force-release (always so in a context with readonly = true). (Default: off.)")
    var readonly = false

    @Option(help: "Redis stream for force-release audit entries ('' for none). (Default: the first prefix + 'lockwatch:audit', e.g. lock:lockwatch:audit.)")
    var auditStream: String?

    @Option(help: "Local audit log ('' for none). (Default: $XDG_STATE_HOME/lockwatch/audit.log.)")
    var auditLog: String?

    @Option(help: "Share of the server's time (percent) the dashboard may use where the server cannot stream changes (Redis < 6, proxies, CLIENT denied): full sweeps are paced to stay within it.")
    var maxLoad: Double = LoadBudget.standard.percent

    @Flag(help: "Sweep within --max-load even where the server could stream changes (to compare, or when tracking misbehaves). (Default: off.)")
    var noChangeStream = false

    func validate() throws {
        if let interval, interval.duration < .milliseconds(100) { throw ValidationError("--interval must be at least 100ms") }
        do { _ = try LoadBudget(percent: maxLoad) } catch { throw ValidationError(error.message) }
    }

    func run() async throws {
        let context = try connection.selectedContext()
        let selection = WatchedKeys.selection(prefixes: prefix, match: match, context: context)
        let firstPrefix = selection.prefixList.first ?? WatchedKeys.defaultPrefix
        let target = try connection.target()
        let nodes = try scanNodes.clients(passwordFile: connection.passwordFile, logger: DashboardLauncher.silentLogger)
        let connected = try await target.connect(logger: DashboardLauncher.silentLogger, probeUntil: nil)
        let exit = await DashboardLauncher.run(
            connected: connected,
            selection: selection,
            interval: interval?.duration ?? context?.interval ?? .seconds(1),
            readOnly: readonly || context?.readOnly == true,
            audit: ForceRelease.Audit(
                streamKey: (auditStream ?? firstPrefix + "lockwatch:audit").nilIfEmpty,
                logFile: (auditLog ?? ForceRelease.Audit.defaultLogFile).nilIfEmpty),
            contextLabel: context?.headerLabel, scanNodes: nodes,
            budget: try LoadBudget(percent: maxLoad), changeStream: !noChangeStream)
        await connected.shutdown()
        for node in nodes { await node.shutdown() }
        let status = DashboardLauncher.exitStatus(exit)
        if status != 0 { throw ExitCode(status) }
    }
}
