import RedisLock

extension DashboardRenderer {
    /// `  live · rows ≤ 40ms old` (from the change stream) or `  scanning · rows ≤ 1.3s old`
    /// (rescanning every refresh); nothing before the first refresh or without a mode.
    func modeSegments() -> [TextSegment] {
        guard let scan = state.lastScan, let mode = scan.mode else { return [] }
        let style = switch mode {
        case .live: CellStyle(foreground: .green, bold: true)
        case .scanning: CellStyle(foreground: .yellow)
        }
        let age = (scan.staleness ?? scan.duration).milliseconds + state.millisecondsSinceScan
        return [
            TextSegment("  " + mode.name, style),
            TextSegment(" · rows ≤ " + ValueFormat.duration(milliseconds: age) + " old", CellStyle(dim: true)),
        ]
    }
}
