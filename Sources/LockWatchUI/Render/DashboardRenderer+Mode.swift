import RedisLock

extension DashboardRenderer {
    /// How the rows are kept current, how old the oldest may be, and what the dashboard costs
    /// the server: `  live · rows ≤ 40ms old · +12 cmd/s ≈0.4 ms/s` (from the change stream),
    /// `  sweeping · rows ≤ 24s old · +31 cmd/s ≈48 ms/s of ≤50` (sweeps paced by `--max-load`,
    /// the rows on screen re-read every refresh) or `  scanning · rows ≤ 1.3s old`
    /// (rescanning every refresh); nothing before the first refresh or without a mode.
    func modeSegments() -> [TextSegment] {
        guard let scan = state.lastScan, let mode = scan.mode else { return [] }
        let style = switch mode {
        case .live: CellStyle(foreground: .green, bold: true)
        case .scanning, .sweeping: CellStyle(foreground: .yellow)
        }
        let age = (scan.staleness ?? scan.duration).milliseconds + state.millisecondsSinceScan
        var segments = [
            TextSegment("  " + mode.name, style),
            TextSegment(" · rows ≤ " + ValueFormat.duration(milliseconds: age) + " old", CellStyle(dim: true)),
        ]
        if let load = scan.load { segments.append(TextSegment(" · " + Self.loadText(load), CellStyle(dim: true))) }
        return segments
    }

    /// `+31 cmd/s ≈48 ms/s of ≤50`: the commands the dashboard sends, the server time they are
    /// estimated to take (`≤` when that is an upper bound from request timing) and the budget
    /// in server ms/s (`--max-load` 5% is 50 ms/s).
    static func loadText(_ load: InspectionLoad) -> String {
        let estimate = load.measure == .requestTiming ? "≤" : "≈"
        let budget = Int((load.maxLoadPercent * 10).rounded())
        return "+\(ValueFormat.rate(load.commandsPerSecond)) cmd/s \(estimate)\(ValueFormat.rate(load.serverMillisecondsPerSecond)) ms/s of ≤\(budget)"
    }
}
