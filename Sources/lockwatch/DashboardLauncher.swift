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
    static func run(
        connected: Connected,
        selection: LockInspector.Selection,
        interval: Duration,
        readOnly: Bool,
        audit: ForceRelease.Audit,
        contextLabel: ContextLabel? = nil,
        budget: LoadBudget = .standard,
        changeStream: Bool = true
    ) async -> DashboardExit {
        let configuration = connected.firstConfiguration
        let inspector = LockInspector(servers: connected.servers, selection: selection)
        let live = LiveInspector(inspector: inspector, budget: budget, changeStream: changeStream)
        let notifications = ExpiryNotifications(inspector: inspector)
        let user = configuration.username ?? (configuration.password == nil ? nil : "default")
        let severalServers = if case .single = connected.servers { false } else { true }
        var state = DashboardState(
            endpoint: "\(connected.description) \(selection.pattern)", user: user, readOnly: readOnly,
            watchesSeveralServers: severalServers, interval: interval)
        state.contextLabel = contextLabel
        let runner = DashboardRunner(
            state: state,
            refresh: { try await live.refresh(tolerance: max(interval, .seconds(1))) },
            forceRelease: { lock in await live.forceRelease(lock, audit: audit) },
            listen: { deliver in
                // Expiry notifications add nothing to the change stream: only when scanning.
                guard await scanningMode(of: live) else { return }
                await notifications.run(deliver)
            },
            onScreen: { keys in live.setOnScreen(keys) },
            changes: { notify in for await _ in live.changes() { notify() } })
        let exit = await runner.run()
        await live.stop()
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
