/// Draws `state` on a `width` × `height` grid of cells: header, column titles, the visible
/// table rows, the event strip, the status line and the key hints, plus the help overlay, the
/// detail view or the force-release confirmation when one is open.
///
/// Only the rows on screen are formatted, so a frame costs the same for 100 or 100,000 locks.
/// Every string that came from Redis is sanitized; no cell ever holds a control character.
public func render(_ state: DashboardState, width: Int, height: Int) -> CellGrid {
    var renderer = DashboardRenderer(state: state, width: width, height: height)
    return renderer.render()
}

/// One frame being drawn.
struct DashboardRenderer {
    let state: DashboardState
    let layout: ScreenLayout
    let columns: ColumnLayout
    var grid: CellGrid
    /// How many table rows were formatted (the performance test checks it stays at a page).
    private(set) var formattedRows = 0

    init(state: DashboardState, width: Int, height: Int) {
        self.state = state
        grid = CellGrid(width: width, height: height)
        layout = ScreenLayout(state: state, height: grid.height)
        columns = ColumnLayout(
            width: grid.width, showingNodes: state.watchesSeveralServers, showingAttention: state.attentionOnly,
            content: Self.contentWidths(state: state, rows: layout.table.count))
    }

    /// The widest KEY, OWNER, TOKEN and ATTENTION text among the rows on screen.
    static func contentWidths(state: DashboardState, rows: Int) -> [TableColumn: Int] {
        let offset = DashboardState.scrollOffset(
            current: state.scrollOffset, selected: state.selectedPosition, count: state.visibleCount, page: rows)
        var widths: [TableColumn: Int] = [:]
        for position in offset ..< offset + rows {
            guard let lock = state.lock(at: position) else { break }
            for column in [TableColumn.key, .owner, .token] {
                if let width = RowFormatter.contentWidth(column, of: lock) { widths[column] = max(widths[column] ?? 0, width) }
            }
            if state.attentionOnly {
                widths[.attention] = max(widths[.attention] ?? 0, TerminalText.displayWidth(state.attentionLabel(at: position)))
            }
        }
        return widths
    }

    var width: Int { grid.width }
    var height: Int { grid.height }

    /// Draws everything and returns the grid.
    mutating func render() -> CellGrid {
        guard width > 0, height > 0 else { return grid }
        drawHeader()
        drawSummary()
        drawBanner()
        drawColumnHeader()
        drawTable()
        drawEvents()
        drawStatus()
        drawFooter()
        switch state.mode {
        case .normal, .filterEditing: break
        case .help: drawHelp()
        case .detail: drawDetail()
        case .confirmForceRelease(let lock): drawConfirmation(lock)
        case .confirmHolderRelease(let release): drawHolderConfirmation(release)
        }
        return grid
    }

    /// The style of data rows: dimmed while the data is stale.
    var dataStyle: CellStyle {
        state.connection.isReconnecting ? CellStyle(dim: true) : .plain
    }

    mutating func drawTable() {
        let rows = layout.table
        guard !rows.isEmpty else { return }
        let offset = DashboardState.scrollOffset(
            current: state.scrollOffset, selected: state.selectedPosition,
            count: state.visibleCount, page: rows.count
        )
        if state.visibleCount == 0 {
            drawEmptyTableMessage(row: rows.lowerBound)
            return
        }
        for (index, row) in rows.enumerated() {
            let position = offset + index
            guard let lock = state.lock(at: position) else { break }
            formattedRows += 1
            let selected = position == state.selectedPosition
            for placement in columns.placements {
                var segment = placement.column == .attention
                    ? TextSegment(state.attentionLabel(at: position), CellStyle(foreground: .red, bold: true))
                    : RowFormatter.cell(placement.column, of: lock, width: placement.width, state: state)
                if state.connection.isReconnecting { segment.style = segment.style.dimmed }
                if selected { segment.style = segment.style.reversed }
                grid.write(segment.text, row: row, column: placement.x, width: placement.width, style: segment.style, alignment: placement.column.alignment)
            }
            if selected {
                grid.restyle(row: row, columns: 0..<width) { $0.reverse = true }
            }
        }
    }

    private mutating func drawEmptyTableMessage(row: Int) {
        let message: String
        if state.lastScan == nil {
            message = state.connection.isReconnecting ? "no data yet: cannot reach Redis" : "waiting for the first scan…"
        } else if state.attentionOnly, state.filter.isEmpty {
            message = "nothing needs attention: every lock has a TTL, usual hold times and few waiters (! shows all)"
        } else if state.totalCount == 0 {
            message = "no locks found"
        } else {
            message = "no lock matches /\(TerminalText.sanitize(state.filter)) (Esc clears the filter)"
        }
        grid.write(message, row: row, column: 1, width: width - 1, style: CellStyle(dim: true))
    }
}
