/// Wraps text into lines of at most a given number of display columns.
enum TextWrap {
    /// Cuts `text` (sanitized, so without newlines) into lines of at most `columns` display
    /// columns, at most `maxLines` of them; the last is cut with `…` when text remains.
    static func lines(_ text: String, columns: Int, maxLines: Int) -> [String] {
        guard columns > 0, maxLines > 0 else { return [] }
        var lines: [String] = []
        var current = ""
        var used = 0
        var truncated = false
        for scalar in text.unicodeScalars {
            let width = TerminalText.displayWidth(scalar)
            if used + width > columns {
                if lines.count + 1 == maxLines {
                    truncated = true
                    break
                }
                lines.append(current)
                current = ""
                used = 0
            }
            current.unicodeScalars.append(scalar)
            used += width
        }
        if truncated {
            while !current.unicodeScalars.isEmpty, TerminalText.displayWidth(current) > columns - 1 {
                current.unicodeScalars.removeLast()
            }
            lines.append(current + "…")
        } else {
            lines.append(current)
        }
        return lines
    }
}
