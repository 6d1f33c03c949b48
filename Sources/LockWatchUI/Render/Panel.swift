/// A boxed overlay (help, detail, confirmation) centred on the screen.
struct Panel {
    /// The rows inside the border.
    var innerRows: Range<Int>
    /// The columns inside the border (one space of padding included on each side).
    var innerColumns: Range<Int>

    /// Draws an empty panel for `lineCount` lines of up to `preferredWidth` columns, as large
    /// as fits (without a border on tiny screens), and returns where its content goes.
    static func draw(
        on grid: inout CellGrid, title: String, lineCount: Int, preferredWidth: Int, border: CellStyle
    ) -> Panel {
        let boxed = grid.width >= 12 && grid.height >= 5
        let frame = boxed ? 2 : 0
        let panelWidth = min(grid.width - (boxed ? 2 : 0), preferredWidth + frame + 2)
        let panelHeight = min(grid.height - (boxed ? 1 : 0), lineCount + frame)
        let left = max(0, (grid.width - panelWidth) / 2)
        let top = max(0, (grid.height - panelHeight) / 2)
        let rows = top..<(top + max(0, panelHeight))
        let columns = left..<(left + max(0, panelWidth))
        for row in rows {
            grid.fill(row: row, columns: columns, style: .plain)
        }
        guard boxed, panelWidth >= 2, panelHeight >= 2 else {
            return Panel(innerRows: rows, innerColumns: columns)
        }
        let right = columns.upperBound - 1
        let bottom = rows.upperBound - 1
        let horizontal = String(repeating: "─", count: panelWidth - 2)
        grid.write("┌" + horizontal + "┐", row: top, column: left, style: border)
        grid.write("└" + horizontal + "┘", row: bottom, column: left, style: border)
        for row in (top + 1)..<bottom {
            grid.write("│", row: row, column: left, style: border)
            grid.write("│", row: row, column: right, style: border)
        }
        let caption = " " + title + " "
        grid.write(caption, row: top, column: left + 2, width: min(TerminalText.displayWidth(caption), panelWidth - 4), style: border.bolded)
        return Panel(innerRows: (top + 1)..<bottom, innerColumns: (left + 2)..<(right - 1))
    }

    /// Writes `lines` into the panel, one per row, cut to its width.
    func fill(_ lines: [[TextSegment]], on grid: inout CellGrid) {
        for (row, segments) in zip(innerRows, lines) {
            grid.write(segments, row: row, column: innerColumns.lowerBound, limit: innerColumns.upperBound)
        }
    }

    /// The content width.
    var width: Int { innerColumns.count }
}
