import RedisLock

extension DashboardRenderer {
    /// The force-release confirmation: what will be deleted, and how to confirm.
    mutating func drawConfirmation(_ lock: InspectedLock) {
        let label = CellStyle(dim: true)
        let value = CellStyle(bold: true)
        var lines: [[TextSegment]] = [
            [TextSegment("Force-release this lock?", CellStyle(foreground: .red, bold: true))],
            [],
            [TextSegment("key    ", label), TextSegment(TerminalText.sanitize(lock.keyBytes), value)],
            [TextSegment("owner  ", label), TextSegment(lock.owner.map { TerminalText.sanitize($0) } ?? "–", value)],
            [TextSegment("token  ", label), TextSegment(lock.token.map { TerminalText.sanitize($0) } ?? "–", value)],
        ]
        var facts = [TextSegment("ttl    ", label), RowFormatter.ttl(of: lock, width: 12, state: state)]
        if let fence = lock.fence {
            facts.append(TextSegment("   fence ", label))
            facts.append(TextSegment("\(fence)"))
        }
        if let waiters = lock.waiters {
            facts.append(TextSegment("   waiters ", label))
            facts.append(TextSegment("\(waiters)"))
        }
        lines.append(facts)
        lines.append([])
        lines.append([TextSegment("The key is deleted only if it still holds exactly this value.")])
        lines.append([TextSegment("Its holder loses the lock: do this only for a stuck or dead holder.", CellStyle(foreground: .yellow))])
        drawConfirmPanel(lines, essential: 5)
    }

    /// `y force-release    n / Esc cancel`.
    static let confirmActions = [
        TextSegment("y", CellStyle(foreground: .red, bold: true, reverse: true)),
        TextSegment(" force-release    "),
        TextSegment("n", CellStyle(foreground: .cyan, bold: true, reverse: true)),
        TextSegment(" / "),
        TextSegment("Esc", CellStyle(foreground: .cyan, bold: true, reverse: true)),
        TextSegment(" cancel"),
    ]

    /// A confirmation panel of `lines` and the actions under them; on a short screen only the
    /// first `essential` lines (what is deleted) and the actions, always.
    mutating func drawConfirmPanel(_ lines: [[TextSegment]], essential: Int) {
        var lines = lines + [[], Self.confirmActions]
        let panel = Panel.draw(on: &grid, title: "force-release", lineCount: lines.count, preferredWidth: 72, border: CellStyle(foreground: .red, bold: true))
        if panel.innerRows.count < lines.count {
            lines = Array(lines[0..<min(essential, lines.count)].filter { !$0.isEmpty }.prefix(max(0, panel.innerRows.count - 1))) + [Self.confirmActions]
        }
        panel.fill(lines, on: &grid)
    }
}
