public import RedisLock

/// Runs the dashboard in the terminal until the operator quits or a signal arrives.
///
/// It takes the terminal over (on its own thread, so reading keys never blocks the async
/// executor), refreshes every interval unless paused (`r` forces one), redraws on every key,
/// scan and 250 ms tick (the TTLs count down live), keeps the last data dimmed under a banner
/// while refreshes fail and retries after 1 s, 2 s, 4 s … at most 10 s, runs confirmed
/// force-releases (of a lock, or of one holder of a lock kind) and reports their outcome, and always gives the terminal back, also on
/// SIGINT, SIGTERM and SIGHUP.
///
/// ```swift
/// let runner = DashboardRunner(
///     state: DashboardState(endpoint: "redis://10.0.0.5:6379", readOnly: true),
///     refresh: { try await inspector.scan() },
///     forceRelease: { lock in await inspector.forceRelease(lock) }
/// )
/// let exit = await runner.run()
/// ```
///
/// Nothing else may write to standard output or error while it runs (send logs to a file).
public struct DashboardRunner: Sendable {
    private let initialState: DashboardState
    private let refresh: @Sendable () async throws -> InspectionSnapshot
    private let forceRelease: @Sendable (InspectedLock) async -> ForceReleaseOutcome
    private let releaseHolder: ReleaseHolder?
    private let listen: Listener?
    private let onScreen: (@Sendable ([[UInt8]]) -> Void)?
    private let changes: Changes?
    private let news: News?
    private let watchPrefixes: WatchPrefixes?

    /// Force-releases one holder of a lock kind as the operator confirmed it (such as
    /// ``LiveInspector/forceRelease(_:expecting:audit:)`` with the release's expectation).
    public typealias ReleaseHolder = @Sendable (_ release: HolderRelease) async -> ForceReleaseOutcome

    /// Runs until cancelled, handing the dashboard what its host learns between scans (see
    /// ``DashboardNews``).
    public typealias News = @Sendable (_ deliver: @escaping @Sendable (DashboardNews) -> Void) async -> Void

    /// Watches keys under these prefixes as well from the next refresh on; returns the new
    /// `match` text for the header, `nil` when it could not.
    public typealias WatchPrefixes = @Sendable (_ prefixes: [String]) async -> String?

    /// Runs until cancelled, calling its argument whenever the data has news (such as
    /// ``LiveInspector/changes()``): the dashboard then refreshes within 250 ms.
    public typealias Changes = @Sendable (_ notify: @escaping @Sendable () -> Void) async -> Void

    /// Runs an expiry listener (such as ``ExpiryNotifications/run(_:)``) until cancelled,
    /// handing its notices to the dashboard.
    public typealias Listener = @Sendable (_ deliver: @Sendable (ExpiryNotifications.Notice) async -> Void) async -> Void

    /// How long a refresh may take before it counts as failed.
    static let refreshTimeout: Duration = .seconds(15)
    /// How often the screen is redrawn without news (for the TTL countdown).
    static let tickInterval: Duration = .milliseconds(250)

    /// Makes a runner.
    ///
    /// - Parameters:
    ///   - state: the starting state (endpoint, user, read-only, interval).
    ///   - refresh: one inspection scan; throwing means the connection is lost for now.
    ///   - forceRelease: deletes a lock if its key still holds exactly the value shown.
    ///   - releaseHolder: deletes one holder of a lock kind if it still holds exactly what was
    ///     shown (see ``ReleaseHolder``); without it the dashboard reports that it cannot.
    ///   - listen: an expiry listener whose notices go on the event strip and in the header.
    ///   - onScreen: told the keys of the rows on screen before each refresh (see
    ///     ``LiveInspector/setOnScreen(_:)``).
    ///   - changes: reports news between refreshes (see ``Changes``).
    ///   - news: events and hints from the host (see ``News``).
    ///   - watchPrefixes: adds watched prefixes when the operator presses `a` (see ``WatchPrefixes``).
    public init(
        state: DashboardState,
        refresh: @escaping @Sendable () async throws -> InspectionSnapshot,
        forceRelease: @escaping @Sendable (InspectedLock) async -> ForceReleaseOutcome,
        releaseHolder: ReleaseHolder? = nil,
        listen: Listener? = nil,
        onScreen: (@Sendable ([[UInt8]]) -> Void)? = nil,
        changes: Changes? = nil,
        news: News? = nil,
        watchPrefixes: WatchPrefixes? = nil
    ) {
        self.changes = changes
        self.news = news
        self.watchPrefixes = watchPrefixes
        self.initialState = state
        self.refresh = refresh
        self.forceRelease = forceRelease
        self.releaseHolder = releaseHolder
        self.listen = listen
        self.onScreen = onScreen
    }

    /// Shows the dashboard until quit; the terminal is restored before it returns.
    @discardableResult
    public func run() async -> DashboardExit {
        let (events, continuation) = AsyncStream.makeStream(of: RunnerEvent.self)
        let session = TerminalSession()
        session.start { continuation.yield(.terminal($0)) }
        let signals = SignalWatcher { continuation.yield(.signal($0)) }
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.tickInterval)
                continuation.yield(.tick)
            }
        }
        let loop = RunnerLoop(
            state: initialState, session: session, events: continuation,
            refresh: refresh, forceRelease: forceRelease, releaseHolder: releaseHolder, onScreen: onScreen, watchPrefixes: watchPrefixes
        )
        let listener = listen.map { listen in
            Task { await listen { continuation.yield(.notice($0)) } }
        }
        let watcher = changes.map { changes in
            Task { await changes { continuation.yield(.changed) } }
        }
        let reporter = news.map { news in
            Task { await news { continuation.yield(.news($0)) } }
        }
        loop.startRefresh()
        await withTaskExecutorPreference(UIThread()) {
            for await event in events {
                loop.handle(event)
                if loop.exit != nil { break }
            }
        }
        ticker.cancel()
        listener?.cancel()
        watcher?.cancel()
        reporter?.cancel()
        loop.cancelTasks()
        signals.cancel()
        await session.stop()
        continuation.finish()
        return loop.exit ?? .quit
    }
}
