extension DashboardRenderer {
    /// `lockwatch  redis://…  match: lock:*  user u  READ-ONLY  every 1s  live …  notifications: on  filter: x`.
    mutating func drawHeader() {
        guard let row = layout.header else { return }
        var segments = [
            TextSegment(" lockwatch ", CellStyle(foreground: .cyan, bold: true, reverse: true)),
        ]
        if let label = state.contextLabel {
            segments.append(TextSegment(" "))
            segments.append(TextSegment(" " + TerminalText.sanitize(label.text) + " ", CellStyle(foreground: label.colour, bold: true, reverse: true)))
        }
        segments.append(TextSegment(" " + TerminalText.sanitize(state.endpoint), CellStyle(bold: true)))
        if !state.match.isEmpty {
            segments.append(TextSegment("  match: ", CellStyle(dim: true)))
            segments.append(TextSegment(TerminalText.sanitize(state.match), CellStyle(bold: true)))
        }
        if let user = state.user {
            segments.append(TextSegment("  user " + TerminalText.sanitize(user)))
        }
        segments.append(
            state.readOnly
                ? TextSegment("  READ-ONLY", CellStyle(foreground: .yellow, bold: true))
                : TextSegment("  read-write", CellStyle(foreground: .red))
        )
        if state.paused {
            segments.append(TextSegment("  "))
            segments.append(TextSegment("PAUSED", CellStyle(foreground: .yellow, bold: true, reverse: true)))
        } else {
            let effective = state.effectiveInterval
            segments.append(TextSegment("  every " + ValueFormat.interval(effective)))
            if effective > state.interval {
                segments.append(TextSegment(" (set \(ValueFormat.interval(state.interval)), slowed to the scan time)", CellStyle(dim: true)))
            }
        }
        segments.append(contentsOf: modeSegments())
        switch state.notifications {
        case .unknown: break
        case .on: segments.append(TextSegment("  notifications: on", CellStyle(foreground: .green)))
        case .off: segments.append(TextSegment("  notifications: off", CellStyle(dim: true)))
        }
        if state.attentionOnly {
            segments.append(TextSegment("  "))
            segments.append(TextSegment("NEEDS ATTENTION", CellStyle(foreground: .red, bold: true, reverse: true)))
        }
        if !state.filter.isEmpty {
            segments.append(TextSegment("  filter: ", CellStyle(dim: true)))
            segments.append(TextSegment(TerminalText.sanitize(state.filter), CellStyle(foreground: .cyan, bold: true)))
        }
        grid.write(segments, row: row, column: 0)
    }

    /// `locks 12/340  row 3  ! 2 need attention  scan 35ms, 12 cmds/refresh in 3 round trips, 4000 keys scanned  ● connected`.
    mutating func drawSummary() {
        guard let row = layout.summary else { return }
        var segments = [
            TextSegment(" locks ", CellStyle(dim: true)),
            TextSegment("\(ValueFormat.count(state.visibleCount))/\(ValueFormat.count(state.totalCount))", CellStyle(bold: true)),
        ]
        if state.visibleCount > 0 {
            segments.append(TextSegment("  row \(state.selectedPosition + 1)", CellStyle(dim: true)))
        }
        if state.attentionCount > 0, !state.attentionOnly {
            segments.append(TextSegment("  ! \(ValueFormat.count(state.attentionCount)) need\(state.attentionCount == 1 ? "s" : "") attention", CellStyle(foreground: .red, bold: true)))
        }
        if let scan = state.lastScan {
            segments.append(TextSegment("  scan ", CellStyle(dim: true)))
            segments.append(TextSegment(ValueFormat.duration(milliseconds: scan.duration.milliseconds)))
            segments.append(TextSegment(", \(scan.commandCount) cmds/refresh in \(scan.roundTrips) round trips, \(ValueFormat.count(scan.scannedKeys)) keys scanned", CellStyle(dim: true)))
        }
        let connection: TextSegment
        switch state.connection {
        case .connecting: connection = TextSegment("○ connecting", CellStyle(foreground: .yellow))
        // "connected", not "live": the header's mode word says whether the rows are live.
        case .connected: connection = TextSegment("● connected", CellStyle(foreground: .green, bold: true))
        case .reconnecting:
            let word = state.failureIsRefusal ? "✖ refused" : state.lastScan == nil ? "✖ not connected" : "✖ reconnecting"
            connection = TextSegment(word, CellStyle(foreground: .red, bold: true))
        }
        let connectionWidth = TerminalText.displayWidth(connection.text) + 1
        let end = grid.write(segments, row: row, column: 0, limit: max(0, width - connectionWidth - 1))
        grid.write(connection.text, row: row, column: max(end + 1, width - connectionWidth), style: connection.style)
    }

    /// The red "connection lost" banner above the stale, dimmed table.
    mutating func drawBanner() {
        guard let row = layout.banner, case .reconnecting(let error, let attempt, let retryIn) = state.connection else { return }
        let style = CellStyle(foreground: .red, bold: true, reverse: true)
        // Lost means it had worked: before the first scan the connection never did.
        let lead = if state.failureIsRefusal {
            " ⚠ Redis refused: "
        } else if state.lastScan == nil, !state.failureIsConnection {
            " ⚠ no data yet: "
        } else if state.lastScan == nil {
            error.hasPrefix("cannot connect to") ? " ⚠ " : " ⚠ cannot connect to \(TerminalText.sanitize(state.endpoint)): "
        } else {
            " ⚠ connection lost: "
        }
        var text = lead + TerminalText.sanitize(String(error.prefix(400)))
        text += " · \(attempt) failed refresh\(attempt == 1 ? "" : "es")"
        if let retryIn, let failedAt = state.lastFailureAt {
            let left = max(0, (retryIn - (state.now - failedAt)).milliseconds)
            text += ", retrying in \(ValueFormat.duration(milliseconds: left))"
        }
        if state.lastScan != nil {
            text += " · showing data from \(ValueFormat.duration(milliseconds: state.millisecondsSinceScan)) ago"
        }
        grid.write(text, row: row, column: 0, width: width, style: style)
    }

    /// The column titles, the sorted one marked with ▲ or ▼.
    mutating func drawColumnHeader() {
        guard let row = layout.columnHeader else { return }
        let style = CellStyle(bold: true, reverse: true)
        grid.fill(row: row, columns: 0..<width, style: style)
        for placement in columns.placements {
            var title = placement.column.title
            if let sort = placement.column.sortColumn, sort == state.sortColumn {
                title += state.sortDirection == .ascending ? "▲" : "▼"
            }
            grid.write(title, row: row, column: placement.x, width: placement.width, style: style, alignment: placement.column.alignment)
        }
    }
}
