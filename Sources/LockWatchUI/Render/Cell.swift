/// One character cell of a ``CellGrid``.
public struct Cell: Sendable, Hashable {
    /// What the cell shows: one base character plus any combining marks, or `""` for the
    /// right half of a two-column character (the cell to its left holds the character).
    public var text: String
    /// How many columns ``text`` takes: 1, 2, or 0 for the right half of a wide character.
    public var width: Int
    /// How the cell is drawn.
    public var style: CellStyle

    /// Makes a cell.
    public init(text: String, width: Int, style: CellStyle = .plain) {
        self.text = text
        self.width = width
        self.style = style
    }

    /// A space in the default style.
    public static let blank = Cell(text: " ", width: 1)

    /// Whether this cell is the right half of a two-column character.
    public var isContinuation: Bool { width == 0 }
}
