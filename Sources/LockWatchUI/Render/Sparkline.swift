/// Draws a series of numbers as a row of block characters.
enum Sparkline {
    /// The eight levels, lowest first.
    static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// The last `columns` of `samples` as blocks scaled to their maximum.
    static func render(_ samples: [Double], columns: Int) -> String {
        guard columns > 0 else { return "" }
        let shown = samples.suffix(columns)
        let peak = shown.max() ?? 0
        return String(shown.map { sample -> Character in
            guard peak > 0, sample.isFinite, sample > 0 else { return blocks[0] }
            let level = Int((sample / peak * Double(blocks.count - 1)).rounded())
            return blocks[min(max(level, 0), blocks.count - 1)]
        })
    }
}
