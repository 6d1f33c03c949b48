/// A screen's worth of character cells: what ``render(_:width:height:)`` produces and what
/// ``TerminalScreen`` paints. Tests read it back as text.
public struct CellGrid: Sendable, Hashable {
    /// Columns.
    public let width: Int
    /// Rows.
    public let height: Int
    /// The cells, row after row.
    public private(set) var cells: [Cell]

    /// Makes a grid of blank cells (negative sizes count as zero).
    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    /// The cell at `row`, `column` (both from 0).
    public subscript(row row: Int, column column: Int) -> Cell {
        cells[row * width + column]
    }

    /// Row `row` as text, the right halves of wide characters left out.
    public func line(_ row: Int) -> String {
        var text = ""
        for column in 0..<width {
            text += self[row: row, column: column].text
        }
        return text
    }

    /// Every row as text.
    public var lines: [String] { (0..<height).map(line) }

    /// The whole grid as text, rows separated by newlines.
    public var text: String { lines.joined(separator: "\n") }

    /// The display column where `needle` first starts in row `row`, or `nil`.
    public func column(of needle: String, inRow row: Int) -> Int? {
        let needleCells = needle.unicodeScalars.map { String($0) }
        guard !needleCells.isEmpty, row >= 0, row < height else { return nil }
        var column = 0
        while column < width {
            var probe = column
            var matched = 0
            while matched < needleCells.count, probe < width {
                let cell = self[row: row, column: probe]
                if cell.isContinuation { probe += 1; continue }
                guard cell.text == needleCells[matched] else { break }
                matched += 1
                probe += 1
            }
            if matched == needleCells.count { return column }
            column += 1
        }
        return nil
    }

    /// Every row whose text contains `needle`.
    public func rows(containing needle: String) -> [Int] {
        (0..<height).filter { line($0).contains(needle) }
    }

    /// Puts `cell` at `row`, `column`, first splitting any wide character it overlaps.
    mutating func set(_ cell: Cell, row: Int, column: Int) {
        guard row >= 0, row < height, column >= 0, column < width else { return }
        let index = row * width + column
        clearWideOverlap(at: index, column: column)
        if cell.width == 2 {
            guard column + 1 < width else {
                cells[index] = Cell(text: " ", width: 1, style: cell.style)
                return
            }
            clearWideOverlap(at: index + 1, column: column + 1)
            cells[index] = cell
            cells[index + 1] = Cell(text: "", width: 0, style: cell.style)
        } else {
            cells[index] = cell
        }
    }

    /// Adds combining `scalar` to the character in the cell at `row`, `column`.
    mutating func combine(_ scalar: Unicode.Scalar, row: Int, column: Int) {
        guard row >= 0, row < height, column >= 0, column < width else { return }
        let index = row * width + column
        guard cells[index].width > 0, cells[index].text.unicodeScalars.count < 5 else { return }
        cells[index].text.unicodeScalars.append(scalar)
    }

    /// Changes the style of the cells of `row` in `columns`.
    mutating func restyle(row: Int, columns: Range<Int>, _ change: (inout CellStyle) -> Void) {
        guard row >= 0, row < height else { return }
        let bounded = columns.clamped(to: 0..<width)
        for column in bounded {
            change(&cells[row * width + column].style)
        }
    }

    /// Blanks the cells of `row` in `columns` with `style`.
    mutating func fill(row: Int, columns: Range<Int>, style: CellStyle) {
        guard row >= 0, row < height else { return }
        for column in columns.clamped(to: 0..<width) {
            set(Cell(text: " ", width: 1, style: style), row: row, column: column)
        }
    }

    /// When the cell at `index` is half of a wide character, turns the other half into a space.
    private mutating func clearWideOverlap(at index: Int, column: Int) {
        let existing = cells[index]
        if existing.width == 0, column > 0 {
            cells[index - 1] = Cell(text: " ", width: 1, style: cells[index - 1].style)
        } else if existing.width == 2, column + 1 < width {
            cells[index + 1] = Cell(text: " ", width: 1, style: cells[index + 1].style)
        }
    }
}
