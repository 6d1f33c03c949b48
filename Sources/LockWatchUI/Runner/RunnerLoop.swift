import RedisLock

/// The mutable half of ``DashboardRunner/run()``: the state, the refresh schedule and the
/// tasks in flight. Used only by the loop that owns it.
final class RunnerLoop {
    private(set) var state: DashboardState
    /// Set when the loop should end.
    private(set) var exit: DashboardExit?

    private let session: TerminalSession
    private let events: AsyncStream<RunnerEvent>.Continuation
    private let refresh: @Sendable () async throws -> InspectionSnapshot
    private let forceRelease: @Sendable (InspectedLock) async -> ForceReleaseOutcome
    private let releaseHolder: DashboardRunner.ReleaseHolder?
    private let onScreen: (@Sendable ([[UInt8]]) -> Void)?
    private let watchPrefixes: DashboardRunner.WatchPrefixes?

    private var size: (width: Int, height: Int)?
    private var ticket = 0
    private var refreshInFlight: Task<Void, Never>?
    private var scheduled: Task<Void, Never>?
    private var timeout: Task<Void, Never>?
    private var failures = 0
    private var others: [Task<Void, Never>] = []
    /// When the latest refresh started, and whether news arrived while it ran.
    private var lastRefreshStart: ContinuousClock.Instant?
    private var changedMeanwhile = false
    /// The least time between two refreshes that news brings forward.
    static let changeGap: Duration = .milliseconds(250)

    init(
        state: DashboardState, session: TerminalSession, events: AsyncStream<RunnerEvent>.Continuation,
        refresh: @escaping @Sendable () async throws -> InspectionSnapshot,
        forceRelease: @escaping @Sendable (InspectedLock) async -> ForceReleaseOutcome,
        releaseHolder: DashboardRunner.ReleaseHolder? = nil,
        onScreen: (@Sendable ([[UInt8]]) -> Void)? = nil,
        watchPrefixes: DashboardRunner.WatchPrefixes? = nil
    ) {
        self.releaseHolder = releaseHolder
        self.onScreen = onScreen
        self.watchPrefixes = watchPrefixes
        self.state = state
        self.session = session
        self.events = events
        self.refresh = refresh
        self.forceRelease = forceRelease
    }

    func handle(_ event: RunnerEvent) {
        switch event {
        case .terminal(.ready(let width, let height)), .terminal(.resized(let width, let height)):
            size = (width, height)
            state.resize(width: width, height: height)
        case .terminal(.failed(let message)):
            exit = .terminalUnavailable(message)
            return
        case .terminal(.key(let key)):
            state.tick(now: .now)
            for command in state.handle(key) { perform(command) }
        case .signal(let number):
            exit = .signal(number)
            return
        case .tick:
            state.tick(now: .now)
        case .refreshDue(let due):
            guard due == ticket else { return }
            startRefresh()
        case .refreshed(let done, let result):
            guard done == ticket, refreshInFlight != nil else { return }
            finishRefresh(result)
        case .refreshTimedOut(let late):
            guard late == ticket, let inFlight = refreshInFlight else { return }
            inFlight.cancel()
            finishRefresh(.failure(RefreshTimeoutError(after: DashboardRunner.refreshTimeout)))
        case .notice(let notice):
            state.apply(notice: notice)
        case .changed:
            refreshSoon()
            return  // the refresh redraws
        case .forceReleased(let outcome, let lock):
            state.apply(forceReleaseOutcome: outcome, for: lock)
            startRefresh()
        case .holderReleased(let outcome, let release):
            state.apply(holderReleaseOutcome: outcome, for: release)
            startRefresh()
        case .news(let news):
            state.apply(news: news)
        case .watching(let match):
            state.apply(watching: match)
            if match != nil { restartRefresh() }
        }
        redraw()
    }

    /// Starts a refresh now, unless one is running.
    func startRefresh() {
        guard refreshInFlight == nil else { return }
        ticket += 1
        let current = ticket
        scheduled?.cancel()
        scheduled = nil
        lastRefreshStart = .now
        changedMeanwhile = false
        let refresh = self.refresh
        let events = self.events
        let basis = state.scanBasis
        onScreen?(state.onScreenKeys)
        refreshInFlight = Task {
            do {
                let snapshot = try await refresh()
                events.yield(.refreshed(ticket: current, .success(basis.prepare(snapshot))))
            } catch {
                events.yield(.refreshed(ticket: current, .failure(error)))
            }
        }
        timeout = Task {
            try? await Task.sleep(for: DashboardRunner.refreshTimeout)
            if !Task.isCancelled { events.yield(.refreshTimedOut(ticket: current)) }
        }
    }

    /// Starts a refresh now: one in flight was for the previous selection, so it is dropped.
    private func restartRefresh() {
        refreshInFlight?.cancel()
        refreshInFlight = nil
        timeout?.cancel()
        startRefresh()
    }

    /// Cancels everything still running.
    func cancelTasks() {
        refreshInFlight?.cancel()
        scheduled?.cancel()
        timeout?.cancel()
        for task in others { task.cancel() }
    }

    private func finishRefresh(_ result: Result<PreparedScan, any Error>) {
        refreshInFlight = nil
        timeout?.cancel()
        timeout = nil
        switch result {
        case .success(let prepared):
            failures = 0
            // The replaced rows are freed off this thread (tens of ms for 100,000 rows).
            let replaced = (state.table, state.ttlCeilings)
            state.apply(prepared: prepared, at: .now)
            Retired.drop(replaced)
            if !state.paused { schedule(after: changedMeanwhile ? Self.changeGap : state.effectiveInterval) }
        case .failure(let error):
            failures += 1
            let delay = RefreshBackoff.delay(afterFailures: failures)
            state.apply(connectionLost: error, retryIn: state.paused ? nil : delay)
            if !state.paused { schedule(after: delay) }
        }
    }

    private func perform(_ command: DashboardCommand) {
        switch command {
        case .quit:
            exit = .quit
        case .refreshNow:
            startRefresh()
        case .setInterval:
            if !state.paused, refreshInFlight == nil, failures == 0 { schedule(after: state.effectiveInterval) }
        case .setPaused(true):
            scheduled?.cancel()
            scheduled = nil
        case .setPaused(false):
            startRefresh()
        case .forceRelease(let lock):
            let forceRelease = self.forceRelease
            let events = self.events
            others.append(Task {
                let outcome = await forceRelease(lock)
                events.yield(.forceReleased(outcome, lock))
            })
        case .forceReleaseHolder(let release):
            let releaseHolder = self.releaseHolder
            let events = self.events
            others.append(Task {
                var outcome = ForceReleaseOutcome.failed("this dashboard cannot release a single holder")
                if let releaseHolder { outcome = await releaseHolder(release) }
                events.yield(.holderReleased(outcome, release))
            })
        case .watchPrefixes(let prefixes):
            guard let watchPrefixes else {
                state.apply(watching: nil)
                return
            }
            let events = self.events
            others.append(Task {
                events.yield(.watching(await watchPrefixes(prefixes)))
            })
        }
    }

    /// News from the live inspector: refresh now, or once ``changeGap`` has passed since the
    /// latest refresh started (so a burst of changes costs a few refreshes, not one each).
    private func refreshSoon() {
        guard !state.paused, failures == 0 else { return }
        if refreshInFlight != nil {
            changedMeanwhile = true
            return
        }
        let since = lastRefreshStart.map { ContinuousClock.now - $0 } ?? Self.changeGap
        if since >= Self.changeGap {
            startRefresh()
        } else {
            schedule(after: Self.changeGap - since)
        }
    }

    private func schedule(after delay: Duration) {
        scheduled?.cancel()
        let due = ticket
        let events = self.events
        scheduled = Task {
            try? await Task.sleep(for: delay)
            if !Task.isCancelled { events.yield(.refreshDue(ticket: due)) }
        }
    }

    private func redraw() {
        guard exit == nil, let size else { return }
        session.show(render(state, width: size.width, height: size.height))
    }
}
