/// Short, fixed-style renderings of the numbers the dashboard shows.
enum ValueFormat {
    /// A duration in milliseconds, compactly: `850ms`, `4.2s`, `42s`, `4m05s`, `2h13m`, `3d04h`.
    static func duration(milliseconds: Int64) -> String {
        let ms = max(0, milliseconds)
        if ms < 1000 { return "\(ms)ms" }
        if ms < 10_000 { return "\(ms / 1000).\((ms % 1000) / 100)s" }
        let seconds = ms / 1000
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m\(twoDigits(seconds % 60))s" }
        if seconds < 86_400 { return "\(seconds / 3600)h\(twoDigits((seconds % 3600) / 60))m" }
        return "\(seconds / 86_400)d\(twoDigits((seconds % 86_400) / 3600))h"
    }

    /// A refresh interval: `250ms`, `1s`, `1.5s`, `10s`.
    static func interval(_ duration: Duration) -> String {
        let ms = duration.milliseconds
        if ms < 1000 { return "\(ms)ms" }
        if ms % 1000 == 0 { return "\(ms / 1000)s" }
        return "\(ms / 1000).\((ms % 1000) / 100)s"
    }

    /// A rate: `0`, `0.4`, `12.5`, `340`, `12.3k`.
    static func rate(_ value: Double) -> String {
        guard value.isFinite, value > 0 else { return "0" }
        if value < 100 {
            let tenths = Int((value * 10).rounded())
            return "\(tenths / 10).\(tenths % 10)"  // always one decimal, so the column lines up
        }
        if value < 10_000 { return "\(Int(value.rounded()))" }
        let hundreds = Int((value / 100).rounded())
        return "\(hundreds / 10).\(hundreds % 10)k"
    }

    /// An integer with thin grouping: `1234567` stays `1234567` below a million, else `1.2M`.
    static func count(_ value: Int) -> String {
        if value < 1_000_000 { return "\(value)" }
        let tenths = value / 100_000
        return "\(tenths / 10).\(tenths % 10)M"
    }

    /// The first `columns` display columns of `text`, with `…` when cut.
    static func prefix(_ text: String, columns: Int) -> String {
        guard columns > 0 else { return "" }
        if TerminalText.displayWidth(text) <= columns { return text }
        var result = ""
        var used = 0
        for scalar in text.unicodeScalars {
            let width = TerminalText.displayWidth(scalar)
            if used + width > columns - 1 { break }
            result.unicodeScalars.append(scalar)
            used += width
        }
        return result + "…"
    }

    /// `text` in at most `columns` display columns, cut in the middle with `…` (the start and
    /// the end of a key tell keys apart: `lock:{orders:…}:item:42`).
    static func middle(_ text: String, columns: Int) -> String {
        guard columns > 0 else { return "" }
        if TerminalText.displayWidth(text) <= columns { return text }
        let tailColumns = (columns - 1) / 2
        let headColumns = columns - 1 - tailColumns
        var head = String.UnicodeScalarView()
        var used = 0
        for scalar in text.unicodeScalars {
            let width = TerminalText.displayWidth(scalar)
            if used + width > headColumns { break }
            head.append(scalar)
            used += width
        }
        var tail: [Unicode.Scalar] = []
        used = 0
        for scalar in text.unicodeScalars.reversed() {
            let width = TerminalText.displayWidth(scalar)
            if used + width > tailColumns { break }
            tail.append(scalar)
            used += width
        }
        var result = String(head) + "…"
        result.unicodeScalars.append(contentsOf: tail.reversed())
        return result
    }

    private static func twoDigits(_ value: Int64) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
