import RedisLock

extension DashboardRenderer {
    /// The "also seen" hint, then the latest events matching the filter, newest first:
    /// `3s ago  expired  lock:orders:42  by worker-7`.
    mutating func drawEvents() {
        var rows = layout.events
        guard !rows.isEmpty else { return }
        if !state.alsoSeen.isEmpty {
            drawAlsoSeen(row: rows.lowerBound)
            rows = rows.dropFirst()
        }
        let events = state.shownEvents.prefix(rows.count)
        if events.isEmpty {
            if let row = rows.first {
                let text = state.events.isEmpty ? " no lock events yet" : " no event matches /\(TerminalText.sanitize(state.filter))"
                grid.write(text, row: row, column: 0, width: width, style: CellStyle(dim: true))
            }
            return
        }
        let serverNow = state.serverNowMilliseconds
        for (row, event) in zip(rows, events) {
            var segments: [TextSegment] = []
            if let serverNow {
                let ago = ValueFormat.duration(milliseconds: serverNow - event.atMilliseconds) + " ago"
                segments.append(TextSegment(" " + pad(ago, to: 10), CellStyle(dim: true)))
            }
            segments.append(TextSegment(pad(event.kind.rawValue, to: 15), Self.style(of: event.kind)))
            segments.append(TextSegment(TerminalText.sanitize(event.keyBytes), dataStyle))
            if let detail = event.detail {
                segments.append(TextSegment(TerminalText.sanitize(detail), CellStyle(dim: true)))
            }
            if let owner = event.owner {
                segments.append(TextSegment("  by ", CellStyle(dim: true)))
                segments.append(TextSegment(TerminalText.sanitize(owner), dataStyle))
            }
            if event.source == .notification {
                segments.append(TextSegment("  (notified)", CellStyle(dim: true)))
            }
            grid.write(segments, row: row, column: 0)
        }
    }

    /// `also seen: DUSEPK_REDIS_LOCK_* (go-legacy, 3 keys) — press a to watch them too`.
    private mutating func drawAlsoSeen(row: Int) {
        let found = state.alsoSeen.map { TerminalText.sanitize($0.summary) }.joined(separator: ", ")
        grid.write([
            TextSegment(" also seen: ", CellStyle(foreground: .yellow, bold: true)),
            TextSegment(found, CellStyle(foreground: .yellow)),
            TextSegment(" — press ", CellStyle(dim: true)),
            TextSegment("a", CellStyle(foreground: .cyan, bold: true)),
            TextSegment(" to watch \(state.alsoSeen.count == 1 ? "it" : "them") too", CellStyle(dim: true)),
        ], row: row, column: 0)
    }

    /// The filter prompt while typing one, else the status message.
    mutating func drawStatus() {
        guard let row = layout.status else { return }
        if state.mode == .filterEditing {
            let segments = [
                TextSegment("/", CellStyle(foreground: .cyan, bold: true)),
                TextSegment(TerminalText.sanitize(state.filter), CellStyle(bold: true)),
                TextSegment("█", CellStyle(foreground: .cyan)),
                TextSegment("  \(state.visibleCount) match", CellStyle(dim: true)),
            ]
            grid.write(segments, row: row, column: 0)
            return
        }
        guard let status = state.status else { return }
        let color: TerminalColor
        switch status.severity {
        case .info: color = .standard
        case .success: color = .green
        case .warning: color = .yellow
        case .error: color = .red
        }
        grid.write(" " + status.text, row: row, column: 0, width: width, style: CellStyle(foreground: color, bold: status.severity != .info))
    }

    /// Key hints for the current mode (no `F` in read-only mode).
    mutating func drawFooter() {
        guard let row = layout.footer else { return }
        let hints: [(String, String)]
        switch state.mode {
        case .normal:
            var normal = [("q", "quit"), ("?", "help"), ("/", "filter"), ("!", state.attentionOnly ? "all locks" : "attention"), ("s", "sort"), ("S", "reverse"), ("r", "refresh"), ("+", "slower"), ("-", "faster"), ("p", state.paused ? "resume" : "pause"), ("⏎", "detail")]
            if !state.readOnly { normal.append(("F", "force-release")) }
            if !state.alsoSeen.isEmpty { normal.insert(("a", "add also seen"), at: 3) }
            hints = normal
        case .filterEditing:
            hints = [("type", "to filter"), ("⏎", "keep"), ("Esc", "clear"), ("↑↓", "move")]
        case .help:
            hints = [("? Esc q", "close help")]
        case .detail:
            var detail = [("Esc", "close"), ("r", "refresh"), ("p", state.paused ? "resume" : "pause")]
            if !state.readOnly { detail.append(("F", "force-release")) }
            if !state.readOnly, state.detail?.lock.kind?.holders.isEmpty == false {
                detail.append(("↑↓", "holder"))
                detail.append(("f", "release holder"))
            }
            hints = detail
        case .confirmForceRelease, .confirmHolderRelease:
            hints = [("y", "force-release"), ("n/Esc", "cancel")]
        }
        var segments: [TextSegment] = []
        for (key, label) in hints {
            segments.append(TextSegment(" " + key, CellStyle(foreground: .cyan, bold: true)))
            segments.append(TextSegment(" " + label + " ", CellStyle(dim: true)))
        }
        grid.write(segments, row: row, column: 0)
    }

    static func style(of kind: LockEvent.Kind) -> CellStyle {
        switch kind {
        case .acquired: CellStyle(foreground: .green)
        case .released: CellStyle(foreground: .cyan)
        case .expired: CellStyle(foreground: .yellow, bold: true)
        case .forceReleased: CellStyle(foreground: .red, bold: true)
        case .extended: CellStyle(dim: true)
        case .holderChanged: CellStyle(foreground: .magenta)
        case .rescanned: CellStyle(foreground: .yellow)
        case .staleWriteRejected: CellStyle(foreground: .red, bold: true)
        }
    }

    private func pad(_ text: String, to columns: Int) -> String {
        text + String(repeating: " ", count: max(1, columns - TerminalText.displayWidth(text)))
    }
}
