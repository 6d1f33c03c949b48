/// Where text sits in a field wider than itself.
enum TextAlignment: Sendable {
    /// Flush left, padded on the right.
    case left
    /// Flush right, padded on the left.
    case right
}

extension CellGrid {
    /// Writes `text` into the `width` columns of `row` starting at `column`: padded with
    /// spaces, or cut with `…` when it is wider, measured in display columns.
    ///
    /// `text` should already be sanitized; any unsafe scalar that slips through is drawn as
    /// `?`, so no control character ever reaches a cell. Returns the columns written.
    @discardableResult
    mutating func write(
        _ text: String, row: Int, column: Int, width fieldWidth: Int,
        style: CellStyle = .plain, alignment: TextAlignment = .left
    ) -> Int {
        guard row >= 0, row < height, fieldWidth > 0, column < width else { return 0 }
        let start = max(0, column)
        let limit = min(column + fieldWidth, width)
        guard limit > start else { return 0 }
        let available = limit - start
        let textWidth = TerminalText.displayWidth(text)
        if textWidth <= available {
            var x = start
            if alignment == .right {
                fill(row: row, columns: x..<(x + available - textWidth), style: style)
                x += available - textWidth
            }
            x = writeScalars(text, row: row, from: x, to: limit, style: style)
            fill(row: row, columns: x..<limit, style: style)
        } else {
            let x = writeScalars(text, row: row, from: start, to: limit - 1, style: style)
            set(Cell(text: "…", width: 1, style: style), row: row, column: x)
            fill(row: row, columns: (x + 1)..<limit, style: style)
        }
        return available
    }

    /// Writes `text` at `column` without padding; returns the column after it.
    @discardableResult
    mutating func write(_ text: String, row: Int, column: Int, style: CellStyle = .plain) -> Int {
        guard column < width else { return column }
        let textWidth = TerminalText.displayWidth(text)
        let fieldWidth = min(textWidth, width - column)
        write(text, row: row, column: column, width: fieldWidth, style: style)
        return column + fieldWidth
    }

    /// Writes the scalars of `text` from column `start`, stopping before a character that would
    /// cross `stop`; returns the column after the last character written.
    private mutating func writeScalars(_ text: String, row: Int, from start: Int, to stop: Int, style: CellStyle) -> Int {
        var x = start
        var lastColumn: Int?
        for raw in text.unicodeScalars {
            let scalar = TerminalText.isUnsafe(raw) ? "?" : raw
            let scalarWidth = TerminalText.displayWidth(scalar)
            if scalarWidth == 0 {
                if let lastColumn { combine(scalar, row: row, column: lastColumn) }
                continue
            }
            guard x + scalarWidth <= stop else { break }
            set(Cell(text: String(scalar), width: scalarWidth, style: style), row: row, column: x)
            lastColumn = x
            x += scalarWidth
        }
        return x
    }
}
