extension DashboardRenderer {
    /// The key help overlay.
    mutating func drawHelp() {
        var entries: [(String, String)] = [
            ("q  Ctrl-C", "quit"),
            ("?  F1", "this help (?, Esc or q close it; other keys close it and act)"),
            ("/", "filter locks and events by key or owner; Enter keeps, Esc clears"),
            ("!", "only what needs attention, worst first: no TTL, TTL above usual, held long, waiters"),
            ("↑ ↓  j k", "move the selection"),
            ("PgUp PgDn", "move a page"),
            ("g G  Home End", "first / last lock"),
            ("Enter", "details of the selected lock (Esc closes)"),
            ("s", "sort by the next column: key, TTL, age, waiters, acq/s"),
            ("S", "reverse the sort"),
            ("r", "refresh now"),
            ("+ -", "refresh slower / faster (every 250ms … 10s, as in the header)"),
            ("p", "pause / resume refreshing"),
        ]
        entries.append(("a", "also watch the prefixes under \"also seen\" (locks outside the match)"))
        entries.append(
            state.readOnly
                ? ("F", "force-release: disabled (read-only mode)")
                : ("F", "force-release the selected lock (asks first)")
        )
        if !state.readOnly {
            entries.append(("↑ ↓  f", "kind detail: select a holder, f force-releases only it"))
        }
        var lines: [[TextSegment]] = entries.map { key, text in
            [TextSegment(key.padding(to: 15), CellStyle(foreground: .cyan, bold: true)), TextSegment(text)]
        }
        lines.append([])
        lines.append([
            TextSegment("TTL: "),
            TextSegment("plenty", CellStyle(foreground: .green)),
            TextSegment(" · "),
            TextSegment("< 5s", CellStyle(foreground: .yellow)),
            TextSegment(" · "),
            TextSegment("< 20% of longest seen", CellStyle(foreground: .red)),
            TextSegment(" · "),
            TextSegment("none (stuck)", CellStyle(foreground: .magenta, bold: true)),
        ])
        lines.append([TextSegment("Default order: most waiters, then most acquisitions/s, then key.", CellStyle(dim: true))])
        let panel = Panel.draw(on: &grid, title: "help", lineCount: lines.count, preferredWidth: 76, border: CellStyle(foreground: .cyan))
        panel.fill(lines, on: &grid)
    }
}
