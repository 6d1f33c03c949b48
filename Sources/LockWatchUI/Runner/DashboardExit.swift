/// Why ``DashboardRunner/run()`` returned.
public enum DashboardExit: Sendable, Hashable {
    /// The operator quit (`q`, Ctrl-C) or the task running the dashboard was cancelled.
    case quit
    /// SIGINT, SIGTERM or SIGHUP arrived (the number); the terminal was restored first.
    case signal(Int32)
    /// The terminal could not be taken over (the message says why); nothing was drawn.
    case terminalUnavailable(String)
}
