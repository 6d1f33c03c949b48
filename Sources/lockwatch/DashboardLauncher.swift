import LockWatchUI
import Logging
import RESP
import RedisLock

/// Wires the inspector and force-release to the dashboard and runs it.
enum DashboardLauncher {
    /// A logger that writes nothing: while the dashboard owns the terminal, no library may
    /// print on it.
    static let silentLogger = Logger(label: "lockwatch.silent", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Runs the dashboard until the operator quits or a signal arrives.
    ///
    /// With a prefix selection it first samples a bounded part of the keyspace for locks
    /// outside the watched prefixes (``AlsoSeenSampler``) and shows them as "also seen"; `a`
    /// then watches them too. `news` hands the event strip what the host learns by itself
    /// (the demo's rejected stale writes).
    static func run(
        connected: Connected,
        selection: LockInspector.Selection,
        interval: Duration,
        readOnly: Bool,
        audit: ForceRelease.Audit,
        contextLabel: ContextLabel? = nil,
        scanNodes: [RedisClient] = [],
        news: DashboardRunner.News? = nil,
        budget: LoadBudget = .standard,
        changeStream: Bool = true
    ) async -> DashboardExit {
        let configuration = connected.firstConfiguration
        let watched = LiveSelection(
            servers: connected.servers, selection: selection, scanNodes: scanNodes, budget: budget, changeStream: changeStream)
        // Expiry notifications stay on the first selection: locks under added prefixes get
        // their expiries from the scans (and are live anyway where the server streams).
        let notifications = ExpiryNotifications(inspector: watched.live.inspector)
        let user = configuration.username ?? (configuration.password == nil ? nil : "default")
        let severalServers = if case .single = connected.servers { false } else { true }
        var state = DashboardState(
            endpoint: connected.description, user: user, readOnly: readOnly,
            watchesSeveralServers: severalServers, interval: interval)
        state.match = selection.pattern
        state.contextLabel = contextLabel
        let servers = connected.servers
        let runner = DashboardRunner(
            state: state,
            refresh: { try await watched.live.refresh(tolerance: max(interval, .seconds(1))) },
            forceRelease: { lock in await watched.live.forceRelease(lock, audit: audit) },
            releaseHolder: { release in await watched.live.forceRelease(release.lock, expecting: release.expectation, audit: audit) },
            listen: { deliver in
                // Expiry notifications add nothing to the change stream: only when scanning.
                guard await scanningMode(of: watched.live) else { return }
                await notifications.run(deliver)
            },
            onScreen: { keys in watched.live.setOnScreen(keys) },
            changes: { notify in await watched.forwardChanges(notify) },
            news: { deliver in
                await withTaskGroup(of: Void.self) { group in
                    if case .glob = selection {} else {
                        group.addTask {
                            let found = await AlsoSeenSampler.sample(servers, outside: selection)
                            if !found.isEmpty { deliver(.alsoSeen(found)) }
                        }
                    }
                    if let news { group.addTask { await news(deliver) } }
                }
            },
            watchPrefixes: { prefixes in await watched.add(prefixes: prefixes) })
        let exit = await runner.run()
        await watched.live.stop()
        return exit
    }

    /// Waits until the first refresh settled the mode; whether it is scanning.
    private static func scanningMode(of live: LiveInspector) async -> Bool {
        while !Task.isCancelled {
            switch live.mode {
            case .live?: return false
            case .sweeping?: return false  // the sweeps and the rows on screen report expiries
            case .scanning?: return true
            case nil: try? await Task.sleep(for: .milliseconds(100))
            }
        }
        return false
    }

    /// The process exit status for how the dashboard ended.
    static func exitStatus(_ exit: DashboardExit) -> Int32 {
        switch exit {
        case .quit: return 0
        case .signal(let number): return 128 + number
        case .terminalUnavailable(let message):
            printError("cannot open the terminal: \(TerminalText.sanitize(message)); use '\(SelfInvocation.command) list' where there is no terminal")
            return 70
        }
    }
}
