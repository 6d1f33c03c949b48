/// A run of text in one style, for lines made of differently styled parts.
struct TextSegment: Sendable {
    var text: String
    var style: CellStyle

    init(_ text: String, _ style: CellStyle = .plain) {
        self.text = text
        self.style = style
    }
}

extension CellGrid {
    /// Writes `segments` one after another on `row` from `column`, cutting the one that
    /// reaches `limit` with `…`; returns the column after the last one written.
    @discardableResult
    mutating func write(_ segments: [TextSegment], row: Int, column: Int, limit: Int? = nil) -> Int {
        let end = min(limit ?? width, width)
        var x = column
        for segment in segments {
            guard x < end else { break }
            let segmentWidth = TerminalText.displayWidth(segment.text)
            let room = end - x
            write(segment.text, row: row, column: x, width: min(segmentWidth, room), style: segment.style)
            x += min(segmentWidth, room)
        }
        return x
    }
}
