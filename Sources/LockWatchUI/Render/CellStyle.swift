/// A foreground colour from the terminal's basic palette.
public enum TerminalColor: Int, Sendable, Hashable, CaseIterable {
    /// The terminal's own foreground colour.
    case standard
    /// ANSI black.
    case black
    /// ANSI red.
    case red
    /// ANSI green.
    case green
    /// ANSI yellow.
    case yellow
    /// ANSI blue.
    case blue
    /// ANSI magenta.
    case magenta
    /// ANSI cyan.
    case cyan
    /// ANSI white.
    case white
}

/// How one cell is drawn.
public struct CellStyle: Sendable, Hashable {
    /// The foreground colour.
    public var foreground: TerminalColor
    /// Bold (bright) text.
    public var bold: Bool
    /// Dim text.
    public var dim: Bool
    /// Foreground and background swapped.
    public var reverse: Bool

    /// Makes a style.
    public init(foreground: TerminalColor = .standard, bold: Bool = false, dim: Bool = false, reverse: Bool = false) {
        self.foreground = foreground
        self.bold = bold
        self.dim = dim
        self.reverse = reverse
    }

    /// The terminal's default look.
    public static let plain = CellStyle()
}

extension CellStyle {
    /// This style in colour `color`.
    func colored(_ color: TerminalColor) -> CellStyle {
        var copy = self
        copy.foreground = color
        return copy
    }

    /// This style, bold.
    var bolded: CellStyle {
        var copy = self
        copy.bold = true
        return copy
    }

    /// This style, dimmed.
    var dimmed: CellStyle {
        var copy = self
        copy.dim = true
        return copy
    }

    /// This style, reversed.
    var reversed: CellStyle {
        var copy = self
        copy.reverse = true
        return copy
    }
}
